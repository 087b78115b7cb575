import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Budget } from '../../src/brief/schema.js';
import { BatonError } from '../../src/errors.js';
import { BudgetStop, recordedCall } from '../../src/explore/calls.js';
import { messagesFor } from '../../src/explore/prompts.js';
import { BudgetGuard, estimateCall } from '../../src/models/budget.js';
import type { ModelInfo, ModelPort, ModelRequest, ModelResponse, ModelTask } from '../../src/models/port.js';
import { markMayHaveBeenBilled } from '../../src/models/port.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { lens, makeBrief } from './fixtures.js';

/**
 * Budgets with calls in flight: many recorded calls at once, through the real call path and a
 * real (in-memory) SQLite store, against a priced model whose answers arrive in an order fast-check
 * chooses, use random amounts, and fail at random — rejected outright (not billed) or cut off
 * after the model generated (possibly billed). At every step: calls and tokens never pass their
 * caps, and dollars spent never pass the cap by more than the worst case of the calls in flight
 * (in fact never at all, since a call is only started when its worst case fits).
 */

const INFO: ModelInfo = {
  id: 'test:priced',
  label: 'test:priced',
  rehearsal: false,
  pricing: { inputPerMTok: 3, outputPerMTok: 15 },
  maxOutputTokens: 800,
};

const TASK: ModelTask = { kind: 'open', brief: makeBrief(), lens: lens('invert') };
const WORST = estimateCall(INFO, messagesFor(TASK));

interface Plan {
  /** Share of the estimated input and of the output cap really used. */
  inputShare: number;
  outputShare: number;
  outcome: 'answer' | 'rejected' | 'cut-off';
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  inputShare: fc.double({ min: 0, max: 1, noNaN: true }),
  outputShare: fc.double({ min: 0, max: 1, noNaN: true }),
  outcome: fc.constantFrom('answer', 'answer', 'answer', 'rejected', 'cut-off'),
});

const budgetArb: fc.Arbitrary<Budget> = fc
  .record(
    {
      calls: fc.integer({ min: 1, max: 30 }),
      tokens: fc.integer({ min: 1, max: 30 }).map((n) => n * WORST.tokens),
      usd: fc.double({ min: WORST.usd / 2, max: WORST.usd * 30, noNaN: true }),
    },
    { requiredKeys: [] },
  )
  .filter((b) => Object.keys(b).length > 0);

const EPSILON = 1e-9;

describe('budgets with calls in flight', () => {
  it('never lets calls, tokens or dollars pass their caps, whatever the timing, usage and failures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(planArb, { minLength: 1, maxLength: 40 }), budgetArb, fc.integer({ min: 1, max: 8 }), async (s, plans, limits, concurrency) => {
        const store = openSqliteStore(':memory:');
        const guard = new BudgetGuard(limits, { calls: 0, tokens: 0, usd: 0 });
        let inFlight = 0;
        let mostInFlight = 0;
        const assertWithinCaps = (): void => {
          const spent = guard.totals();
          if (limits.calls !== undefined) expect(spent.calls + inFlight).toBeLessThanOrEqual(limits.calls);
          if (limits.tokens !== undefined) expect(spent.tokens).toBeLessThanOrEqual(limits.tokens);
          // The bound — at most the worst case of the calls in flight over the cap — and the tighter truth.
          if (limits.usd !== undefined) {
            expect(spent.usd).toBeLessThanOrEqual(limits.usd + inFlight * WORST.usd + EPSILON);
            expect(spent.usd).toBeLessThanOrEqual(limits.usd + EPSILON);
          }
        };

        let started = 0;
        const port: ModelPort = {
          info: INFO,
          async complete(_request: ModelRequest): Promise<ModelResponse> {
            const plan = plans[started % plans.length] as Plan;
            started += 1;
            inFlight += 1;
            mostInFlight = Math.max(mostInFlight, inFlight);
            assertWithinCaps();
            try {
              await s.schedule(Promise.resolve(), 'answer');
              if (plan.outcome === 'rejected') throw new BatonError('provider_failure', 'test:priced: server error (HTTP 503)');
              if (plan.outcome === 'cut-off') throw markMayHaveBeenBilled(new BatonError('provider_failure', 'test:priced: the connection was cut off'));
              const usage = { inputTokens: Math.floor(WORST.inputTokens * plan.inputShare), outputTokens: Math.floor(INFO.maxOutputTokens * plan.outputShare) };
              return { text: 'an answer', usage, model: INFO.id };
            } finally {
              inFlight -= 1;
            }
          },
        };

        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < plans.length) {
            const index = next++;
            try {
              await recordedCall({ store, key: `call-${index}`, explorationId: 'x1', purpose: 'open', port, task: TASK, seed: 1, budget: guard });
            } catch (error) {
              if (error instanceof BudgetStop) return;
              if (!(error instanceof BatonError)) throw error;
            }
            assertWithinCaps();
          }
        };
        const workers = Promise.all(Array.from({ length: concurrency }, worker));
        await s.waitFor(workers);
        assertWithinCaps();

        // The store's record agrees with the guard: what a resumed run would start from.
        const spend = await store.spend('x1');
        const spent = guard.totals();
        expect(spend.calls).toBe(spent.calls);
        expect(spend.tokens).toBe(spent.tokens);
        expect(spend.usd).toBeCloseTo(spent.usd, 12);
        expect(spend.possiblyBilled).toBe(0);
        expect(mostInFlight).toBeLessThanOrEqual(concurrency);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses the call whose worst case would cross the dollar cap, counting the calls in flight', () => {
    const guard = new BudgetGuard({ usd: WORST.usd * 2.5 }, { calls: 0, tokens: 0, usd: 0 });
    const first = guard.reserve(WORST);
    const second = guard.reserve(WORST);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    // Two in flight: a third worst case would pass the cap, though nothing is spent yet.
    expect(guard.totals().usd).toBe(0);
    expect(guard.reserve(WORST)).toBeNull();
    // One settles cheaply: room again.
    guard.settle(first as NonNullable<typeof first>, { tokens: 10, usd: WORST.usd / 10 });
    expect(guard.reserve(WORST)).not.toBeNull();
  });
});
