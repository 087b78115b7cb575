import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import { FAKE_KEY } from './adapters.js';
import { JUDGE_ANSWER, JUDGE_SYSTEM_MARK } from './loopback.js';

/**
 * A dollar budget through the real binary against a loopback OpenAI endpoint: the model is not in
 * Baton's price table, so its price comes from the person's config file. The exploration warns at
 * the budget checkpoint, and once nothing is left `baton run` exits 4 with a plain message — and
 * the dollars spent, as the database records them, never pass the cap.
 */

const tmp = tempDirs();
let mock: LLMock;
const CAP_USD = 0.25;

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1', auth: { apiKeys: [FAKE_KEY] } });
  // Long answers (as far as usage goes): each call costs about $0.02 at the configured price.
  mock.on({ systemMessage: JUDGE_SYSTEM_MARK }, { content: JSON.stringify(JUDGE_ANSWER), usage: { prompt_tokens: 900, completion_tokens: 2_000, total_tokens: 2_900 } });
  let drafts = 0;
  mock.on({ predicate: () => true }, () => {
    drafts += 1;
    return {
      content: `1. Quarantine each flaky test after its third rerun (draft ${drafts}, variant ${drafts % 7}).\n2. Track reruns per shard.`,
      usage: { prompt_tokens: 600, completion_tokens: 2_000, total_tokens: 2_600 },
    };
  });
  await mock.start();
});

afterAll(async () => {
  await mock.stop();
  tmp.cleanup();
});

describe('a dollar budget', () => {
  it('raises the budget checkpoint, then exits 4 when nothing is left, never spending past the cap', { timeout: 180_000 }, async () => {
    const dir = tmp.make('baton-budget-');
    const home = tmp.make('baton-budget-home-');
    const config = join(home, 'config.yaml');
    writeFileSync(config, 'pricing:\n  openai:house-model:\n    inputPerMTok: 1\n    outputPerMTok: 10\n');
    const brief = join(dir, 'brief.md');
    writeFileSync(brief, readFileSync(EXAMPLE_BRIEFS.engineering, 'utf8').replace('budget:\n  calls: 100', `budget:\n  usd: ${CAP_USD}`));
    const db = join(dir, 'baton.db');
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1`, BATON_DB: db, BATON_CONFIG: config, HOME: home };

    const reasons: string[] = [];
    let result = await runCli(['run', brief, '--model', 'openai:house-model', '--seed', '3', '--json'], { cwd: dir, env });
    const id = (JSON.parse(result.stdout) as { exploration: string }).exploration;
    for (let round = 0; round < 12 && result.code === 10; round += 1) {
      const outcome = JSON.parse(result.stdout) as { checkpoint: { reasons: Array<{ kind: string }> } | null };
      reasons.push(...(outcome.checkpoint?.reasons.map((r) => r.kind) ?? []));
      result = await runCli(['decide', id, 'continue', '--why', 'go on', '--json'], { cwd: dir, env });
    }
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(4);
    expect(reasons).toContain('budget');
    // Once spent, a plain run says so and exits 4 again, without calling the model.
    const before = mock.getRequests().length;
    const again = await runCli(['run', id], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(4);
    expect(`${again.stdout}${again.stderr}`).toContain('the budget is spent');
    expect(again.stderr).not.toContain('    at ');
    expect(mock.getRequests().length).toBe(before);

    const sqlite = new Database(db, { readonly: true });
    try {
      const spent = sqlite.prepare('SELECT SUM(usd) AS usd, COUNT(*) AS calls FROM calls WHERE exploration_id = ?').get(id) as { usd: number; calls: number };
      expect(spent.usd).toBeLessThanOrEqual(CAP_USD);
      // The price came from the config file: 600 or 900 tokens in at $1/M, 2,000 out at $10/M.
      expect(spent.usd).toBeGreaterThan(spent.calls * 0.0206 - 1e-9);
      expect(spent.calls).toBe(mock.getRequests().length);
    } finally {
      sqlite.close();
    }
  });
});
