import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Brief, CodeCheck } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import { compileCheckRegex } from '../util/regex.js';
import { readNamedFile, resolveNamedFile } from './check-files.js';
import { loadCheckModule, runCheckModule } from './check-module.js';

/**
 * Code checks of a brief: word limits, required and forbidden text, a regular expression, a JSON
 * schema, a user's JS module. They run without any model. A check object may combine several
 * kinds; all must pass. A problem with the check itself (an invalid regex, a missing schema or
 * module) is the brief's fault and throws `BatonError('invalid_input')`; a candidate that fails is
 * an ordinary result. `verifyBriefChecks` finds every such problem before a run, so a run never
 * meets one after it has written or paid for anything.
 *
 * Regexes run in linear time (RE2), also inside JSON schemas (`pattern`); modules run in a worker
 * thread with a time limit (check-module.ts); files resolve inside the brief's folder
 * (check-files.ts).
 */

export interface CheckContext {
  /** Directory that relative `json_schema` and `module` paths are resolved against (default: cwd). */
  briefDir?: string;
  /** The folder named files must be inside (default: `briefDir`). */
  root?: string;
  /** Whether `module:` checks may run (default true); false for briefs sent to a server. */
  allowModules?: boolean;
}

export interface CheckResult {
  pass: boolean;
  reason: string;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Words as a person counts them: whitespace-separated tokens that contain a letter or digit. */
export function countWords(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) {
    if (token !== '' && WORD_CHAR.test(token)) count++;
  }
  return count;
}

/**
 * Runs one code check against a candidate's text.
 *
 * @example
 * await runCheck({ max_words: 300, must_include: 'harbour' }, text, { briefDir: '/briefs' });
 * // → { pass: false, reason: '342 words, more than the maximum of 300' }
 */
export async function runCheck(check: CodeCheck, text: string, ctx: CheckContext = {}): Promise<CheckResult> {
  const results: CheckResult[] = [];
  if (check.min_words !== undefined || check.max_words !== undefined) results.push(checkWords(check, text));
  if (check.must_include !== undefined) results.push(checkInclude(list(check.must_include), text));
  if (check.must_not_include !== undefined) results.push(checkExclude(list(check.must_not_include), text));
  if (check.regex !== undefined) results.push(checkRegex(check.regex, check.regex_flags ?? '', text));
  if (check.json_schema !== undefined) results.push(await checkJsonSchema(check.json_schema, text, ctx));
  if (check.module !== undefined) results.push(await checkModule(check.module, text, ctx));

  const failures = results.filter((result) => !result.pass);
  if (failures.length > 0) return { pass: false, reason: failures.map((f) => f.reason).join('; ') };
  return { pass: true, reason: results.map((r) => r.reason).join('; ') };
}

function list(value: string | string[]): string[] {
  return typeof value === 'string' ? [value] : value;
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function checkWords(check: CodeCheck, text: string): CheckResult {
  const words = countWords(text);
  const counted = `${words} word${words === 1 ? '' : 's'}`;
  if (check.min_words !== undefined && words < check.min_words) {
    return { pass: false, reason: `${counted}, fewer than the minimum of ${check.min_words}` };
  }
  if (check.max_words !== undefined && words > check.max_words) {
    return { pass: false, reason: `${counted}, more than the maximum of ${check.max_words}` };
  }
  const range =
    check.min_words !== undefined && check.max_words !== undefined
      ? `between ${check.min_words} and ${check.max_words}`
      : check.min_words !== undefined
        ? `at least ${check.min_words}`
        : `at most ${check.max_words}`;
  return { pass: true, reason: `${counted}, ${range}` };
}

function checkInclude(required: readonly string[], text: string): CheckResult {
  const haystack = text.toLowerCase();
  const missing = required.filter((needle) => !haystack.includes(needle.toLowerCase()));
  if (missing.length > 0) return { pass: false, reason: `missing ${quoteAll(missing)}` };
  return { pass: true, reason: `includes ${quoteAll(required)}` };
}

function checkExclude(forbidden: readonly string[], text: string): CheckResult {
  const haystack = text.toLowerCase();
  const present = forbidden.filter((needle) => haystack.includes(needle.toLowerCase()));
  if (present.length > 0) return { pass: false, reason: `contains ${quoteAll(present)}, which must not appear` };
  return { pass: true, reason: `does not contain ${quoteAll(forbidden)}` };
}

function checkRegex(pattern: string, flags: string, text: string): CheckResult {
  const compiled = compileCheckRegex(pattern, flags);
  if (!compiled.ok) throw new BatonError('invalid_input', `invalid regex /${pattern}/${flags}: ${compiled.reason}`);
  const shown = `/${pattern}/${flags}`;
  return compiled.regex.test(text) ? { pass: true, reason: `matches ${shown}` } : { pass: false, reason: `does not match ${shown}` };
}

/** ajv's `pattern` and `patternProperties` through RE2 too: a schema cannot hang a check either. */
const re2Engine = Object.assign(
  (pattern: string, flags: string) => {
    const compiled = compileCheckRegex(pattern, flags.replace('u', ''));
    if (!compiled.ok) throw new Error(`pattern ${JSON.stringify(pattern.slice(0, 100))}: ${compiled.reason}`);
    const { regex } = compiled;
    // ajv keys its compiled patterns by `toString()`: each must say which pattern it is.
    return { test: (text: string) => regex.test(text), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'baton-re2' },
);

const inlineValidators = new Map<string, ValidateFunction>();
const fileValidators = new Map<string, Promise<ValidateFunction>>();
const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';

function compileSchema(schema: Record<string, unknown>, where: string): ValidateFunction {
  // Ajv 2020 only knows its own meta-schema; a schema that names an older draft is read as 2020-12,
  // which agrees with the older drafts on everything but a few rarely used keywords.
  const { $schema, ...rest } = schema;
  const usable = $schema === undefined || $schema === DRAFT_2020 || $schema === `${DRAFT_2020}#` ? schema : rest;
  // One instance per schema: two schemas that share an `$id` (an edited brief, two files copied
  // from one template) would otherwise collide in ajv's registry. Compiled validators are cached.
  // `strict: false` accepts the unknown keywords user schemas often carry (`example`, `x-…`);
  // `allErrors` lets the reason list several problems at once.
  const ajv = new Ajv2020({ allErrors: true, strict: false, code: { regExp: re2Engine } });
  try {
    return ajv.compile(usable);
  } catch (error) {
    throw new BatonError('invalid_input', `invalid JSON schema ${where}: ${messageOf(error).slice(0, 300)}`, { cause: error });
  }
}

async function loadSchemaFile(path: string, ctx: CheckContext): Promise<ValidateFunction> {
  const baseDir = ctx.briefDir ?? process.cwd();
  const named = await resolveNamedFile(path, { baseDir, ...(ctx.root !== undefined ? { root: ctx.root } : {}) });
  if (!named.ok) throw new BatonError('invalid_input', `JSON schema file: ${named.reason}`);
  const absolute = named.absolute;
  let cached = fileValidators.get(absolute);
  if (!cached) {
    cached = (async () => {
      const read = await readNamedFile(absolute);
      if (!read.ok) throw new BatonError('invalid_input', `JSON schema file: ${read.reason}`);
      let schema: unknown;
      try {
        // The file's own validity is checked by ajv's meta-schema when it is compiled.
        schema = JSON.parse(read.text);
      } catch {
        // JSON.parse's message quotes the text; a file that is not JSON may be anything (a key).
        throw new BatonError('invalid_input', `JSON schema file ${absolute} is not valid JSON`);
      }
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        throw new BatonError('invalid_input', `JSON schema file ${absolute} must hold a JSON object`);
      }
      return compileSchema(schema as Record<string, unknown>, `in ${absolute}`);
    })();
    fileValidators.set(absolute, cached);
    // A file that could not be loaded may be fixed: do not remember the failure.
    cached.catch(() => fileValidators.delete(absolute));
  }
  return cached;
}

function inlineValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = inlineValidators.get(key);
  if (!validate) {
    validate = compileSchema(schema, '(inline)');
    inlineValidators.set(key, validate);
  }
  return validate;
}

const FENCED_JSON = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

/** The text as JSON: the whole text, or else the first ```json fenced block in it. */
function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const attempts = [text.trim()];
  const fenced = FENCED_JSON.exec(text);
  if (fenced?.[1] !== undefined) attempts.push(fenced[1].trim());
  let error = 'empty text';
  for (const attempt of attempts) {
    if (attempt === '') continue;
    try {
      // Validated against the brief's schema right after parsing.
      return { ok: true, value: JSON.parse(attempt) as unknown };
    } catch (caught) {
      error = messageOf(caught);
    }
  }
  return { ok: false, error };
}

const MAX_LISTED_ERRORS = 3;

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'does not match the JSON schema';
  const listed = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map((error) => `${error.instancePath === '' ? '/' : error.instancePath} ${error.message ?? 'is invalid'}`);
  const more = errors.length > MAX_LISTED_ERRORS ? ` (and ${errors.length - MAX_LISTED_ERRORS} more)` : '';
  return `does not match the JSON schema: ${listed.join('; ')}${more}`;
}

async function checkJsonSchema(
  schema: Record<string, unknown> | string,
  text: string,
  ctx: CheckContext,
): Promise<CheckResult> {
  const validate = typeof schema === 'string' ? await loadSchemaFile(schema, ctx) : inlineValidator(schema);
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { pass: false, reason: `not valid JSON: ${parsed.error}` };
  if (validate(parsed.value)) return { pass: true, reason: 'valid against the JSON schema' };
  return { pass: false, reason: describeErrors(validate.errors) };
}

async function resolveModule(path: string, ctx: CheckContext): Promise<string> {
  if (ctx.allowModules === false) {
    throw new BatonError('invalid_input', `check module ${path}: this brief may not run modules (a brief sent to \`baton serve\` runs none unless it was started with --allow-modules)`);
  }
  const named = await resolveNamedFile(path, { baseDir: ctx.briefDir ?? process.cwd(), ...(ctx.root !== undefined ? { root: ctx.root } : {}) });
  if (!named.ok) throw new BatonError('invalid_input', `check module: ${named.reason}`);
  return named.absolute;
}

async function checkModule(path: string, text: string, ctx: CheckContext): Promise<CheckResult> {
  const absolute = await resolveModule(path, ctx);
  const verdict = await runCheckModule(absolute, text);
  if ('load' in verdict) throw new BatonError('invalid_input', `check module ${path}: ${verdict.reason}`);
  if (!verdict.ok) return { pass: false, reason: `check module ${path} failed: ${verdict.reason}` };
  if (verdict.reason === undefined || verdict.reason === '') {
    return { pass: verdict.pass, reason: `check module ${path} ${verdict.pass ? 'passed' : 'returned false'}` };
  }
  return { pass: verdict.pass, reason: `check module ${path}: ${verdict.reason}` };
}

/** A problem with a check of a brief, at its field path (`criteria.2.check.json_schema`). */
export interface CheckProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Everything a run would refuse about a brief's code checks, found before anything is written or
 * paid: regexes RE2 cannot run, JSON schemas that cannot be read or compiled, modules that are not
 * allowed, cannot be found or cannot be loaded (loading runs the module's top level, in its worker).
 *
 * @example
 * const problems = await verifyBriefChecks(brief, { briefDir: '/briefs' });
 * // [{ path: ['criteria', 1, 'check', 'json_schema'], message: 'JSON schema file: /briefs/s.json does not exist' }]
 */
export async function verifyBriefChecks(brief: Brief, ctx: CheckContext = {}): Promise<CheckProblem[]> {
  const located: Array<{ check: CodeCheck; path: Array<string | number> }> = [];
  brief.criteria.forEach((criterion, index) => {
    if (criterion.check) located.push({ check: criterion.check, path: ['criteria', index, 'check'] });
  });
  brief.constraints.forEach((constraint, index) => {
    if (constraint.kind === 'check') located.push({ check: constraint.check, path: ['constraints', index] });
  });
  const problems: CheckProblem[] = [];
  for (const { check, path } of located) {
    const at = (field: string, message: string): void => void problems.push({ path: [...path, field], message });
    if (check.regex !== undefined) {
      const compiled = compileCheckRegex(check.regex, check.regex_flags ?? '');
      if (!compiled.ok) at('regex', `not a usable regular expression: ${compiled.reason}`);
    }
    if (check.json_schema !== undefined) {
      try {
        if (typeof check.json_schema === 'string') await loadSchemaFile(check.json_schema, ctx);
        else inlineValidator(check.json_schema);
      } catch (error) {
        at('json_schema', messageOf(error));
      }
    }
    if (check.module !== undefined) {
      try {
        const absolute = await resolveModule(check.module, ctx);
        const loaded = await loadCheckModule(absolute);
        if (!loaded.ok) at('module', `check module ${check.module}: ${loaded.reason}`);
      } catch (error) {
        at('module', messageOf(error));
      }
    }
  }
  return problems;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
