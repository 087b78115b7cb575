import type { CodeCheck } from './schema.js';
import { slugify } from './slug.js';

/**
 * Human words for code checks: the text a judge, a board or a ledger shows for a check, and the
 * id a check-only criterion gets when the person gave none.
 */

/**
 * Describes a code check in plain words.
 *
 * @example
 * describeCheck({ max_words: 300 }) // 'at most 300 words'
 * describeCheck({ min_words: 100, max_words: 300, must_include: ['harbour', 'fog'] })
 * // 'between 100 and 300 words; includes “harbour” and “fog”'
 */
export function describeCheck(check: CodeCheck): string {
  const parts: string[] = [];
  const { min_words: min, max_words: max } = check;
  if (min !== undefined && max !== undefined) parts.push(`between ${min} and ${max} words`);
  else if (min !== undefined) parts.push(`at least ${min} ${plural(min, 'word')}`);
  else if (max !== undefined) parts.push(`at most ${max} ${plural(max, 'word')}`);
  if (check.must_include !== undefined) parts.push(`includes ${quotedList(check.must_include, 'and')}`);
  if (check.must_not_include !== undefined) {
    parts.push(`does not include ${quotedList(check.must_not_include, 'or')}`);
  }
  if (check.regex !== undefined) parts.push(`matches /${check.regex}/${check.regex_flags ?? ''}`);
  if (check.json_schema !== undefined) {
    parts.push(
      typeof check.json_schema === 'string'
        ? `is JSON valid against the schema in ${check.json_schema}`
        : 'is JSON valid against the inline schema',
    );
  }
  if (check.module !== undefined) parts.push(`passes the check in ${check.module}`);
  return parts.join('; ');
}

/**
 * A short id for a check, used when a criterion has a check and no id.
 *
 * @example
 * checkId({ max_words: 300 }) // 'max-words-300'
 * checkId({ must_include: 'Harbour Lights' }) // 'must-include-harbour-lights'
 */
export function checkId(check: CodeCheck): string {
  const parts: string[] = [];
  if (check.min_words !== undefined) parts.push(`min-words-${check.min_words}`);
  if (check.max_words !== undefined) parts.push(`max-words-${check.max_words}`);
  if (check.must_include !== undefined) parts.push(`must-include-${firstText(check.must_include)}`);
  if (check.must_not_include !== undefined) parts.push(`must-not-include-${firstText(check.must_not_include)}`);
  if (check.regex !== undefined) parts.push('regex');
  if (check.json_schema !== undefined) parts.push('json-schema');
  if (check.module !== undefined) parts.push(`module-${check.module.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')}`);
  return slugify(parts.join('-'), { fallback: 'check' });
}

/** `must_include` and `must_not_include` take one text or a list; code reads both the same way. */
export function textList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function firstText(value: string | readonly string[]): string {
  return textList(value)[0] ?? '';
}

function quotedList(value: string | readonly string[], conjunction: 'and' | 'or'): string {
  const quoted = textList(value).map((text) => `“${text}”`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted.at(-1) ?? ''}`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
