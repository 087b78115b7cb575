import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BriefProblem } from '../../src/brief/index.js';
import { formatProblem, MAX_BRIEF_BYTES, parseBrief, readBriefFile, safeParseBrief } from '../../src/brief/index.js';
import { BatonError } from '../../src/errors.js';

/** The problems of a brief that must not parse. */
function problemsOf(source: string): BriefProblem[] {
  const result = safeParseBrief(source, { file: 'brief.md' });
  if (result.ok) throw new Error('expected the brief to be refused');
  return result.errors;
}

function thrownBy(run: () => unknown): BatonError {
  try {
    run();
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error('expected a BatonError');
}

async function rejectionOf(promise: Promise<unknown>): Promise<BatonError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error('expected a BatonError');
}

describe('parsing a brief with mistakes in it', () => {
  it('locates a YAML syntax error at its line and column in the file', () => {
    const source = ['---', 'intent: Help new readers.', 'question: What: is it?', 'criteria: [clear]', '---', ''].join('\n');
    const [problem, ...rest] = problemsOf(source);
    expect(rest).toEqual([]);
    expect(problem?.location).toMatchObject({ file: 'brief.md', line: 3, column: 11 });
    expect(problem?.message).toMatch(/^invalid YAML: /);
    expect(problem?.message).toContain('quotes');
  });

  it('locates an unterminated quoted string where the parser notices it: the closing fence', () => {
    const source = ['---', 'question: What now?', 'criteria:', '  - "never closed', '---', ''].join('\n');
    const [problem] = problemsOf(source);
    expect(problem?.location).toMatchObject({ line: 5, column: 1 });
    expect(problem?.message).toContain('Missing closing "quote');
  });

  it('counts lines from the top of the file, not from the front matter', () => {
    const source = ['---', 'question: What now?', 'criteria:', '  - clear', 'budget:', '  calls: 1', ' tokens: 2', '---'].join('\n');
    const [problem] = problemsOf(source);
    expect(problem?.location.line).toBe(7);
  });

  it('says which field has the wrong type, what was expected and what was found', () => {
    const source = ['---', 'question: What would a child retell?', 'criteria:', '  - text: Ends on an image', '    weight: high', '---'].join('\n');
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      location: { field: 'criteria.0.weight', line: 5, column: 13 },
      message: 'expected a number, found the text "high"',
    });
    expect(formatProblem(problems[0] as BriefProblem)).toBe(
      'brief.md:5:13: criteria.0.weight: expected a number, found the text "high"',
    );
  });

  it('reports an unknown key at the key itself, with a did-you-mean', () => {
    const source = ['---', 'question: What would a child retell?', 'critera:', '  - Ends on an image', '---'].join('\n');
    const problems = problemsOf(source);
    // Only the typo: "criteria is required" would just repeat it.
    expect(problems).toEqual([
      {
        message: 'unknown key `critera` — did you mean `criteria`?',
        location: { file: 'brief.md', line: 3, column: 1, field: 'critera' },
      },
    ]);
  });

  it('suggests from the keys of the level the unknown key is at', () => {
    const source = ['---', 'question: What now?', 'criteria:', '  - check: { max_wrds: 300 }', '---'].join('\n');
    const [problem] = problemsOf(source);
    expect(problem?.message).toBe('unknown key `max_wrds` — did you mean `max_words`?');
    expect(problem?.location).toMatchObject({ field: 'criteria.0.check.max_wrds', line: 4, column: 14 });
  });

  it('lists the known keys when nothing is close', () => {
    const [problem] = problemsOf(['---', 'question: What now?', 'criteria: [clear]', 'colour: blue', '---'].join('\n'));
    expect(problem?.message).toContain('unknown key `colour`; known keys here are `intent`, `question`');
  });

  it('refuses an empty question', () => {
    const [problem] = problemsOf(['---', 'question: "   "', 'criteria: [clear]', '---'].join('\n'));
    expect(problem).toMatchObject({ message: 'the question is empty', location: { field: 'question', line: 2, column: 11 } });
  });

  it('explains a missing question', () => {
    const [problem] = problemsOf(['---', 'intent: For new readers.', 'criteria: [clear]', '---'].join('\n'));
    expect(problem?.location.field).toBe('question');
    expect(problem?.message).toContain('is required');
  });

  it('refuses a negative budget', () => {
    const source = ['---', 'question: What now?', 'criteria: [clear]', 'budget:', '  calls: -3', '---'].join('\n');
    const [problem] = problemsOf(source);
    expect(problem).toMatchObject({
      location: { field: 'budget.calls', line: 5, column: 10 },
      message: 'must be more than 0, found the number -3',
    });
  });

  it('explains the expected shape when there is no front matter', () => {
    const [problem] = problemsOf('# My brief\n\nquestion: What now?\n');
    expect(problem?.location).toMatchObject({ line: 1, column: 1 });
    expect(problem?.message).toContain('`---`');
    expect(problem?.message).toContain('question:');
  });

  it('points at a front matter that starts below the first line', () => {
    const [problem] = problemsOf('\n\n---\nquestion: What now?\ncriteria: [clear]\n---\n');
    expect(problem?.location.line).toBe(3);
    expect(problem?.message).toContain('very first line');
  });

  it('refuses front matter that is never closed', () => {
    const [problem] = problemsOf('---\nquestion: What now?\ncriteria: [clear]\n');
    expect(problem?.message).toContain('never closed');
  });

  it('explains a criterion of the wrong shape', () => {
    const [problem] = problemsOf(['---', 'question: What now?', 'criteria:', '  - 42', '---'].join('\n'));
    expect(problem?.location).toMatchObject({ field: 'criteria.0', line: 4, column: 5 });
    expect(problem?.message).toBe(
      'expected a sentence (judged by a model) or a mapping with `text:` or `check:`, found the number 42',
    );
  });

  it('refuses an unknown lens id with a did-you-mean, located at the lens', () => {
    const source = ['---', 'question: What now?', 'criteria: [clear]', 'lenses:', '  - minimal', '  - invrt', '---'].join('\n');
    const [problem] = problemsOf(source);
    expect(problem).toMatchObject({
      message: 'unknown lens `invrt` — did you mean `invert`?',
      location: { field: 'lenses.1', line: 6, column: 5 },
    });
  });

  it('refuses duplicate criterion ids', () => {
    const source = [
      '---',
      'question: What now?',
      'criteria:',
      '  - { id: tone, text: Warm without being sugary }',
      '  - { id: tone, text: Speaks to the reader as you }',
      '---',
    ].join('\n');
    const [problem] = problemsOf(source);
    expect(problem?.location).toMatchObject({ field: 'criteria.1.id', line: 5 });
    expect(problem?.message).toContain('already used by criteria.0');
  });

  it('refuses an invalid regular expression', () => {
    const [problem] = problemsOf(['---', 'question: What now?', 'criteria: [clear]', 'constraints:', '  - regex: "(unclosed"', '---'].join('\n'));
    expect(problem?.location).toMatchObject({ field: 'constraints.0.regex', line: 5 });
    expect(problem?.message).toContain('not a usable regular expression');
  });

  it('parseBrief throws one BatonError: the first problem as its message, all of them as details', () => {
    const source = ['---', 'question: ""', 'criteria: []', 'budget: { calls: -3 }', '---'].join('\n');
    const error = thrownBy(() => parseBrief(source, { file: 'brief.md' }));
    expect(error.code).toBe('invalid_input');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('brief.md:2:11: question: the question is empty');
    expect(error.details).toEqual([
      'brief.md:2:11: question: the question is empty',
      'brief.md:3:11: criteria: at least one criterion is needed',
      'brief.md:4:18: budget.calls: must be more than 0, found the number -3',
    ]);
    expect(error.location).toMatchObject({ file: 'brief.md', line: 2, column: 11, field: 'question' });
  });

  it('never throws, and locates every problem, whatever the front matter holds (seeded)', () => {
    const check = (source: string): void => {
      const result = safeParseBrief(source);
      if (result.ok) return;
      expect(result.errors.length).toBeGreaterThan(0);
      for (const problem of result.errors) {
        expect(problem.location.line).toBeGreaterThanOrEqual(1);
        expect(problem.location.column).toBeGreaterThanOrEqual(1);
        expect(problem.message).not.toMatch(/\n\s+at /);
      }
    };
    fc.assert(fc.property(fc.string(), (text) => check(`---\n${text}\n---\n`)), { seed: 20240611, numRuns: 300 });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => check(`---\n${stringify(value)}---\n`)),
      { seed: 20240611, numRuns: 300 },
    );
    const field = fc.constantFrom('question', 'criteria', 'constraints', 'lenses', 'budget', 'attention', 'model', 'intent');
    fc.assert(
      fc.property(fc.dictionary(field, fc.jsonValue()), (value) => check(`---\n${stringify(value)}---\n`)),
      { seed: 20240611, numRuns: 300 },
    );
  });
});

describe('reading a brief file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-brief-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a good file', async () => {
    const path = join(dir, 'good.md');
    await writeFile(path, '---\nquestion: What would a child retell?\ncriteria: [Ends on an image]\n---\nNotes.\n');
    const read = await readBriefFile(path);
    expect(read.file).toBe(path);
    expect(read.brief.context).toBe('Notes.');
    expect(read.source).toContain('question:');
  });

  it('refuses a missing file, naming the path', async () => {
    const path = join(dir, 'nope.md');
    const error = await rejectionOf(readBriefFile(path));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(path);
    expect(error.location?.file).toBe(path);
  });

  it('refuses a directory', async () => {
    const path = join(dir, 'a-folder');
    await mkdir(path);
    const error = await rejectionOf(readBriefFile(path));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(`${path} is a directory`);
  });

  it('refuses a 50 MB file by its size, without reading it', async () => {
    const path = join(dir, 'huge.md');
    // A sparse file of zeros: were it read, it would be refused as binary, not by size.
    const handle = await open(path, 'w');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    const error = await rejectionOf(readBriefFile(path));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('50 MiB');
    expect(error.message).toContain('at most 1 MiB');
    expect(error.message).not.toContain('text file');
  });

  it('accepts a file of exactly the limit and refuses one byte more', async () => {
    const path = join(dir, 'edge.md');
    // The bulk in a YAML comment: the context after the front matter has a limit of its own.
    const head = '---\nquestion: What now?\ncriteria: [clear]\n# ';
    const tail = '\n---\n';
    await writeFile(path, head + 'x'.repeat(MAX_BRIEF_BYTES - head.length - tail.length) + tail);
    await expect(readBriefFile(path)).resolves.toMatchObject({ file: path });
    await writeFile(path, head + 'x'.repeat(MAX_BRIEF_BYTES - head.length - tail.length + 1) + tail);
    expect((await rejectionOf(readBriefFile(path))).message).toContain('at most 1 MiB');
  });

  it('refuses a binary file', async () => {
    const path = join(dir, 'image.md');
    await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    const error = await rejectionOf(readBriefFile(path));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('not a text file');
  });

  it('refuses a file that is not valid UTF-8', async () => {
    const path = join(dir, 'latin1.md');
    await writeFile(path, Buffer.from('---\nquestion: Caf\xe9?\n---\n', 'latin1'));
    const error = await rejectionOf(readBriefFile(path));
    expect(error.message).toContain('not a text file');
    expect(error.message).toContain('UTF-8');
  });

  it('reports parse problems with the file path', async () => {
    const path = join(dir, 'bad.md');
    await writeFile(path, '---\nquestion: What now?\ncriteria:\n  - text: clear\n    weight: high\n---\n');
    const error = await rejectionOf(readBriefFile(path));
    expect(error.message).toBe(`${path}:5:13: criteria.0.weight: expected a number, found the text "high"`);
  });
});
