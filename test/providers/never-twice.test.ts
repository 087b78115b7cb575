import { LLMock } from '@copilotkit/aimock';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { tempDirs } from '../support/crash.js';
import { FAKE_KEY } from './adapters.js';
import { JUDGE_ANSWER, JUDGE_SYSTEM_MARK } from './loopback.js';

/**
 * Never the same work twice, counted where it is paid: at a loopback OpenAI endpoint that logs
 * every request. Its writer repeats itself (three drafts in turn), as a provider that honours the
 * seed does for equal requests — so the exploration meets identical texts, and must neither send
 * a byte-identical request nor ask the judge about a text twice.
 */

const tmp = tempDirs();
let mock: LLMock;
let drafts = 0;
const DRAFTS = [
  '1. Quarantine each flaky test within a day of its third rerun.\n2. Track reruns per shard weekly.\n3. Give the quarantine list an owner.',
  '1. Rerun failures once, then quarantine.\n2. Publish the quarantine list every Monday.\n3. The owner empties it each sprint.',
  '1. Tag flaky tests by shard.\n2. Fix the worst shard first.\n3. Nothing is deleted: quarantined tests still run nightly.',
];

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1', auth: { apiKeys: [FAKE_KEY] } });
  mock.on({ systemMessage: JUDGE_SYSTEM_MARK }, { content: JSON.stringify(JUDGE_ANSWER), usage: { prompt_tokens: 900, completion_tokens: 120 } });
  mock.on({ userMessage: /[\s\S]*/u }, () => {
    drafts += 1;
    return { content: DRAFTS[drafts % DRAFTS.length] as string, usage: { prompt_tokens: 600, completion_tokens: 60 } };
  });
  await mock.start();
});

afterAll(async () => {
  await mock.stop();
  tmp.cleanup();
});

describe('never the same work twice, at a provider that logs requests', () => {
  it('sends no byte-identical request and judges no text twice, through checkpoints to the end', async () => {
    const dir = tmp.make('baton-never-twice-');
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1` };
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, env, concurrency: 2 });
    let candidates: Array<{ id: string; text: string }> = [];
    try {
      const id = await baton.start(EXAMPLE_BRIEFS.engineering, { model: 'openai:gpt-4o-mini', judge: 'openai:gpt-4o-mini', seed: 5 });
      let outcome = await baton.run(id);
      for (let round = 0; round < 12 && outcome.status === 'awaiting'; round += 1) {
        const best = outcome.board.cards[0]?.candidateId;
        const exhausted = outcome.board.reasons.some((r) => r.kind === 'exhausted');
        outcome = exhausted && best
          ? (await baton.decide(id, { action: 'lens', lens: 'invert', reason: 'another angle' })).outcome
          : (await baton.decide(id, { action: 'continue', reason: 'go on' })).outcome;
      }
      candidates = (await baton.store.listCandidates(id)).map((c) => ({ id: c.id, text: c.text }));
      const view = await baton.show(id);
      // Copies were met, flagged, and given novelty 0.
      const copies = view.candidates.filter((c) => typeof c.duplicateOf === "string");
      expect(copies.length).toBeGreaterThan(0);
      for (const c of copies) expect(c.novelty).toBe(0);
    } finally {
      await baton.close();
    }

    const requests = mock.getRequests().filter((r) => r.response.status === 200);
    expect(requests.length).toBeGreaterThan(10);
    const bodies = requests.map((r) => JSON.stringify(r.body));
    const repeated = bodies.filter((body, i) => bodies.indexOf(body) !== i);
    expect(repeated).toEqual([]);

    // Each distinct text was judged once at most.
    const judged = requests.filter((r) => JSON.stringify(r.body).includes(JUDGE_SYSTEM_MARK)).map((r) => JSON.stringify(r.body));
    const distinctTexts = new Set(candidates.map((c) => c.text));
    expect(candidates.length).toBeGreaterThan(distinctTexts.size);
    expect(judged.length).toBe(distinctTexts.size);
  });
});
