import { describe, expect, it } from 'vitest';
import { lintBrief } from './lint.js';
import { safeParseBrief } from './parse.js';
import { knownKeysAt } from './problems.js';
import { briefTemplate } from './template.js';

describe('the brief template', () => {
  it('parses', () => {
    const result = safeParseBrief(briefTemplate(), { file: 'brief.md' });
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('lints clean: no findings at all', () => {
    const source = briefTemplate();
    const result = safeParseBrief(source);
    if (!result.ok) throw new Error('the template does not parse');
    expect(lintBrief(source, result.brief, { file: 'brief.md' })).toEqual([]);
  });

  it('explains every field of the front matter in a comment', () => {
    const comments = briefTemplate()
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join('\n');
    for (const field of knownKeysAt([])) expect(comments, field).toContain(`${field}:`);
    for (const field of ['min_words', 'max_words', 'must_include', 'must_not_include', 'regex', 'json_schema', 'module']) {
      expect(comments, field).toContain(field);
    }
    for (const field of ['id', 'weight', 'min']) expect(comments, field).toContain(`${field}:`);
  });
});
