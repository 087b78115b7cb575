import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BRIEF_SCHEMA_ID, briefJsonSchema, briefJsonSchemaText } from './json-schema.js';

describe('the published JSON Schema', () => {
  it('is draft 2020-12 with an id, a title and a description', () => {
    const schema = briefJsonSchema();
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: BRIEF_SCHEMA_ID,
      title: 'Baton brief',
      type: 'object',
      required: ['question', 'criteria'],
      additionalProperties: false,
    });
    expect(typeof schema.description).toBe('string');
  });

  it('describes what a person may write: fields with defaults are optional', () => {
    const properties = briefJsonSchema().properties as Record<string, { default?: unknown }>;
    expect(properties.lenses?.default).toBe('auto');
    expect(properties.attention?.default).toBe(5);
    expect(JSON.stringify(briefJsonSchema())).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('matches the shipped schema/brief.schema.json exactly (run `npm run build && npm run schema` if not)', async () => {
    const shipped = await readFile(new URL('../../schema/brief.schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(briefJsonSchemaText());
  });
});
