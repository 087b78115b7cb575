import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { isBatonError } from '../../src/errors.js';
import { BudgetStop, recordedCall } from '../../src/explore/calls.js';
import { messagesFor } from '../../src/explore/prompts.js';
import { BudgetGuard } from '../../src/models/budget.js';
import type { ModelInfo, ModelPort, ModelRequest, ModelResponse, ModelTask } from '../../src/models/port.js';
import { createRehearsalModel } from '../../src/models/rehearsal/index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { EXAMPLES, tempDir } from '../support/cli.js';
import { lens, makeBrief } from './fixtures.js';
import { readFileSync } from 'node:fs';

const LIGHTHOUSE = readFileSync(join(EXAMPLES, 'lighthouse-story.md'), 'utf8');

/** A provider's real worst case: every prompt byte a token (byte-level BPE never makes more), and every output token the request allows. */
function worstCasePort(info: ModelInfo, onCall: (request: ModelRequest) => Promise<void>): ModelPort {
  return {
    info,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      await onCall(request);
      const inputTokens = request.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content, 'utf8'), 0);
      return { text: 'an answer', usage: { inputTokens, outputTokens: request.maxOutputTokens ?? info.maxOutputTokens }, model: info.id };
    },
  };
}

describe('the dollar cap with calls in flight (#13, item 7)', () => {
  const INFO: ModelInfo = { id: 'test:priced', label: 'test:priced', rehearsal: false, pricing: { inputPerMTok: 3, outputPerMTok: 15 }, maxOutputTokens: 800 };
  // Prompts in a script where a character is several bytes: where a 4-characters-a-token guess is furthest off.
  const TASK: ModelTask = { kind: 'open', brief: makeBrief({ question: '灯台守の物語を書いてください。'.repeat(40) }), lens: lens('invert') };
  const oneCall = (() => {
    const inputTokens = messagesFor(TASK).reduce((sum, m) => sum + Buffer.byteLength(m.content, 'utf8'), 0);
    return (inputTokens * 3 + 800 * 15) / 1e6;
  })();

  it('is never passed, even when every call in flight costs its most (fast-check, scheduled answers)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.5, max: 12, noNaN: true }), fc.integer({ min: 1, max: 8 }), async (s, calls, capInCalls, concurrency) => {
        const cap = oneCall * capInCalls;
        const store = openSqliteStore(':memory:');
        const guard = new BudgetGuard({ usd: cap }, { calls: 0, tokens: 0, usd: 0 });
        const port = worstCasePort(INFO, async () => {
          await s.schedule(Promise.resolve(), 'answer');
        });
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < calls) {
            const index = next++;
            try {
              await recordedCall({ store, key: `c${index}`, explorationId: 'x1', purpose: 'open', port, task: TASK, seed: 1, budget: guard });
            } catch (error) {
              if (error instanceof BudgetStop) return;
              throw error;
            }
            expect(guard.totals().usd).toBeLessThanOrEqual(cap + 1e-12);
          }
        };
        await s.waitFor(Promise.all(Array.from({ length: concurrency }, worker)));
        expect((await store.spend('x1')).usd).toBeLessThanOrEqual(cap + 1e-12);
        await store.close();
      }),
      { numRuns: 120 },
    );
  });
});

/** The rehearsal model, priced: its worst case is ~24% of the cap, what it really costs a few percent. */
function pricedRehearsal(seed: number): ModelPort {
  const inner = createRehearsalModel({ seed });
  const info: ModelInfo = { ...inner.info, id: 'sim:priced', label: 'sim:priced', rehearsal: false, pricing: { inputPerMTok: 1, outputPerMTok: 200 } };
  return { info, complete: (request) => inner.complete(request) };
}

describe('budget messages (#13, item 6)', () => {
  it('say "spent" only when the next call cannot be paid for, and state the true share of the limit', { timeout: 120_000 }, async () => {
    const cap = 1;
    const baton = Baton.open({ db: ':memory:', concurrency: 4, models: { 'sim:priced': ({ seed }) => pricedRehearsal(seed) } });
    try {
      const source = LIGHTHOUSE.replace('budget:\n  calls: 120', `budget:\n  usd: ${cap}`).replace('attention: 4', 'attention: 20');
      const id = await baton.startFromSource(source, { seed: 3, model: 'sim:priced', judge: 'sim:priced' });
      const budgetMessages: Array<{ key: string; message: string; usd: number }> = [];
      let outcome = await baton.run(id, { assume: false });
      for (let round = 0; round < 30 && outcome.status === 'awaiting'; round += 1) {
        const spend = await baton.store.spend(id);
        for (const reason of outcome.checkpoint?.reasons ?? []) if (reason.kind === 'budget') budgetMessages.push({ key: reason.key, message: reason.reason, usd: spend.usd });
        outcome = (await baton.decide(id, { action: 'continue', reason: 'go on', run: { assume: false } })).outcome;
      }
      expect(budgetMessages.length).toBeGreaterThan(0);
      for (const { key, message, usd } of budgetMessages) {
        const share = Math.round((usd / cap) * 100);
        expect(message).toContain(`of $${cap} (${share}%)`);
        // The worst case of one call is under a quarter of the cap: "spent" (or "cannot pay") only past 3/4.
        if (key === 'budget:spent') expect(usd / cap, message).toBeGreaterThan(0.75);
      }
      expect((await baton.store.spend(id)).usd).toBeLessThanOrEqual(cap);
    } finally {
      await baton.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a provider that cannot be reached (#13, item 4)', () => {
  it('costs nothing: an outage never ends an exploration as "budget spent"', { timeout: 120_000 }, async () => {
    const dir = tempDir('baton-outage-');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'retry:\n  maxAttempts: 2\n');
    const env = { OPENAI_API_KEY: 'sk-test-outage', OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`, BATON_CONFIG: config, HOME: dir };
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, env, concurrency: 4 });
    try {
      const source = LIGHTHOUSE.replace('budget:\n  calls: 120', 'budget:\n  calls: 6\n  usd: 0.05');
      const id = await baton.startFromSource(source, { seed: 2, model: 'openai:gpt-4o-mini' });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const error: unknown = await baton.run(id).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isBatonError(error) && error.code, String(error)).toBe('provider_failure');
        expect(String((error as Error).message)).toContain('connection refused');
      }
      const spend = await baton.store.spend(id);
      expect(spend).toMatchObject({ calls: 0, tokens: 0, usd: 0, possiblyBilled: 0 });
      expect((await baton.store.getExploration(id))?.status).toBe('running');
    } finally {
      await baton.close();
    }
  });
});
