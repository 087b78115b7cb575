import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBatonError } from '../../src/errors.js';
import type { ModelRequest } from '../../src/models/port.js';
import { resolveModel } from '../../src/models/registry.js';
import { lens, makeBrief } from '../models/fixtures.js';
import { ADAPTERS, FAKE_KEY } from './adapters.js';

/**
 * One provider suite, run against every model adapter over real HTTP on 127.0.0.1, through the
 * real SDK clients, against aimock speaking each provider's wire protocol.
 */

const SYSTEM = 'SYSTEM-MARKER: you write candidates for Baton.';

function request(marker: string): ModelRequest {
  return {
    task: { kind: 'open', brief: makeBrief(), lens: lens('invert') },
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `USER-MARKER ${marker}: write the candidate.` },
    ],
    seed: 7,
  };
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

for (const adapter of ADAPTERS) {
  describe(`the ${adapter.provider} adapter`, () => {
    let mock: LLMock;

    beforeAll(async () => {
      // With a key, the mock accepts only that key: a successful call proves it was sent.
      mock = new LLMock({ port: 0, host: '127.0.0.1', ...(adapter.keyHeader ? { auth: { apiKeys: [FAKE_KEY] } } : {}) });
      await mock.start();
    });

    afterAll(async () => {
      await mock.stop();
    });

    beforeEach(() => {
      mock.clearRequests();
    });

    it('describes itself as a real, labelled model', () => {
      const port = resolveModel(adapter.modelId, { seed: 1, env: adapter.env(mock) });
      expect(port.info).toMatchObject({ id: adapter.modelId, label: adapter.modelId, rehearsal: false });
      expect(port.info.maxOutputTokens).toBeGreaterThan(0);
    });

    it('returns the fixture text, the usage and the model that answered', async () => {
      const marker = `${adapter.provider}-complete`;
      mock.on({ userMessage: marker }, { content: `Candidate from ${adapter.provider}.`, usage: adapter.usage(42, 7) });
      const port = resolveModel(adapter.modelId, { seed: 1, env: adapter.env(mock) });
      const response = await port.complete(request(marker));
      expect(response.text).toBe(`Candidate from ${adapter.provider}.`);
      expect(response.usage).toEqual({ inputTokens: 42, outputTokens: 7 });
      expect(response.model.startsWith(`${adapter.provider}:`)).toBe(true);
    });

    it('sends the system prompt and the user content, with the key in the right header', async () => {
      const marker = `${adapter.provider}-journal`;
      mock.on({ userMessage: marker }, { content: 'ok' });
      const port = resolveModel(adapter.modelId, { seed: 1, env: adapter.env(mock) });
      await port.complete(request(marker));
      const entries = mock.getRequests();
      expect(entries).toHaveLength(1);
      const entry = entries[0]!;
      const body = JSON.stringify(entry.body);
      expect(body).toContain('SYSTEM-MARKER');
      expect(body).toContain(`USER-MARKER ${marker}`);
      if (adapter.keyHeader) {
        // The journal redacts key headers; the mock's key check (above) vouches for the value.
        expect(entry.headers[adapter.keyHeader.name]).toBeDefined();
        expect(entry.response.status).toBe(200);
      } else {
        expect(JSON.stringify(entry.headers)).not.toContain(FAKE_KEY);
        expect(entry.headers.authorization).toBeUndefined();
      }
      // The key travels in a header only, never in the body.
      expect(body).not.toContain(FAKE_KEY);
    });

    if (adapter.keyHeader) it('keeps the key out of its error message, even when the provider echoes it', async () => {
      const marker = `${adapter.provider}-refused`;
      mock.on({ userMessage: marker }, { error: { message: `Incorrect API key provided: ${FAKE_KEY}`, type: 'authentication_error' }, status: 401 });
      const port = resolveModel(adapter.modelId, { seed: 1, env: adapter.env(mock) });
      const error = await rejection(port.complete(request(marker)));
      expect(isBatonError(error)).toBe(true);
      if (!isBatonError(error)) return;
      expect(error.code).toBe('provider_failure');
      expect(error.message).toContain('401');
      expect(error.message).not.toContain(FAKE_KEY);
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(FAKE_KEY);
    });

    it('fails with a clear error when the server is unreachable', async () => {
      const env = Object.fromEntries(Object.entries(adapter.env(mock)).map(([k, v]) => [k, v === FAKE_KEY ? v : v.replace(/:\d+/u, ':9')]));
      // A refused connection is retried: the waits are skipped, not taken.
      const port = resolveModel(adapter.modelId, { seed: 1, env, retry: { sleep: () => Promise.resolve() } });
      const error = await rejection(port.complete(request('unreachable')));
      expect(isBatonError(error) && error.code).toBe('provider_failure');
      expect((error as Error).message).toContain(adapter.modelId);
      expect((error as Error).message).not.toContain(FAKE_KEY);
    });

    if (adapter.keyVariable) {
      const variable = adapter.keyVariable;
      it(`is refused when the model is resolved without ${variable}, naming the variable`, () => {
        const env: Record<string, string | undefined> = { ...adapter.env(mock), [variable]: undefined };
        const resolve = (): unknown => resolveModel(adapter.modelId, { seed: 1, env });
        if (adapter.provider === 'openai-compatible') {
          // The key is optional here: local servers (llama.cpp, vLLM) usually take none.
          expect(resolve).not.toThrow();
          return;
        }
        expect(resolve).toThrow(variable);
        try {
          resolve();
        } catch (error) {
          expect(isBatonError(error) && error.code).toBe('invalid_input');
          expect(isBatonError(error) && error.exitCode).toBe(2);
        }
      });
    }
  });
}
