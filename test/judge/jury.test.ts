import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import type { SchemaServer } from './schema-server.js';
import { startSchemaServer } from './schema-server.js';

/**
 * A jury of two real providers (a loopback OpenAI and Anthropic that score differently): each
 * criterion gets the median, each juror's calls are recorded and counted, and a disagreement above
 * the spread flags the candidate unclear with each juror's reason on the board.
 */

const tmp = tempDirs();
let lenient: SchemaServer;
let harsh: SchemaServer;

beforeAll(async () => {
  lenient = await startSchemaServer({ score: () => 9 });
  harsh = await startSchemaServer({ score: (criterion) => (criterion === 'evidence' ? 2 : 8) });
});

afterAll(async () => {
  await lenient.close();
  await harsh.close();
  tmp.cleanup();
});

const env = (): Record<string, string> => ({
  OPENAI_API_KEY: 'sk-fake-a',
  OPENAI_BASE_URL: `${lenient.url}/v1`,
  ANTHROPIC_API_KEY: 'sk-fake-b',
  ANTHROPIC_BASE_URL: `${harsh.url}/v1`,
});

describe('a jury', () => {
  it('takes the median, flags a disagreement with each juror on the board, and records every juror call', async () => {
    const dir = tmp.make('baton-jury-');
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, concurrency: 2, env: { ...env(), HOME: dir } });
    try {
      const id = await baton.start(EXAMPLE_BRIEFS.engineering, { model: 'rehearsal', judge: ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'], seed: 5 });
      const outcome = await baton.run(id, { maxWaves: 1, assume: false });
      const judgments = await baton.store.listJudgments(id);
      expect(judgments.length).toBeGreaterThan(0);
      for (const judgment of judgments) {
        expect(judgment.judge).toBe('openai:gpt-4o-mini, anthropic:claude-haiku-4-5');
        const evidence = judgment.scores.find((s) => s.criterion === 'evidence');
        expect(evidence?.score).toBe(5.5);
        expect(evidence?.jurors?.map((j) => [j.judge, j.score])).toEqual([
          ['openai:gpt-4o-mini', 9],
          ['anthropic:claude-haiku-4-5', 2],
        ]);
        expect(judgment.scores.find((s) => s.criterion === 'durable')?.score).toBe(8.5);
        expect(judgment.flags).toContainEqual({ kind: 'unclear', reason: 'the jurors disagree on "evidence" by more than 3 points' });
        expect(judgment.flags.some((f) => f.reason.includes('"durable"'))).toBe(false);
      }
      // A move still in flight when the run stopped has made its calls but is not judged yet: count the judged ones'.
      const judged = new Set(judgments.map((j) => j.candidateId));
      const calls = (await baton.store.listCalls(id)).filter((c) => c.purpose === 'judge' && judged.has(c.key.slice(0, c.key.indexOf(':judge:'))));
      expect(calls.filter((c) => c.model === 'openai:gpt-4o-mini')).toHaveLength(judgments.length);
      expect(calls.filter((c) => c.model === 'anthropic:claude-haiku-4-5')).toHaveLength(judgments.length);
      expect(outcome.board.label).toContain('anthropic:claude-haiku-4-5');
    } finally {
      await baton.close();
    }
  });

  it('is set in the brief, with its spread, and shown juror by juror on the CLI board', async () => {
    const dir = tmp.make('baton-jury-cli-');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const source = readFileSync(EXAMPLE_BRIEFS.engineering, 'utf8')
      .replace('judge: rehearsal', 'judge: [openai:gpt-4o-mini, anthropic:claude-haiku-4-5]\njury_spread: 8')
      .replace('attention: 3', 'attention: 3\npilot: 2');
    writeFileSync(join(dir, 'brief.md'), source);
    const run = await runCli(['run', 'brief.md', '--seed', '2', '--no-assume'], { cwd: dir, env: { ...env(), HOME: dir, BATON_DB: join(dir, 'b.db') } });
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(10);
    expect(run.stdout).toContain('jury on evidence: openai:gpt-4o-mini 9');
    expect(run.stdout).toContain('anthropic:claude-haiku-4-5 2');
    // A spread of 8 tolerates 9 against 2.
    expect(run.stdout).not.toContain('jurors disagree');
  });
});
