import { z } from 'zod';
import { BriefFrontMatterSchema } from './schema.js';

/**
 * The published JSON Schema of a brief's front matter (`schema/brief.schema.json`), generated from
 * the zod schema so the two cannot drift. Editors use it for completion and inline errors.
 */

export const BRIEF_SCHEMA_ID = 'https://baton.dev/brief.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a brief's YAML front matter.
 *
 * @example
 * briefJsonSchema().$id // 'https://baton.dev/brief.schema.json'
 */
export function briefJsonSchema(): Record<string, unknown> {
  // `input`: what a person may write, so fields with defaults are optional.
  const generated = z.toJSONSchema(BriefFrontMatterSchema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = withoutNoise(generated) as Record<string, unknown>;
  return {
    $schema,
    $id: BRIEF_SCHEMA_ID,
    title: 'Baton brief',
    description:
      'The YAML front matter of a Baton brief: why the work matters (intent), what it should become ' +
      '(question), hard limits (constraints), what success means (criteria), lenses, budget and attention. ' +
      'The Markdown after the front matter is the context.',
    ...rest,
  };
}

/**
 * The schema file's exact text: what `scripts/write-brief-schema.js` writes and what a test
 * compares the shipped file against.
 *
 * @example
 * await writeFile('schema/brief.schema.json', briefJsonSchemaText());
 */
export function briefJsonSchemaText(): string {
  return `${JSON.stringify(briefJsonSchema(), null, 2)}\n`;
}

/** zod bounds every integer by MAX_SAFE_INTEGER; in a schema for people that is only clutter. */
function withoutNoise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNoise);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([key, inner]) =>
      !(key === 'maximum' && inner === Number.MAX_SAFE_INTEGER) && !(key === 'minimum' && inner === Number.MIN_SAFE_INTEGER),
  );
  return Object.fromEntries(entries.map(([key, inner]) => [key, withoutNoise(inner)]));
}
