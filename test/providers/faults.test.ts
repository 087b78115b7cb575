import type { JournalEntry } from '@copilotkit/aimock';
import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonError } from '../../src/errors.js';
import { isBatonError } from '../../src/errors.js';
import { concurrencyVariable, ProviderLimits } from '../../src/models/concurrency.js';
import type { ModelPort, ModelRequest } from '../../src/models/port.js';
import { mayHaveBeenBilled } from '../../src/models/port.js';
import { resolveModel } from '../../src/models/registry.js';
import type { RetryOptions } from '../../src/models/retry.js';
import { lens, makeBrief } from '../models/fixtures.js';
import { ADAPTERS, FAKE_KEY } from './adapters.js';

/**
 * Every fault type, against every adapter, over real HTTP on 127.0.0.1 through the real SDK
 * clients: aimock plays the faults (errors with Retry-After, malformed JSON, dropped connections,
 * latency), its journal counts the requests, and an injected sleep records the waits Baton asks
 * for — so nothing here depends on the clock.
 */

function request(marker: string): ModelRequest {
  return {
    task: { kind: 'open', brief: makeBrief(), lens: lens('invert') },
    messages: [
      { role: 'system', content: 'You write candidates for Baton.' },
      { role: 'user', content: `FAULT-MARKER ${marker}: write the candidate.` },
    ],
    seed: 7,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<BatonError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  if (!isBatonError(error)) throw error;
  return error;
}

for (const adapter of ADAPTERS) {
  describe(`faults of the ${adapter.provider} adapter`, () => {
    let mock: LLMock;
    let n = 0;

    beforeAll(async () => {
      mock = new LLMock({ port: 0, host: '127.0.0.1', ...(adapter.keyHeader ? { auth: { apiKeys: [FAKE_KEY] } } : {}) });
      await mock.start();
    });

    afterAll(async () => {
      await mock.stop();
    });

    /** A fresh marker, so that each test's fixtures and journal entries are its own. */
    function marker(name: string): string {
      n += 1;
      return `${adapter.provider}-${name}-${n}`;
    }

    function requestsFor(mark: string): JournalEntry[] {
      return mock.getRequests().filter((entry) => JSON.stringify(entry.body).includes(`FAULT-MARKER ${mark}:`));
    }

    /** A model whose waits are recorded (not taken), with the kind of each fault it retried. */
    function model(options: Omit<RetryOptions, 'sleep' | 'limiter'> = {}, env: Record<string, string> = {}): { port: ModelPort; waits: number[]; kinds: string[] } {
      const waits: number[] = [];
      const kinds: string[] = [];
      const port = resolveModel(adapter.modelId, {
        seed: 1,
        env: { ...adapter.env(mock), ...env },
        limits: new ProviderLimits(),
        retry: {
          random: () => 0.5,
          sleep: (ms) => {
            waits.push(ms);
            return Promise.resolve();
          },
          onRetry: (event) => kinds.push(event.fault.kind),
          ...options,
        },
      });
      return { port, waits, kinds };
    }

    /** The first answer is `fault`; the second a good one. */
    function faultThenAnswer(mark: string, fault: Parameters<LLMock['on']>[1], opts: Parameters<LLMock['on']>[2] = {}): void {
      mock.on({ userMessage: mark, sequenceIndex: 0 }, fault, opts);
      mock.on({ userMessage: mark, sequenceIndex: 1 }, { content: `Recovered ${mark}.` });
    }

    it('waits what Retry-After asks after a 429, then succeeds', async () => {
      const mark = marker('429');
      faultThenAnswer(mark, { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 7 });
      const { port, waits, kinds } = model();
      const response = await port.complete(request(mark));
      expect(response.text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['rate_limited']);
      expect(waits).toEqual([7_000]);
      expect(requestsFor(mark).map((r) => r.response.status)).toEqual([429, 200]);
    });

    it('backs off with jitter after a 500, then succeeds', async () => {
      const mark = marker('500');
      faultThenAnswer(mark, { error: { message: 'boom', type: 'server_error' }, status: 500 });
      const { port, waits, kinds } = model();
      expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['server_error']);
      // Full jitter: half (random() = 0.5) of the first bound, 1 s.
      expect(waits).toEqual([500]);
      expect(requestsFor(mark)).toHaveLength(2);
    });

    it('retries a malformed JSON body', async () => {
      const mark = marker('malformed');
      faultThenAnswer(mark, { content: 'never seen' }, { chaos: { malformedRate: 1 } });
      const { port, waits, kinds } = model();
      expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['malformed']);
      expect(waits).toHaveLength(1);
      expect(requestsFor(mark)).toHaveLength(2);
    });

    it('retries a connection cut off before the answer', async () => {
      const mark = marker('disconnect');
      faultThenAnswer(mark, { content: 'never seen' }, { chaos: { disconnectRate: 1 } });
      const { port, waits, kinds } = model();
      expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['connection']);
      expect(waits).toHaveLength(1);
    });

    it('abandons an attempt that outlasts the per-call timeout, and retries it', async () => {
      const mark = marker('timeout');
      // The first answer is held back until the test is over: only the timeout can end that attempt.
      let calls = 0;
      let finish: () => void = () => undefined;
      const over = new Promise<void>((resolve) => (finish = resolve));
      mock.on({ userMessage: mark }, async () => {
        calls += 1;
        if (calls === 1) {
          await over;
          return { content: 'too late' };
        }
        return { content: `Recovered ${mark}.` };
      });
      const { port, waits, kinds } = model({ timeoutMs: 100 });
      try {
        expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
        expect(kinds).toEqual(['timeout']);
        expect(waits).toHaveLength(1);
        expect(calls).toBe(2);
      } finally {
        finish();
      }
    });

    it('treats empty content as a fault and asks again', async () => {
      const mark = marker('empty');
      faultThenAnswer(mark, { content: '   \n' });
      const { port, kinds } = model();
      expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['empty']);
      expect(requestsFor(mark)).toHaveLength(2);
    });

    it('asks again once after a refusal', async () => {
      const mark = marker('refusal-once');
      faultThenAnswer(mark, { content: 'I cannot help with that.', finishReason: adapter.refusalFinishReason });
      const { port, kinds } = model();
      expect((await port.complete(request(mark))).text).toBe(`Recovered ${mark}.`);
      expect(kinds).toEqual(['refusal']);
    });

    it('fails clearly after a second refusal', async () => {
      const mark = marker('refusal');
      mock.on({ userMessage: mark }, { content: 'I cannot help with that.', finishReason: adapter.refusalFinishReason });
      const { port } = model();
      const error = await failureOf(port.complete(request(mark)));
      expect(error.code).toBe('provider_failure');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('refused to answer');
      expect(requestsFor(mark)).toHaveLength(2);
      // The model generated before refusing: the budget counts the call as possibly billed.
      expect(mayHaveBeenBilled(error)).toBe(true);
    });

    it('gives up after the last attempt of a persistent 500, as provider_failure', async () => {
      const mark = marker('outage');
      mock.on({ userMessage: mark }, { error: { message: 'down for maintenance', type: 'server_error' }, status: 500 });
      const { port, waits } = model({ maxAttempts: 3 });
      const error = await failureOf(port.complete(request(mark)));
      expect(error.code).toBe('provider_failure');
      expect(error.exitCode).toBe(3);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(adapter.modelId);
      expect(error.message).toContain('server error (HTTP 500)');
      expect(error.message).toContain('gave up after 3 attempts');
      // The bound doubles: half of 1 s, then half of 2 s.
      expect(waits).toEqual([500, 1_000]);
      expect(requestsFor(mark)).toHaveLength(3);
      // Rejected outright every time: nothing was generated, nothing billed.
      expect(mayHaveBeenBilled(error)).toBe(false);
    });

    it('gives up at once when Retry-After asks for more than the wait budget', async () => {
      const mark = marker('long-wait');
      mock.on({ userMessage: mark }, { error: { message: 'quota', type: 'rate_limit_error' }, status: 429, retryAfter: 600 });
      const { port, waits } = model({ maxTotalWaitMs: 60_000 });
      const error = await failureOf(port.complete(request(mark)));
      expect(error.message).toContain('rate limited (HTTP 429)');
      expect(error.message).toContain('asked to wait 600 s');
      expect(waits).toEqual([]);
      expect(requestsFor(mark)).toHaveLength(1);
    });

    if (adapter.keyVariable && adapter.keyHeader) {
      const variable = adapter.keyVariable;
      it('does not retry a refused key, and says which variable to check, never the key', async () => {
        const mark = marker('401');
        mock.on({ userMessage: mark }, { error: { message: `Incorrect API key provided: ${FAKE_KEY}`, type: 'authentication_error' }, status: 401 });
        const { port, waits } = model();
        const error = await failureOf(port.complete(request(mark)));
        expect(error.code).toBe('provider_failure');
        expect(error.retryable).toBe(false);
        expect(error.message).toContain(`the key in ${variable} was refused (HTTP 401)`);
        expect(error.message).not.toContain(FAKE_KEY);
        expect(waits).toEqual([]);
        expect(requestsFor(mark)).toHaveLength(1);
      });
    }

    it(`holds no more calls in flight than ${concurrencyVariable(adapter.provider)} allows`, async () => {
      const mark = marker('concurrency');
      const limit = 2;
      let inFlight = 0;
      let most = 0;
      let arrived = 0;
      let release: () => void = () => undefined;
      const full = new Promise<void>((resolve) => (release = resolve));
      mock.on({ userMessage: mark }, async () => {
        inFlight += 1;
        arrived += 1;
        most = Math.max(most, inFlight);
        // The first `limit` calls wait for one another, so the limit is reached every time; any
        // call beyond it would arrive while they still wait.
        if (arrived >= limit) release();
        await full;
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return { content: `Answer ${mark}.` };
      });
      const { port } = model({}, { [concurrencyVariable(adapter.provider)]: String(limit) });
      const answers = await Promise.all(Array.from({ length: 6 }, () => port.complete(request(mark))));
      expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 6 }, () => `Answer ${mark}.`));
      expect(most).toBe(limit);
      expect(requestsFor(mark)).toHaveLength(6);
    });
  });
}

describe('the concurrency setting', () => {
  it('refuses a value that is not a positive whole number, naming the variable', () => {
    const resolve = (): unknown => resolveModel('ollama:llama3.2', { seed: 1, env: { BATON_OLLAMA_CONCURRENCY: 'lots' } });
    expect(resolve).toThrow('BATON_OLLAMA_CONCURRENCY must be a whole number');
  });
});
