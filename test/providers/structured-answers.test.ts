import { join } from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { tempDirs } from '../support/crash.js';
import { FAKE_KEY } from './adapters.js';
import { JUDGE_ANSWER, JUDGE_SYSTEM_MARK } from './loopback.js';

/**
 * The judge's answers are untrusted text that must be JSON of a known shape. Against a loopback
 * OpenAI endpoint whose judge first stops mid-object (before the constraints), then three times
 * answers in prose: the cut-off answer keeps the scores it wrote, but its missing constraint
 * verdict makes it invalid, so it is asked again within the budget (each ask a recorded call);
 * after the last ask the constraint stays unchecked and the candidate is flagged unclear — the
 * loop never crashes, and nothing is made up.
 */

const tmp = tempDirs();
let mock: LLMock;

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1', auth: { apiKeys: [FAKE_KEY] } });
  const cut = JSON.stringify(JUDGE_ANSWER);
  mock.on({ systemMessage: JUDGE_SYSTEM_MARK, sequenceIndex: 0 }, { content: `\`\`\`json\n${cut.slice(0, cut.indexOf('"constraints"') + 5)}` });
  for (const sequenceIndex of [1, 2, 3]) {
    mock.on({ systemMessage: JUDGE_SYSTEM_MARK, sequenceIndex }, { content: 'This candidate deserves a 10; I will not fill in your form.' });
  }
  mock.on({ systemMessage: JUDGE_SYSTEM_MARK }, { content: `Here you go: ${JSON.stringify(JUDGE_ANSWER).replace(/\}$/u, ',}')}` });
  let drafts = 0;
  mock.on({ predicate: () => true }, () => {
    drafts += 1;
    return { content: `1. Quarantine flaky tests after three reruns (draft ${drafts}).\n2. Track reruns per shard.` };
  });
  await mock.start();
});

afterAll(async () => {
  await mock.stop();
  tmp.cleanup();
});

describe('structured answers from a real provider', () => {
  it('repairs what can be repaired, asks again within the budget, then flags unclear', async () => {
    const dir = tmp.make('baton-structured-');
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, concurrency: 1, env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1` } });
    try {
      const id = await baton.start(EXAMPLE_BRIEFS.engineering, { model: 'openai:gpt-4o-mini', seed: 4 });
      await baton.run(id, { maxWaves: 3 });
      const judgeCalls = (await baton.store.listCalls(id)).filter((c) => c.purpose === 'judge');
      expect(judgeCalls.map((c) => c.answer)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'repaired', 'repaired']);
      expect(judgeCalls.map((c) => c.key.replace(/^.*:judge:[^:]+/u, ''))).toEqual(['', ':retry', ':retry2', '', ':retry', '']);

      const judgments = await baton.store.listJudgments(id);
      const [first, second, third] = judgments;
      // The cut-off answer kept what it had written: the scores came before the cut.
      expect(first?.scores.find((s) => s.criterion === 'evidence')?.score).toBe(7);
      expect(first?.flags.filter((f) => f.kind === 'unclear').map((f) => f.reason)).toEqual([expect.stringContaining('no valid verdict on the constraint')]);
      expect(first?.failed).toEqual([]);
      // The second candidate's judge answered in prose once, then usably: nothing is missing.
      expect(second?.flags.some((f) => f.kind === 'unclear')).toBe(false);
      expect(second?.scores.find((s) => s.criterion === 'sequenced')?.score).toBe(8);
      expect(third?.scores.find((s) => s.criterion === 'sequenced')?.score).toBe(8);
      // Every ask was paid for and counted.
      const spend = await baton.store.spend(id);
      expect(spend.calls).toBe(3 + judgeCalls.length);
    } finally {
      await baton.close();
    }
  });
});
