import { describe, expect, it } from 'vitest';
import { checkId, describeCheck } from './describe-check.js';
import { locateField, splitFrontMatter } from './front-matter.js';
import { lensById } from './lenses.js';
import { parseBrief, safeParseBrief } from './parse.js';
import { slugify, uniqueId } from './slug.js';

const FULL = `---
intent: Help children who rarely read finish a story on their own.
question: What story about a lighthouse keeper would a nine-year-old still retell a week later?
constraints:
  - max_words: 600
  - { must_not_include: [moral, lesson] }
  - No character dies.
criteria:
  - Ends on an image, not a moral.
  - id: voice
    text: Every line of dialogue sounds like something a child would say aloud.
    weight: 3
    min: 8
  - check: { min_words: 300 }
    weight: 2
lenses: [emotional-arc, Tell it as the lighthouse would]
budget: { calls: 60, tokens: 200000, usd: 1.5 }
attention: 3
model: openai:gpt-4o-mini
---

# Context

The keeper's name is Ada.
`;

describe('parsing a brief', () => {
  it('normalises every field', () => {
    const result = safeParseBrief(FULL, { file: 'brief.md' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.brief).toEqual({
      intent: 'Help children who rarely read finish a story on their own.',
      question: 'What story about a lighthouse keeper would a nine-year-old still retell a week later?',
      constraints: [
        { kind: 'check', check: { max_words: 600 }, text: 'at most 600 words' },
        { kind: 'check', check: { must_not_include: ['moral', 'lesson'] }, text: 'does not include “moral” or “lesson”' },
        { kind: 'judged', text: 'No character dies.' },
      ],
      criteria: [
        { id: 'ends-on-an-image-not-a-moral', text: 'Ends on an image, not a moral.', weight: 1, min: 7 },
        {
          id: 'voice',
          text: 'Every line of dialogue sounds like something a child would say aloud.',
          weight: 3,
          min: 8,
        },
        { id: 'min-words-300', check: { min_words: 300 }, weight: 2, min: 7 },
      ],
      lenses: [
        lensById('emotional-arc'),
        {
          id: 'custom-tell-it-as-the-lighthouse',
          name: 'Tell it as the lighthouse would',
          text: 'Tell it as the lighthouse would',
          builtin: false,
        },
      ],
      budget: { calls: 60, tokens: 200000, usd: 1.5 },
      attention: 3,
      model: 'openai:gpt-4o-mini',
      judge: 'openai:gpt-4o-mini',
      context: "# Context\n\nThe keeper's name is Ada.",
    });
    expect(result.frontMatter.lenses).toEqual(['emotional-arc', 'Tell it as the lighthouse would']);
  });

  it('fills in defaults for a minimal brief', () => {
    const brief = parseBrief('---\nquestion: "  What now?  "\ncriteria: [Clear to a newcomer]\n---\n');
    expect(brief).toEqual({
      question: 'What now?',
      constraints: [],
      criteria: [{ id: 'clear-to-a-newcomer', text: 'Clear to a newcomer', weight: 1, min: 7 }],
      lenses: 'auto',
      budget: {},
      attention: 5,
      model: 'rehearsal',
      judge: 'rehearsal',
      context: '',
    });
    // exactOptionalPropertyTypes: absent, not undefined.
    expect('intent' in brief).toBe(false);
  });

  it('keeps ids unique, written ids first, derived ones working around them', () => {
    const brief = parseBrief(
      '---\nquestion: What now?\ncriteria:\n  - Warm\n  - Warm\n  - { id: warm, text: Friendly to strangers }\n---\n',
    );
    expect(brief.criteria.map((c) => c.id)).toEqual(['warm-2', 'warm-3', 'warm']);
  });

  it('accepts a byte-order mark and Windows line endings', () => {
    const brief = parseBrief('\uFEFF---\r\nquestion: What now?\r\ncriteria: [Clear]\r\n---\r\nBody\r\n');
    expect(brief.question).toBe('What now?');
    expect(brief.context).toBe('Body');
  });

  it('uses the judge when one is given', () => {
    expect(parseBrief('---\nquestion: Q?\ncriteria: [Clear]\njudge: anthropic:claude\n---\n').judge).toBe('anthropic:claude');
  });
});

describe('splitting and locating', () => {
  it('splits front matter from body, keeping the body as written', () => {
    expect(splitFrontMatter('---\nquestion: Why?\n---\nNotes\n')).toEqual({
      ok: true,
      yaml: 'question: Why?\n',
      yamlLine: 2,
      body: 'Notes\n',
    });
  });

  it('locates fields by dotted path or path array, falling back to the nearest ancestor', () => {
    const source = FULL;
    expect(locateField(source, 'question', { file: 'b.md' })).toEqual({ file: 'b.md', line: 3, column: 11, field: 'question' });
    expect(locateField(source, ['criteria', 1, 'weight'])).toMatchObject({ line: 12, column: 13 });
    // A block list points at its key, where a reader looks.
    expect(locateField(source, 'criteria')).toMatchObject({ line: 8, column: 1 });
    expect(locateField(source, 'budget.calls')).toMatchObject({ line: 17, column: 18 });
    // Absent: the nearest ancestor that exists.
    expect(locateField(source, 'budget.seconds')).toMatchObject({ line: 17, column: 9, field: 'budget.seconds' });
    expect(locateField('no front matter', 'question')).toMatchObject({ line: 1, column: 1 });
  });
});

describe('check descriptions and ids', () => {
  it('describes checks in words', () => {
    expect(describeCheck({ max_words: 1 })).toBe('at most 1 word');
    expect(describeCheck({ min_words: 100, max_words: 300 })).toBe('between 100 and 300 words');
    expect(describeCheck({ must_include: ['harbour', 'fog', 'lamp'] })).toBe('includes “harbour”, “fog” and “lamp”');
    expect(describeCheck({ regex: '^#', regex_flags: 'm' })).toBe('matches /^#/m');
    expect(describeCheck({ json_schema: 'answer.schema.json' })).toBe('is JSON valid against the schema in answer.schema.json');
    expect(describeCheck({ json_schema: { type: 'object' } })).toBe('is JSON valid against the inline schema');
    expect(describeCheck({ module: './checks/rhyme.js', min_words: 10 })).toBe('at least 10 words; passes the check in ./checks/rhyme.js');
  });

  it('derives ids from checks', () => {
    expect(checkId({ max_words: 300 })).toBe('max-words-300');
    expect(checkId({ must_include: 'Harbour Lights' })).toBe('must-include-harbour-lights');
    expect(checkId({ module: './checks/rhyme.js' })).toBe('module-rhyme');
    expect(checkId({ min_words: 100, max_words: 300, regex: 'x' }).length).toBeLessThanOrEqual(32);
  });

  it('slugs text to readable ids of at most 32 characters', () => {
    expect(slugify('Ends on an image, not a moral!')).toBe('ends-on-an-image-not-a-moral');
    expect(slugify('Café au lait')).toBe('cafe-au-lait');
    expect(slugify('一二三', { fallback: 'criterion' })).toBe('criterion');
    const long = slugify('Every line of dialogue sounds like something a child would say aloud');
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toBe('every-line-of-dialogue-sounds');
    const taken = new Set<string>([long]);
    expect(uniqueId(long, taken)).toBe('every-line-of-dialogue-sounds-2');
  });
});
