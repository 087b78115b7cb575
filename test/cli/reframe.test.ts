import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeResult, EXAMPLES, jsonOf, readDb, runCli, stackTraceLines, tempDir } from '../support/cli.js';
import { AdoptShape, LintShape, ReframeShape } from '../support/shapes.js';

/**
 * `baton reframe`: alternative framings of the question, and adopting one as a new brief version
 * — the file rewritten in place with the person's comments and context kept, the old version kept
 * in the store.
 */

const BRIEF = `---
# Why this matters: keep this comment.
intent: Readers of our coastal anthology for teenagers should feel that small acts of care matter.
# The question we are asking.
question: What story about a lighthouse keeper would a teenager remember a week later, and why? # first draft
constraints:
  - max_words: 600
criteria:
  - id: ending # the one that counts most
    text: The ending changes how the reader sees an earlier moment of the story.
    weight: 3
  - id: length
    check: { min_words: 200 }
    weight: 1
lenses: [emotional-arc, new-genre, invert]
budget: { calls: 60 }
attention: 3
model: rehearsal
judge: rehearsal
---
# Context

The anthology's theme is *keeping watch*.

- Stories are read aloud in classrooms.
- The lighthouse was automated years ago; the keeper stayed on anyway.
`;

const COMMENTS = ['# Why this matters: keep this comment.', '# The question we are asking.', '# first draft', '# the one that counts most'];

const bodyOf = (source: string): string => source.slice(source.indexOf('\n---\n', 4) + 5);
const frontMatterOf = (source: string): Record<string, unknown> => parse(source.slice(4, source.indexOf('\n---\n', 4))) as Record<string, unknown>;

describe('baton reframe', () => {
  const cwd = tempDir();
  const db = join(cwd, '.baton', 'baton.db');
  const brief = join(cwd, 'brief.md');
  let framings: Array<{ lens: string; question: string }> = [];
  let briefId = '';

  beforeAll(() => writeFileSync(brief, BRIEF));

  it('offers the number of framings asked for, each a question', async () => {
    const result = await runCli(['reframe', 'brief.md', '-n', '3', '--json'], { cwd });
    expect(result.code, describeResult(result)).toBe(0);
    const answer = ReframeShape.parse(jsonOf(result));
    expect(answer.label).toContain('rehearsal');
    expect(answer.framings).toHaveLength(3);
    for (const framing of answer.framings) {
      expect(framing.question.trim()).toMatch(/\?$/u);
      expect(framing.why.length).toBeGreaterThan(0);
    }
    expect(answer.framings.map((f) => f.lens)).toEqual(['emotional-arc', 'new-genre', 'invert']);
    framings = answer.framings;
    briefId = answer.briefId;
    // Asking changes nothing in the file.
    expect(readFileSync(brief, 'utf8')).toBe(BRIEF);
  });

  it('refuses to adopt a framing that was not shown (--adopt 9), leaving the file as it was', async () => {
    const result = await runCli(['reframe', 'brief.md', '--adopt', '9'], { cwd });
    expect(result.code, describeResult(result)).toBe(2);
    expect(result.stderr).toContain('from 1 to 3');
    expect(stackTraceLines(result.stderr)).toEqual([]);
    expect(readFileSync(brief, 'utf8')).toBe(BRIEF);
    const versions = readDb(db, (d) => d.prepare('SELECT count(*) FROM briefs').pluck().get());
    expect(versions).toBe(1);
  });

  it('adopts framing 2: rewrites the question in place and keeps the comments and the Markdown body', async () => {
    const result = await runCli(['reframe', 'brief.md', '--adopt', '2', '--json'], { cwd });
    expect(result.code, describeResult(result)).toBe(0);
    const adopted = AdoptShape.parse(jsonOf(result));
    expect(adopted).toEqual({ adopted: framings[1]?.question, path: brief, version: 2 });

    const rewritten = readFileSync(brief, 'utf8');
    const before = frontMatterOf(BRIEF);
    const after = frontMatterOf(rewritten);
    expect(after.question).toBe(framings[1]?.question);
    // Only the question changed.
    expect({ ...after, question: null }).toEqual({ ...before, question: null });
    for (const comment of COMMENTS) expect(rewritten).toContain(comment);
    expect(bodyOf(rewritten)).toBe(bodyOf(BRIEF));
  });

  it('leaves a brief that still parses and lints without errors', async () => {
    const result = await runCli(['lint', 'brief.md', '--json'], { cwd });
    expect(result.code, describeResult(result)).toBe(0);
    const { findings } = LintShape.parse(jsonOf(result));
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('records version 2 of the brief, whose parent is version 1', () => {
    const rows = readDb(db, (d) => d.prepare('SELECT id, lineage_id, version, parent_id, source, note FROM briefs ORDER BY version').all()) as Array<{
      id: string;
      lineage_id: string;
      version: number;
      parent_id: string | null;
      source: string;
      note: string | null;
    }>;
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    const [v1, v2] = rows;
    expect(v1?.id).toBe(briefId);
    expect(v1?.parent_id).toBeNull();
    expect(v1?.source).toBe(BRIEF);
    expect(v2?.parent_id).toBe(v1?.id);
    expect(v2?.lineage_id).toBe(v1?.lineage_id);
    expect(v2?.source).toBe(readFileSync(brief, 'utf8'));
    expect(v2?.note).toContain(framings[1]?.lens ?? '?');
  });

  it('asks for a new reframe before adopting again from the rewritten brief', async () => {
    const result = await runCli(['reframe', 'brief.md', '--adopt', '1'], { cwd });
    expect(result.code, describeResult(result)).toBe(2);
    expect(result.stderr).toContain('run `baton reframe brief.md` first');
  });

  it('changes no line but the question', async () => {
    const dir = tempDir();
    copyFileSync(join(EXAMPLES, 'flaky-tests.md'), join(dir, 'brief.md'));
    const original = readFileSync(join(dir, 'brief.md'), 'utf8');
    expect((await runCli(['reframe', 'brief.md', '--json'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['reframe', 'brief.md', '--adopt', '3'], { cwd: dir })).code).toBe(0);
    const rewritten = readFileSync(join(dir, 'brief.md'), 'utf8');
    const questionLines = (source: string): [number, number] => {
      const lines = source.split('\n');
      const start = lines.findIndex((l) => l.startsWith('question:'));
      let end = start + 1;
      while (lines[end]?.startsWith('  ')) end += 1;
      return [start, end];
    };
    const withoutQuestion = (source: string): string[] => {
      const [start, end] = questionLines(source);
      const lines = source.split('\n');
      return [...lines.slice(0, start), ...lines.slice(end)];
    };
    expect(withoutQuestion(rewritten)).toEqual(withoutQuestion(original));
  });

  it('offers framings that differ from each other', async () => {
    const dir = tempDir();
    const result = await runCli(['reframe', join(EXAMPLES, 'flaky-tests.md'), '-n', '3', '--json'], { cwd: dir });
    expect(result.code, describeResult(result)).toBe(0);
    const questions = ReframeShape.parse(jsonOf(result)).framings.map((f) => f.question);
    expect(new Set(questions).size).toBe(questions.length);
  });
});
