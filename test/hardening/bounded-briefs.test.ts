import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBrief } from '../../src/brief/lint.js';
import { safeParseBrief } from '../../src/brief/parse.js';
import { BRIEF_LIMITS } from '../../src/brief/schema.js';
import { describeResult, runCli, tempDir } from '../support/cli.js';

/** Every per-brief cost is bounded: sizes and counts past the limits are located errors. */

function brief(front: string[], body = ''): string {
  return ['---', ...front, '---', body].join('\n');
}

describe('limits on a brief', () => {
  it.each([
    ['a question near 1 MiB', brief([`question: "${'Why? '.repeat(200_000)}"`, 'criteria: [clear]']), 'question', /at most 10000 characters/u],
    ['thousands of criteria', brief(['question: Why?', 'criteria:', ...Array.from({ length: 3000 }, (_, i) => `  - criterion ${i} is vivid`)]), 'criteria', /at most 100 items/u],
    ['thousands of lenses', brief(['question: Why?', 'criteria: [clear]', 'lenses:', ...Array.from({ length: 3000 }, (_, i) => `  - push it to extreme number ${i}`)]), 'lenses', /at most 50 items/u],
    ['a huge regex', brief(['question: Why?', 'criteria:', '  - check:', `      regex: "${'a'.repeat(5000)}"`]), 'criteria.0.check.regex', /at most 1000 characters/u],
    ['a huge context', brief(['question: Why?', 'criteria: [clear]'], 'context '.repeat(20_000)), 'context', /at most 100000/u],
  ])('%s is a located error', (_name, source, field, message) => {
    const parsed = safeParseBrief(source, { file: 'b.md' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const problem = parsed.errors.find((p) => p.location.field === field);
    expect(problem, JSON.stringify(parsed.errors.slice(0, 3))).toBeDefined();
    expect(problem?.message).toMatch(message);
    expect(problem?.location.line).toBeGreaterThan(0);
  });

  it('through the binary, a 1 MiB question is exit 2 with file:line:column, and no database', async () => {
    const dir = tempDir('baton-bounded-');
    writeFileSync(join(dir, 'brief.md'), brief([`question: "${'Why? '.repeat(200_000)}"`, 'criteria: [clear]']));
    const run = await runCli(['run', 'brief.md'], { cwd: dir, env: { BATON_DB: join(dir, 'baton.db') } });
    expect(run.code, describeResult(run)).toBe(2);
    expect(run.stderr).toMatch(/brief\.md:2:\d+: question: must be at most 10000 characters/u);
  });
});

describe('lint scales with the brief', () => {
  it('criteria that pull apart give one finding each, not one per pair', () => {
    const n = BRIEF_LIMITS.criteria;
    const source = brief(['question: Why?', 'criteria:', ...Array.from({ length: n }, (_, i) => `  - the answer is ${i % 2 === 0 ? 'short' : 'long'} in part ${i}`)]);
    const parsed = safeParseBrief(source, { file: 'b.md' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const wording = lintBrief(source, parsed.brief, { file: 'b.md' }).filter((f) => f.code === 'contradictory-wording');
    // Every criterion after the first pulls against an earlier one; each is reported once.
    expect(wording).toHaveLength(n - 1);
    expect(new Set(wording.map((f) => f.location.field)).size).toBe(n - 1);
  });
});

describe('credentials in base URLs', () => {
  const KEY = 'sk-LEAK-in-url-9c1e';
  const dir = tempDir('baton-cred-');
  writeFileSync(join(dir, 'brief.md'), brief(['question: How should we name the harbour lighthouse?', 'criteria: [memorable]', 'model: openai:gpt-4o-mini']));

  it('a base URL with a user and password is refused up front (exit 2), the key never shown', async () => {
    const env = { OPENAI_BASE_URL: `http://user:${KEY}@127.0.0.1:9/v1`, OPENAI_API_KEY: 'sk-other', BATON_DB: join(dir, 'baton.db') };
    const run = await runCli(['run', 'brief.md'], { cwd: dir, env });
    expect(run.code, describeResult(run)).toBe(2);
    expect(run.stderr).toMatch(/OPENAI_BASE_URL \(http:\/\/\*\*\*@127\.0\.0\.1:9\/v1\) carries a user name or password/u);
    expect(run.stderr).not.toMatch(/Resume with/u);
    const doctor = await runCli(['doctor', '--model', 'openai:gpt-4o-mini'], { cwd: dir, env });
    const models = await runCli(['models'], { cwd: dir, env });
    for (const result of [run, doctor, models]) expect(`${result.stdout}${result.stderr}`).not.toContain(KEY);
    expect(`${doctor.stdout}`).toMatch(/carries a user name or password/u);
  });

  it('a config file baseUrl with credentials is a located config error, the key never shown', async () => {
    const home = tempDir('baton-cred-home-');
    const config = join(home, 'config.yaml');
    writeFileSync(config, `providers:\n  openai:\n    baseUrl: http://me:${KEY}@127.0.0.1:9/v1\n`, { mode: 0o600 });
    const run = await runCli(['run', 'brief.md'], { cwd: dir, env: { BATON_CONFIG: config, OPENAI_API_KEY: 'sk-other', BATON_DB: join(dir, 'baton.db') } });
    expect(run.code, describeResult(run)).toBe(2);
    expect(run.stderr).toMatch(/config\.yaml:3:\d+: providers\.openai\.baseUrl: a base URL must not carry a user name or password/u);
    expect(run.stderr).not.toContain(KEY);
  });
});
