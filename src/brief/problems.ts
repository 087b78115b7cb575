import { closest, distance } from 'fastest-levenshtein';
import type { YAMLError } from 'yaml';
import { z } from 'zod';
import type { SourceLocation } from '../errors.js';
import { formatLocation } from '../errors.js';
import type { FrontMatterDocument } from './front-matter.js';
import { BriefFrontMatterSchema } from './schema.js';

/**
 * Turns what YAML and zod say about a brief into messages a person can act on: located at the
 * field (line and column of the file), in Baton's words, never a raw library error.
 */

/** One thing wrong with a brief, located in its file. */
export interface BriefProblem {
  message: string;
  location: SourceLocation & { line: number; column: number; field: string };
}

/**
 * `file:line:column: field: message`, the form editors and terminals make clickable.
 *
 * @example
 * formatProblem({ message: 'expected a number, found the text "high"',
 *   location: { file: 'brief.md', line: 7, column: 13, field: 'criteria.0.weight' } })
 * // 'brief.md:7:13: criteria.0.weight: expected a number, found the text "high"'
 */
export function formatProblem(problem: BriefProblem): string {
  const where = formatLocation(problem.location);
  const field = problem.location.field ? `${problem.location.field}: ` : '';
  return `${where}: ${field}${problem.message}`;
}

/** Builds problems located through one parsed front matter document. */
export interface ProblemContext {
  front: FrontMatterDocument;
  file: string | undefined;
}

export function problemAt(
  context: ProblemContext,
  path: readonly PropertyKey[],
  message: string,
  at: 'key' | 'value' = 'value',
): BriefProblem {
  const { line, column } = context.front.locate(path, { at });
  return { message, location: { ...fileOf(context.file), line, column, field: path.map(String).join('.') } };
}

export function fileOf(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file };
}

/** YAML syntax errors, located by the parser's own offsets. */
/** The most problems of one kind a brief is told about (each costs a walk of the document to locate). */
const MAX_PROBLEMS = 50;

export function yamlProblems(errors: readonly YAMLError[], context: ProblemContext): BriefProblem[] {
  return errors.slice(0, MAX_PROBLEMS).map((error) => {
    const { line, column } = context.front.position(error.pos[0]);
    // The parser's messages are accurate but terse; the commonest cause deserves a hint.
    const hint =
      error.code === 'BLOCK_AS_IMPLICIT_KEY' || /nested mappings/i.test(error.message)
        ? ' (if a value contains `: `, put the whole value in quotes)'
        : error.code === 'TAB_AS_INDENT'
          ? ' (indent with spaces)'
          : '';
    return {
      message: `invalid YAML: ${error.message.replace(/\s+/g, ' ').trim()}${hint}`,
      location: { ...fileOf(context.file), line, column, field: '' },
    };
  });
}

/**
 * Messages for zod's built-in checks, passed to `safeParse` so that messages written in the
 * schema itself (e.g. "the question is empty") still take precedence.
 */
export const briefErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${expectedPhrase(issue.expected)}, found ${describeValue(issue.input)}`;
    case 'too_small':
      return tooSmall(issue.origin, issue.minimum, issue.inclusive ?? true, issue.input);
    case 'too_big':
      return tooBig(issue.origin, issue.maximum, issue.inclusive ?? true, issue.input);
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, found ${describeValue(issue.input)}`;
    case 'invalid_format':
      return `${describeValue(issue.input)} is not in the expected format${issue.pattern ? ` (${issue.pattern})` : ''}`;
    default:
      return undefined;
  }
};

/** Friendly expectations for the unions of the schema, by field (`#` stands for a list index). */
const UNION_EXPECTATIONS: Record<string, string> = {
  'criteria.#': 'a sentence (judged by a model) or a mapping with `text:` or `check:`',
  'constraints.#': 'a sentence (judged by a model) or a check such as `max_words: 300`',
  lenses: '`auto` or a list of lenses',
  'lenses.#': 'a lens id, a sentence describing your own lens, or a mapping with `id:` and `text:`',
  'criteria.#.check.must_include': 'a text or a list of texts',
  'criteria.#.check.must_not_include': 'a text or a list of texts',
  'constraints.#.must_include': 'a text or a list of texts',
  'constraints.#.must_not_include': 'a text or a list of texts',
};

const REQUIRED_HINTS: Record<string, string> = {
  question: 'is required: ask what this should become, as a question',
  criteria: 'is required: list what success means, e.g. `criteria: ["a reader can retell it in one sentence"]`',
};

/** Every zod issue as located problems, with unknown keys answered by a did-you-mean. */
export function zodProblems(issues: readonly z.core.$ZodIssue[], data: unknown, context: ProblemContext): BriefProblem[] {
  const flat = flattenUnions(issues, [], data);
  const problems: BriefProblem[] = [];
  // A misspelt key also makes the real key "required"; saying both is noise.
  const suppressed = new Set<string>();
  for (const issue of flat) {
    if (issue.code !== 'unrecognized_keys') continue;
    // Each problem is located by a walk of the document: a brief with 60,000 unknown keys must
    // not cost 60,000 walks. The first few are named, the rest counted.
    for (const key of issue.keys.slice(0, MAX_PROBLEMS)) {
      const known = knownKeysAt(issue.path);
      const suggestion = didYouMean(key, known);
      if (suggestion !== undefined) {
        suppressed.add([...issue.path, suggestion].join('.'));
        suppressed.add(`${issue.path.join('.')}#custom`);
      }
      const message =
        suggestion !== undefined
          ? `unknown key \`${key}\` — did you mean \`${suggestion}\`?`
          : `unknown key \`${key}\`; known keys here are ${known.map((name) => `\`${name}\``).join(', ')}`;
      problems.push(problemAt(context, [...issue.path, key], message, 'key'));
    }
    const more = issue.keys.length - MAX_PROBLEMS;
    if (more > 0) problems.push(problemAt(context, issue.path, `and ${more} more unknown keys here`));
  }
  for (const issue of flat) {
    if (issue.code === 'unrecognized_keys') continue;
    const field = issue.path.join('.');
    if (suppressed.has(field) || (issue.code === 'custom' && suppressed.has(`${field}#custom`))) continue;
    problems.push(problemAt(context, issue.path, messageFor(issue, data)));
  }
  return problems.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

type FlatIssue = z.core.$ZodIssue & { path: PropertyKey[] };

/**
 * A union reports one list of issues per alternative. The alternative whose shape matches the
 * input (an object given for the object form) holds the real mistake; only when none matches is
 * the mistake the shape itself.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[], data: unknown): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push({ ...issue, path } as FlatIssue);
      continue;
    }
    const matching = issue.errors.find((branch) => !isShapeMismatch(branch));
    if (matching) {
      out.push(...flattenUnions(matching, path, data));
      continue;
    }
    const found = valueAt(data, path);
    const expectation =
      UNION_EXPECTATIONS[path.map((segment) => (typeof segment === 'number' ? '#' : String(segment))).join('.')] ??
      issue.errors.map((branch) => branchExpectation(branch)).join(' or ');
    out.push({
      code: 'custom',
      path,
      input: undefined,
      message: `expected ${expectation}, found ${describeValue(found)}${unionHint(path, found)}`,
    } as FlatIssue);
  }
  return out;
}

function unionHint(path: readonly PropertyKey[], found: unknown): string {
  if (path.join('.') === 'lenses' && typeof found === 'string') {
    return ' — write `lenses: auto`, or a list such as `lenses: [invert, minimal]`';
  }
  return '';
}

function isShapeMismatch(branch: readonly z.core.$ZodIssue[]): boolean {
  const [only] = branch;
  return (
    branch.length === 1 &&
    only !== undefined &&
    only.path.length === 0 &&
    (only.code === 'invalid_type' || only.code === 'invalid_value')
  );
}

function branchExpectation(branch: readonly z.core.$ZodIssue[]): string {
  const [only] = branch;
  if (only?.code === 'invalid_type') return expectedPhrase(only.expected);
  if (only?.code === 'invalid_value') return only.values.map((value) => JSON.stringify(value)).join(' or ');
  return 'another form';
}

function messageFor(issue: FlatIssue, data: unknown): string {
  const field = issue.path.join('.');
  if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(data, issue.path) === undefined) {
    return REQUIRED_HINTS[field] ?? 'is required';
  }
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    const value = valueAt(data, []);
    return value === null || value === undefined
      ? 'the front matter is empty: it needs at least `question:` and `criteria:`'
      : `the front matter must be YAML fields such as \`question: …\`, found ${describeValue(value)}`;
  }
  return issue.message;
}

/** The keys the schema accepts for the object at `path` (all object forms of a union). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schemas: z.ZodType[] = [BriefFrontMatterSchema];
  for (const segment of path) {
    schemas = schemas.flatMap((schema) => childSchemas(unwrap(schema), segment));
  }
  const keys = new Set<string>();
  const objects = schemas
    .map(unwrap)
    .flatMap((schema) => (schema instanceof z.ZodUnion ? (schema.options as z.ZodType[]).map(unwrap) : [schema]));
  for (const schema of objects) {
    if (schema instanceof z.ZodObject) for (const key of Object.keys(schema.shape)) keys.add(key);
  }
  return [...keys];
}

function childSchemas(schema: z.ZodType, segment: PropertyKey): z.ZodType[] {
  if (schema instanceof z.ZodUnion) {
    return (schema.options as z.ZodType[]).flatMap((option) => childSchemas(unwrap(option), segment));
  }
  if (schema instanceof z.ZodObject && typeof segment === 'string') {
    const child = (schema.shape as Record<string, z.ZodType | undefined>)[segment];
    return child ? [child] : [];
  }
  if (schema instanceof z.ZodArray && typeof segment === 'number') return [schema.element as z.ZodType];
  return [];
}

/** Optional, default and union-of-one wrappers hide the schema that has the keys. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The known key a misspelt one most likely meant, if any is close enough to be a typo. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const guess = closest(word.toLowerCase(), [...known]);
  return distance(word.toLowerCase(), guess) <= Math.max(2, Math.floor(guess.length / 3)) ? guess : undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function expectedPhrase(expected: string): string {
  const phrases: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping (`key: value` lines)',
    record: 'a mapping (`key: value` lines)',
  };
  return phrases[expected] ?? expected;
}

/** What the person wrote, in words: `the text "high"`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `\`${value}\``;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function tooSmall(origin: string, minimum: number | bigint, inclusive: boolean, input: unknown): string | undefined {
  const min = Number(minimum);
  if (origin === 'string') return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
  if (origin === 'array') return min <= 1 ? 'needs at least one item' : `needs at least ${min} items`;
  if (origin === 'number') {
    const bound = inclusive ? `at least ${min}` : `more than ${min}`;
    return `must be ${bound}, found ${describeValue(input)}`;
  }
  return undefined;
}

function tooBig(origin: string, maximum: number | bigint, inclusive: boolean, input: unknown): string | undefined {
  const max = Number(maximum);
  if (origin === 'string') return `must be at most ${max} characters`;
  if (origin === 'array') return `must have at most ${max} items`;
  if (origin === 'number') {
    const bound = inclusive ? `at most ${max}` : `less than ${max}`;
    return `must be ${bound}, found ${describeValue(input)}`;
  }
  return undefined;
}
