import { textList } from './describe-check.js';
import type { FieldPath, LintContext, LintFinding } from './lint-context.js';
import { judgedTexts } from './lint-context.js';
import { ANTONYMS, NEGATORS, tokens } from './lint-words.js';
import type { Brief, CodeCheck } from './schema.js';

/**
 * Lint rules for demands that cannot all be met. Code checks that exclude each other are errors
 * (no candidate can pass); judged texts that pull apart are warnings (they may apply to
 * different parts, but the judge cannot tell).
 */

interface LocatedCheck {
  check: CodeCheck;
  path: FieldPath;
}

interface Located<T> {
  value: T;
  path: FieldPath;
}

/** `contradictory-word-limits` and `contradictory-includes`, across criteria and constraints. */
export function checkContradictions(context: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  const checks = codeChecks(context.brief);
  const mins = checks.flatMap(({ check, path }) => located(check.min_words, [...path, 'min_words']));
  const maxes = checks.flatMap(({ check, path }) => located(check.max_words, [...path, 'max_words']));
  const highestMin = extreme(mins, (a, b) => a > b);
  const lowestMax = extreme(maxes, (a, b) => a < b);
  if (highestMin && lowestMax && highestMin.value > lowestMax.value) {
    const [min, max] = [highestMin.value, lowestMax.value];
    findings.push(
      context.finding(
        'contradictory-word-limits',
        'error',
        later(context, highestMin.path, lowestMax.path),
        `min_words ${min} (${highestMin.path.join('.')}) is more than max_words ${max} (${lowestMax.path.join('.')}): ` +
          'no text can meet both',
        `raise max_words to at least ${min}, or lower min_words to at most ${max} ` +
          `(e.g. min_words: ${Math.floor(max / 2)}, max_words: ${max})`,
      ),
    );
  }

  const includes = checks.flatMap(({ check, path }) =>
    textList(check.must_include).map((value) => ({ value, path: [...path, 'must_include'] })),
  );
  const excludes = checks.flatMap(({ check, path }) =>
    textList(check.must_not_include).map((value) => ({ value, path: [...path, 'must_not_include'] })),
  );
  for (const include of includes) {
    for (const exclude of excludes) {
      // Including "harbour lights" includes "harbour": forbidding the shorter text forbids the longer.
      if (!include.value.toLowerCase().includes(exclude.value.toLowerCase())) continue;
      findings.push(
        context.finding(
          'contradictory-includes',
          'error',
          later(context, include.path, exclude.path),
          `“${include.value}” must be included (${include.path.join('.')}) but “${exclude.value}” must not be ` +
            `(${exclude.path.join('.')}): no text can meet both`,
          `remove “${exclude.value}” from must_not_include, or drop “${include.value}” from must_include`,
        ),
      );
    }
  }
  return findings;
}

/** `contradictory-wording`: opposite words (short/long, formal/casual…) in two judged texts. */
export function wordingContradictions(context: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  // In file order, so each finding sits on the second of the two texts a reader meets. Each text
  // is read once (which opposable words it asks for); pairs then compare small sets, so a brief
  // with many criteria costs pairs × antonyms set lookups, not pairs × re-tokenised texts.
  const texts = judgedTexts(context, 'both')
    .map((text) => ({ ...text, at: context.locate(text.path), hits: antonymHits(wantedWords(text.text)) }))
    .sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  // One finding per text, against the first earlier text it pulls against: enough to act on, and
  // at most one finding per criterion however many pull apart.
  texts.forEach((second, index) => {
    if (second.hits === undefined) return;
    for (const first of texts.slice(0, index)) {
      if (first.hits === undefined) continue;
      const pair = opposedPair(first.hits, second.hits);
      if (!pair) continue;
      const [wordFirst, wordSecond] = pair;
      findings.push(
        context.finding(
          'contradictory-wording',
          'warning',
          second.path,
          `“${wordFirst}” (${first.path.join('.')}) pulls against “${wordSecond}” (${second.path.join('.')}): ` +
            'the judge cannot reward both',
          `decide which matters more and drop the other, or say which part each applies to, ` +
            `e.g. “${wordFirst} opening, ${wordSecond} ending” instead of “${first.text}” and “${second.text}”`,
        ),
      );
      break;
    }
  });
  return findings;
}

/** Per antonym pair, the first word of each side a text asks for; undefined when it asks for none. */
type Hits = ReadonlyArray<readonly [string | undefined, string | undefined]>;

function antonymHits(wanted: ReadonlySet<string>): Hits | undefined {
  if (wanted.size === 0) return undefined;
  return ANTONYMS.map(([sideA, sideB]) => [sideA.find((word) => wanted.has(word)), sideB.find((word) => wanted.has(word))] as const);
}

/** The first antonym pair on which `a` and `b` ask for opposite sides, as [word in a, word in b]. */
function opposedPair(a: Hits, b: Hits): [string, string] | undefined {
  for (let k = 0; k < a.length; k += 1) {
    const [aA, aB] = a[k] ?? [];
    const [bA, bB] = b[k] ?? [];
    if (aA !== undefined && bB !== undefined) return [aA, bB];
    if (aB !== undefined && bA !== undefined) return [aB, bA];
  }
  return undefined;
}

const OPPOSABLE = new Set(ANTONYMS.flatMap(([sideA, sideB]) => [...sideA, ...sideB]));

/** The opposable words a text asks for (see `wants`), tokenised once. */
function wantedWords(text: string): Set<string> {
  const words = tokens(text);
  const wanted = new Set<string>();
  words.forEach((token, index) => {
    if (!OPPOSABLE.has(token) || wanted.has(token)) return;
    const before = words.slice(Math.max(0, index - 3), index);
    if (before.some((previous) => NEGATORS.has(previous))) return;
    if (token === 'brief' && ['the', 'this', 'our', 'your', 'a'].includes(before.at(-1) ?? '')) return;
    wanted.add(token);
  });
  return wanted;
}

function codeChecks(brief: Brief): LocatedCheck[] {
  const checks: LocatedCheck[] = [];
  brief.criteria.forEach((criterion, index) => {
    if (criterion.check) checks.push({ check: criterion.check, path: ['criteria', index, 'check'] });
  });
  brief.constraints.forEach((constraint, index) => {
    if (constraint.kind === 'check') checks.push({ check: constraint.check, path: ['constraints', index] });
  });
  return checks;
}

function located(value: number | undefined, path: FieldPath): Located<number>[] {
  return value === undefined ? [] : [{ value, path }];
}

function extreme(entries: readonly Located<number>[], beats: (a: number, b: number) => boolean): Located<number> | undefined {
  let best: Located<number> | undefined;
  for (const entry of entries) if (best === undefined || beats(entry.value, best.value)) best = entry;
  return best;
}

function compare(context: LintContext, a: FieldPath, b: FieldPath): number {
  const [la, lb] = [context.locate(a), context.locate(b)];
  return la.line - lb.line || la.column - lb.column;
}

/** Of two fields, the one a reader meets second: where a contradiction becomes visible. */
function later(context: LintContext, a: FieldPath, b: FieldPath): FieldPath {
  return compare(context, a, b) <= 0 ? b : a;
}
