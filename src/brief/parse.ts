import { open, stat } from 'node:fs/promises';
import { BatonError } from '../errors.js';
import { compileCheckRegex } from '../util/regex.js';
import { checkId, describeCheck } from './describe-check.js';
import { parseFrontMatter, splitFrontMatter } from './front-matter.js';
import { safeResolveLenses } from './lenses.js';
import type { BriefProblem, ProblemContext } from './problems.js';
import { briefErrorMap, fileOf, formatProblem, problemAt, yamlProblems, zodProblems } from './problems.js';
import type { Brief, Budget, CodeCheck, Constraint, Criterion, Lens, ParsedFrontMatter } from './schema.js';
import { BRIEF_LIMITS, BriefFrontMatterSchema } from './schema.js';
import { slugify, uniqueId } from './slug.js';

/**
 * Reading a brief: Markdown with YAML front matter → a validated, normalised `Brief`.
 * Mistakes in a brief are expected, so `safeParseBrief` returns them (all of them, located);
 * `parseBrief` and `readBriefFile` throw one `BatonError('invalid_input')` that lists them.
 */

export { describeCheck } from './describe-check.js';
export { locateField } from './front-matter.js';
export type { BriefProblem } from './problems.js';

export interface ParseBriefOptions {
  /** The brief's path, used in messages (`brief.md:3:5: …`). */
  file?: string;
}

export type SafeParseBriefResult =
  | { ok: true; brief: Brief; frontMatter: ParsedFrontMatter }
  | { ok: false; errors: BriefProblem[] };

/**
 * Parses a brief, returning every problem found instead of throwing.
 *
 * @example
 * const result = safeParseBrief('---\nquestion: What would a child retell?\ncriteria: [short]\n---\n');
 * if (result.ok) result.brief.criteria[0] // { id: 'short', text: 'short', weight: 1, min: 7 }
 * else result.errors.map(formatProblem)
 */
export function safeParseBrief(source: string, options: ParseBriefOptions = {}): SafeParseBriefResult {
  const file = options.file;
  const parts = splitFrontMatter(source);
  if (!parts.ok) {
    return fail({ message: parts.message, location: { ...fileOf(file), line: parts.line, column: parts.column, field: '' } });
  }
  const front = parseFrontMatter(parts);
  const context: ProblemContext = { front, file };
  if (front.doc.errors.length > 0) return { ok: false, errors: yamlProblems(front.doc.errors, context) };

  let data: unknown;
  try {
    data = front.doc.toJS();
  } catch (error) {
    // e.g. the alias limit that guards against "billion laughs" documents.
    const reason = error instanceof Error ? error.message : String(error);
    return fail({
      message: `the YAML could not be read: ${reason}`,
      location: { ...fileOf(file), line: parts.yamlLine, column: 1, field: '' },
    });
  }

  const parsed = BriefFrontMatterSchema.safeParse(data, { error: briefErrorMap });
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error.issues, data, context) };

  const frontMatter = parsed.data;
  const problems = semanticProblems(frontMatter, context);
  const contextChars = parts.body.trim().length;
  if (contextChars > BRIEF_LIMITS.contextChars) {
    // The body starts on the line after the closing `---`.
    const line = source.split('\n').length - parts.body.split('\n').length + 1;
    problems.push({
      message: `the context after the front matter is ${contextChars} characters; it may be at most ${BRIEF_LIMITS.contextChars} (every model call carries it)`,
      location: { ...fileOf(file), line, column: 1, field: 'context' },
    });
  }
  const lenses = resolveBriefLenses(frontMatter, context, problems);
  if (problems.length > 0 || lenses === undefined) return { ok: false, errors: problems };
  return { ok: true, brief: normalise(frontMatter, lenses, parts.body), frontMatter };
}

/**
 * Parses a brief or throws `BatonError('invalid_input')`: the message is the first problem as
 * `file:line:column: field: message`, `details` lists every problem in that form.
 *
 * @example
 * const brief = parseBrief(await readFile('brief.md', 'utf8'), { file: 'brief.md' });
 */
export function parseBrief(source: string, options: ParseBriefOptions = {}): Brief {
  const result = safeParseBrief(source, options);
  if (result.ok) return result.brief;
  throw problemsError(result.errors);
}

/** A brief larger than this is almost certainly the wrong file. */
export const MAX_BRIEF_BYTES = 1024 * 1024;

export interface ReadBrief {
  file: string;
  /** The file's text exactly as read (for linting and for storing brief versions). */
  source: string;
  brief: Brief;
  frontMatter: ParsedFrontMatter;
}

/**
 * Reads and parses a brief file. Refuses, with a message naming the path: a missing file, a
 * directory, a file over 1 MiB (by its size, before reading it) and a file that is not UTF-8 text.
 *
 * @example
 * const { brief, source } = await readBriefFile('examples/lighthouse.md');
 */
export async function readBriefFile(path: string): Promise<ReadBrief> {
  const source = await readBriefSource(path);
  const result = safeParseBrief(source, { file: path });
  if (!result.ok) throw problemsError(result.errors);
  return { file: path, source, brief: result.brief, frontMatter: result.frontMatter };
}

/**
 * Reads a brief file's text with the checks of `readBriefFile`, without parsing it.
 *
 * @example
 * const source = await readBriefSource('brief.md'); // then safeParseBrief + lintBrief
 */
export async function readBriefSource(path: string): Promise<string> {
  const location = { file: path };
  const info = await stat(path).catch((error: unknown) => {
    throw fileError(path, error);
  });
  if (info.isDirectory()) {
    throw new BatonError('invalid_input', `${path} is a directory, not a brief: give the path of a Markdown file`, { location });
  }
  if (!info.isFile()) throw new BatonError('invalid_input', `${path} is not a regular file`, { location });
  if (info.size > MAX_BRIEF_BYTES) throw tooLarge(path, info.size);

  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(path, error);
  });
  let bytes: Buffer;
  try {
    // Room for what `stat` saw plus one byte, to notice a file that grew since; it may grow to one
    // byte past the limit, never more, so a file that grew large is refused without being read.
    let buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_BRIEF_BYTES) throw tooLarge(path, undefined);
        buffer = Buffer.concat([buffer, Buffer.alloc(Math.min(buffer.length, MAX_BRIEF_BYTES + 1 - buffer.length))]);
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    bytes = buffer.subarray(0, length);
  } finally {
    await handle.close();
  }

  if (bytes.includes(0)) {
    throw new BatonError('invalid_input', `${path} is not a text file (it contains NUL bytes): a brief is Markdown`, {
      location,
    });
  }
  try {
    // `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new BatonError('invalid_input', `${path} is not a text file (it is not valid UTF-8): a brief is Markdown`, {
      location,
      cause: error,
    });
  }
}

function fileError(path: string, error: unknown): BatonError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const location = { file: path };
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new BatonError('not_found', `brief not found: ${path} does not exist`, { location, cause: error });
  }
  if (code === 'EISDIR') {
    return new BatonError('invalid_input', `${path} is a directory, not a brief: give the path of a Markdown file`, {
      location,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new BatonError('invalid_input', `cannot read ${path}: permission denied`, { location, cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new BatonError('invalid_input', `cannot read ${path}: ${reason}`, { location, cause: error });
}

/** `size` is undefined when the file grew past the limit while being read. */
function tooLarge(path: string, size: number | undefined): BatonError {
  const actual = size === undefined ? `over ${formatBytes(MAX_BRIEF_BYTES)}` : formatBytes(size);
  return new BatonError(
    'invalid_input',
    `${path} is ${actual}; a brief may be at most ${formatBytes(MAX_BRIEF_BYTES)} — is this the right file?`,
    { location: { file: path } },
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${trimZero((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${trimZero((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

function trimZero(value: string): string {
  return value.replace(/\.0$/, '');
}

function fail(problem: BriefProblem): SafeParseBriefResult {
  return { ok: false, errors: [problem] };
}

function problemsError(problems: readonly BriefProblem[]): BatonError {
  const details = problems.map(formatProblem);
  const [first] = problems;
  return new BatonError('invalid_input', details[0] ?? 'invalid brief', {
    details,
    ...(first && { location: first.location }),
  });
}

/** Mistakes zod cannot see: they need the whole brief, or code that runs the values. */
function semanticProblems(frontMatter: ParsedFrontMatter, context: ProblemContext): BriefProblem[] {
  const problems: BriefProblem[] = [];
  if (frontMatter.question.trim() === '') problems.push(problemAt(context, ['question'], 'the question is empty'));

  const firstUse = new Map<string, number>();
  frontMatter.criteria.forEach((criterion, index) => {
    if (typeof criterion === 'string') {
      if (criterion.trim() === '') problems.push(problemAt(context, ['criteria', index], 'the criterion is empty'));
      return;
    }
    if (criterion.text !== undefined && criterion.text.trim() === '') {
      problems.push(problemAt(context, ['criteria', index, 'text'], 'the criterion is empty'));
    }
    if (criterion.check) problems.push(...checkProblems(criterion.check, ['criteria', index, 'check'], context));
    if (criterion.id === undefined) return;
    const earlier = firstUse.get(criterion.id);
    if (earlier === undefined) firstUse.set(criterion.id, index);
    else {
      problems.push(
        problemAt(context, ['criteria', index, 'id'], `criterion id \`${criterion.id}\` is already used by criteria.${earlier}`),
      );
    }
  });

  frontMatter.constraints.forEach((constraint, index) => {
    if (typeof constraint !== 'string') problems.push(...checkProblems(constraint, ['constraints', index], context));
    else if (constraint.trim() === '') problems.push(problemAt(context, ['constraints', index], 'the constraint is empty'));
  });
  return problems;
}

function checkProblems(check: CodeCheck, path: readonly PropertyKey[], context: ProblemContext): BriefProblem[] {
  if (check.regex === undefined) {
    return check.regex_flags === undefined
      ? []
      : [problemAt(context, [...path, 'regex_flags'], '`regex_flags` has no `regex` to apply to')];
  }
  const compiled = compileCheckRegex(check.regex, check.regex_flags ?? '');
  return compiled.ok ? [] : [problemAt(context, [...path, 'regex'], `not a usable regular expression: ${compiled.reason}`)];
}

/** Resolves `lenses`, adding its problems; undefined when it has any. */
function resolveBriefLenses(
  frontMatter: ParsedFrontMatter,
  context: ProblemContext,
  problems: BriefProblem[],
): 'auto' | Lens[] | undefined {
  if (frontMatter.lenses === 'auto') return 'auto';
  const result = safeResolveLenses(frontMatter.lenses);
  if (result.ok) return result.lenses;
  for (const problem of result.problems) {
    problems.push(problemAt(context, ['lenses', problem.index], problem.message));
  }
  return undefined;
}

/** The normalised brief: every criterion with an id, weight and threshold; constraints in words. */
function normalise(frontMatter: ParsedFrontMatter, lenses: 'auto' | Lens[], body: string): Brief {
  // Ids the person wrote win; derived ids work around them.
  const taken = new Set<string>();
  for (const criterion of frontMatter.criteria) {
    if (typeof criterion !== 'string' && criterion.id !== undefined) taken.add(criterion.id);
  }
  const criteria = frontMatter.criteria.map((criterion): Criterion => {
    if (typeof criterion === 'string') {
      const text = criterion.trim();
      return { id: uniqueId(slugify(text, { fallback: 'criterion' }), taken), text, weight: 1, min: 7 };
    }
    const text = criterion.text?.trim();
    const base = text !== undefined ? slugify(text, { fallback: 'criterion' }) : checkId(criterion.check ?? {});
    return {
      id: criterion.id ?? uniqueId(base, taken),
      ...(text !== undefined && { text }),
      ...(criterion.check !== undefined && { check: criterion.check }),
      weight: criterion.weight,
      min: criterion.min,
    };
  });

  const constraints = frontMatter.constraints.map(
    (constraint): Constraint =>
      typeof constraint === 'string'
        ? { kind: 'judged', text: constraint.trim() }
        : { kind: 'check', check: constraint, text: describeCheck(constraint) },
  );

  const budget: Budget = {};
  if (frontMatter.budget.calls !== undefined) budget.calls = frontMatter.budget.calls;
  if (frontMatter.budget.tokens !== undefined) budget.tokens = frontMatter.budget.tokens;
  if (frontMatter.budget.usd !== undefined) budget.usd = frontMatter.budget.usd;

  return {
    ...(frontMatter.intent !== undefined && { intent: frontMatter.intent }),
    question: frontMatter.question,
    constraints,
    criteria,
    lenses,
    budget,
    attention: frontMatter.attention,
    model: frontMatter.model,
    judge: (Array.isArray(frontMatter.judge) ? [...new Set(frontMatter.judge)] : [frontMatter.judge ?? frontMatter.model]).join(', '),
    ...(frontMatter.jury_spread !== undefined && { jurySpread: frontMatter.jury_spread }),
    ...(frontMatter.pilot !== undefined && { pilot: frontMatter.pilot }),
    ...(frontMatter.pairwise && { pairwise: true }),
    context: body.trim(),
  };
}
