import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { CodeCheck } from '../brief/schema.js';
import { BatonError } from '../errors.js';

/**
 * Code checks of a brief: word limits, required and forbidden text, a regular expression, a JSON
 * schema, a user's JS module. They run without any model. A check object may combine several
 * kinds; all must pass. A problem with the check itself (an invalid regex, a missing schema or
 * module) is the brief's fault and throws `BatonError('invalid_input')`; a candidate that fails is
 * an ordinary result.
 */

export interface CheckContext {
  /** Directory that relative `json_schema` and `module` paths are resolved against (default: cwd). */
  briefDir?: string;
}

export interface CheckResult {
  pass: boolean;
  reason: string;
}

type CheckFunction = (text: string) => unknown;

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

const regexes = new Map<string, RegExp>();

function compileRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let regex = regexes.get(key);
  if (!regex) {
    try {
      regex = new RegExp(pattern, flags);
    } catch (error) {
      throw new BatonError('invalid_input', `invalid regex /${pattern}/${flags}: ${messageOf(error)}`, { cause: error });
    }
    regexes.set(key, regex);
  }
  return regex;
}

function checkRegex(pattern: string, flags: string, text: string): CheckResult {
  const regex = compileRegex(pattern, flags);
  // A shared regex with the g or y flag remembers where it stopped; every check starts afresh.
  regex.lastIndex = 0;
  const matched = regex.test(text);
  regex.lastIndex = 0;
  const shown = `/${pattern}/${flags}`;
  return matched ? { pass: true, reason: `matches ${shown}` } : { pass: false, reason: `does not match ${shown}` };
}

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
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  try {
    return ajv.compile(usable);
  } catch (error) {
    throw new BatonError('invalid_input', `invalid JSON schema ${where}: ${messageOf(error)}`, { cause: error });
  }
}

async function loadSchemaFile(path: string, ctx: CheckContext): Promise<ValidateFunction> {
  const absolute = resolve(ctx.briefDir ?? process.cwd(), path);
  let cached = fileValidators.get(absolute);
  if (!cached) {
    cached = (async () => {
      let source: string;
      try {
        source = await readFile(absolute, 'utf8');
      } catch (error) {
        throw new BatonError('invalid_input', `JSON schema file not found: ${absolute}`, { cause: error });
      }
      let schema: unknown;
      try {
        // The file's own validity is checked by ajv's meta-schema when it is compiled.
        schema = JSON.parse(source);
      } catch (error) {
        throw new BatonError('invalid_input', `JSON schema file ${absolute} is not valid JSON: ${messageOf(error)}`, {
          cause: error,
        });
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

const modules = new Map<string, Promise<CheckFunction>>();

async function loadModule(path: string, ctx: CheckContext): Promise<CheckFunction> {
  const absolute = resolve(ctx.briefDir ?? process.cwd(), path);
  let cached = modules.get(absolute);
  if (!cached) {
    cached = (async () => {
      try {
        await stat(absolute);
      } catch (error) {
        throw new BatonError('invalid_input', `check module not found: ${absolute}`, { cause: error });
      }
      let imported: Record<string, unknown>;
      try {
        imported = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
      } catch (error) {
        throw new BatonError('invalid_input', `check module ${absolute} could not be loaded: ${messageOf(error)}`, {
          cause: error,
        });
      }
      const check = imported['check'] ?? imported['default'];
      if (typeof check !== 'function') {
        throw new BatonError('invalid_input', `check module ${absolute} must export a function \`check(text)\` (or a default)`);
      }
      return check as CheckFunction;
    })();
    modules.set(absolute, cached);
    cached.catch(() => modules.delete(absolute));
  }
  return cached;
}

async function checkModule(path: string, text: string, ctx: CheckContext): Promise<CheckResult> {
  const check = await loadModule(path, ctx);
  const failed = (why: string): CheckResult => ({ pass: false, reason: `check module ${path} failed: ${why}` });
  let outcome: unknown;
  try {
    outcome = await check(text);
  } catch (error) {
    return failed(messageOf(error));
  }
  if (typeof outcome === 'boolean') {
    return { pass: outcome, reason: `check module ${path} ${outcome ? 'passed' : 'returned false'}` };
  }
  if (typeof outcome === 'object' && outcome !== null && typeof (outcome as { pass?: unknown }).pass === 'boolean') {
    const { pass, reason } = outcome as { pass: boolean; reason?: unknown };
    const said = typeof reason === 'string' && reason !== '' ? reason : pass ? 'passed' : 'did not pass';
    return { pass, reason: `check module ${path}: ${said}` };
  }
  return failed(`expected a boolean or {pass, reason}, got ${describeValue(outcome)}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a boolean `pass`' : typeof value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
