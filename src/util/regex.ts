import { RE2JS } from 're2js';

/**
 * Regular expressions from a brief, run by a linear-time engine (RE2, through `re2js`): a
 * pattern like `(a+)+$` takes time proportional to the text, never exponential, so no brief can
 * hang a run or a server with one. RE2 has no backreferences and no lookaround; a pattern that
 * needs them is refused when the brief is read, naming the field.
 */

export interface CheckRegex {
  /** True when the pattern matches somewhere in `text` (at its start for the `y` flag). */
  test(text: string): boolean;
}

export type CompiledRegex = { ok: true; regex: CheckRegex } | { ok: false; reason: string };

const cache = new Map<string, CompiledRegex>();
const MAX_CACHED = 500;

/**
 * Compiles a brief's `regex` with its `regex_flags` (JavaScript's letters: `i`, `m`, `s`, `u`
 * and `v` are honoured, `g` and `d` mean nothing for a test, `y` anchors at the start).
 *
 * @example
 * const compiled = compileCheckRegex('^(a+)+$', 'i');
 * if (compiled.ok) compiled.regex.test('a'.repeat(100_000) + 'b'); // false, at once
 */
export function compileCheckRegex(pattern: string, flags: string): CompiledRegex {
  const key = `${flags}/${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const compiled = compile(pattern, flags);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function compile(pattern: string, flags: string): CompiledRegex {
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  const source = flags.includes('y') ? `^(?:${pattern})` : pattern;
  try {
    const re = RE2JS.compile(source, bits);
    return { ok: true, regex: { test: (text) => re.test(text) } };
  } catch (error) {
    return { ok: false, reason: explain(pattern, error) };
  }
}

function explain(pattern: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // RE2 refuses what would need backtracking; say so in words a person can act on.
  if (/\(\?[=!]|\(\?<[=!]/u.test(pattern)) return 'lookahead and lookbehind (`(?=…)`, `(?!…)`, `(?<=…)`) are not supported: Baton runs regexes in linear time (RE2)';
  if (/\\[1-9]|\\k</u.test(pattern)) return 'backreferences (`\\1`, `\\k<name>`) are not supported: Baton runs regexes in linear time (RE2)';
  return message.replace(/^error parsing regexp: /u, '');
}
