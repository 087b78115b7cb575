import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import type { SchemaServer } from './schema-server.js';
import { startSchemaServer } from './schema-server.js';

/**
 * Pairwise rank at a checkpoint: the contenders compared in both orders, fitted with Bradley–Terry,
 * shown beside the rubric's rank; each pair asked once, ever — a later checkpoint and a resumed
 * exploration reuse the answers.
 */

const tmp = tempDirs();
let biased: SchemaServer;
beforeAll(async () => {
  biased = await startSchemaServer({ compare: () => 'first' });
});
afterAll(async () => {
  await biased.close();
  tmp.cleanup();
});

function brief(dir: string, extra: string, calls = 100): string {
  const path = join(dir, 'brief.md');
  const source = readFileSync(EXAMPLE_BRIEFS.engineering, 'utf8').replace('attention: 3', `attention: 3\n${extra}`);
  writeFileSync(path, source.replace('  calls: 100', `  calls: ${calls}`));
  return path;
}

describe('pairwise rank', () => {
  it('ranks the contenders at each checkpoint and never asks a pair twice, across checkpoints and a reopened store', async () => {
    const dir = tmp.make('baton-pairwise-');
    const db = join(dir, 'baton.db');
    let baton = Baton.open({ db, cwd: dir });
    // Calls enough for the second checkpoint's comparisons: a pair refused for budget is neither asked nor reused.
    const id = await baton.start(brief(dir, 'pairwise: true', 200), { seed: 9 });
    const first = await baton.run(id, { assume: false });
    expect(first.status).toBe('awaiting');
    const ranking = first.board.pairwise;
    expect(ranking).toBeDefined();
    const n = ranking?.ranking.length ?? 0;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(ranking?.asked).toBe(n * (n - 1));
    expect(ranking?.reused).toBe(0);
    // The rehearsal judge has no position bias: no pair was decided by its order.
    expect(ranking?.orderFlips).toBe(0);
    expect(ranking?.ranking.map((r) => r.rubricRank).sort()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const pairCalls = async (): Promise<string[]> => (await baton.store.listCalls(id)).filter((c) => c.key.includes(':pair:')).map((c) => c.key);
    const before = await pairCalls();
    expect(before).toHaveLength(n * (n - 1));
    expect(new Set(before).size).toBe(before.length);
    await baton.close();

    // Reopened: the next checkpoint reuses every pair already compared.
    baton = Baton.open({ db, cwd: dir });
    try {
      const next = await baton.decide(id, { action: 'continue', reason: 'go on', run: { assume: false } });
      const again = next.outcome.board.pairwise;
      expect(again).toBeDefined();
      const after = await pairCalls();
      expect(new Set(after).size).toBe(after.length);
      if (again) expect(after.length - before.length).toBe(again.asked);
      if (again) expect(again.reused + again.asked).toBe(again.ranking.length * (again.ranking.length - 1));
    } finally {
      await baton.close();
    }
  });

  it('says when a judge picks by position, and shows the rank on the CLI board', async () => {
    const dir = tmp.make('baton-pairwise-cli-');
    brief(dir, 'pairwise: true');
    const run = await runCli(['run', 'brief.md', '--seed', '9', '--judge', 'openai:gpt-4o-mini', '--no-assume'], {
      cwd: dir,
      env: { BATON_DB: join(dir, 'b.db'), HOME: dir, OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: `${biased.url}/v1` },
    });
    expect(run.code).toBe(10);
    expect(run.stdout).toContain('Pairwise rank (contenders compared in pairs, both orders; Bradley–Terry)');
    expect(run.stdout).toMatch(/chose by position \(the same place won in both orders\)/u);
  });
});
