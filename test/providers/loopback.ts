import type { ChatCompletionRequest, JournalEntry } from '@copilotkit/aimock';
import { LLMock } from '@copilotkit/aimock';
import type { AdapterCase } from './adapters.js';
import { FAKE_KEY } from './adapters.js';

/**
 * A loopback provider for whole explorations: aimock speaking one adapter's wire protocol, with a
 * judge that answers JSON, writers whose drafts differ, and faults placed on chosen requests.
 * aimock plays every fault; this file only decides which request gets which (a request is
 * numbered the first time aimock matches it, retries included).
 */

export type FaultName = 'rate_limited' | 'server_500' | 'server_503' | 'timeout' | 'reset' | 'truncated' | 'malformed_judge' | 'refusal' | 'empty';

export const JUDGE_SYSTEM_MARK = 'You are a strict, fair judge';

export const JUDGE_ANSWER = {
  scores: [
    { criterion: 'evidence', score: 7, reason: 'Cites rerun counts per shard.' },
    { criterion: 'durable', score: 6, reason: 'Names an owner for the quarantine list.' },
    { criterion: 'sequenced', score: 8, reason: 'Cheapest step first.' },
  ],
  constraints: [{ index: 2, pass: true, reason: 'Nothing is deleted.' }],
  flags: [],
  critique: 'Say how the quarantine list is kept short.',
};

export interface Loopback {
  mock: LLMock;
  /** Requests that reached the mock, in order (retries included). */
  requests(): JournalEntry[];
  /** Requests the judge received. */
  judgeRequests(): JournalEntry[];
  /** Requests numbered so far: every request that reached fixture matching (the journal may lag a cut-off one). */
  numbered(): number;
  /** Faults played so far, by request number. */
  played: Map<number, FaultName>;
  /** From this request number on, every request fails with HTTP 503 (a provider outage); none when null. */
  outageFrom: number | null;
}

/** Fixed usage per answer, in the field names of the adapter's wire format. */
const WRITER_USAGE = { input: 600, output: 80 };
const JUDGE_USAGE = { input: 900, output: 120 };

export async function startLoopback(adapter: AdapterCase, faults: ReadonlyMap<number, FaultName> = new Map()): Promise<Loopback> {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', ...(adapter.keyHeader ? { auth: { apiKeys: [FAKE_KEY] } } : {}) });
  const numbers = new WeakMap<object, number>();
  let seen = 0;
  const played = new Map<number, FaultName>();
  const loopback: Loopback = {
    mock,
    requests: () => mock.getRequests(),
    judgeRequests: () => mock.getRequests().filter((r) => JSON.stringify(r.body).includes(JUDGE_SYSTEM_MARK)),
    played,
    outageFrom: null,
    numbered: () => seen,
  };

  const numberOf = (req: ChatCompletionRequest): number => {
    let n = numbers.get(req);
    if (n === undefined) {
      seen += 1;
      n = seen;
      numbers.set(req, n);
    }
    return n;
  };
  const isJudge = (req: ChatCompletionRequest): boolean => JSON.stringify(req.messages).includes(JUDGE_SYSTEM_MARK);
  const faultOf = (req: ChatCompletionRequest): FaultName | undefined => {
    const n = numberOf(req);
    const fault = faults.get(n);
    if (fault === 'malformed_judge' && !isJudge(req)) return undefined;
    if (fault !== undefined) played.set(n, fault);
    return fault;
  };
  const when = (name: FaultName) => ({ predicate: (req: ChatCompletionRequest) => faultOf(req) === name });

  mock.on({ predicate: (req) => loopback.outageFrom !== null && numberOf(req) >= loopback.outageFrom }, { error: { message: 'service unavailable', type: 'overloaded_error' }, status: 503 });
  mock.on(when('rate_limited'), { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 1 });
  mock.on(when('server_500'), { error: { message: 'boom', type: 'server_error' }, status: 500 });
  mock.on(when('server_503'), { error: { message: 'overloaded', type: 'overloaded_error' }, status: 503 });
  // The per-call timeout is 1 s in these runs (the user config's retry.timeoutSeconds).
  mock.on(when('timeout'), { content: 'too late' }, { chaos: { latencyMs: 3_000 } });
  mock.on(when('reset'), { content: 'never seen' }, { chaos: { disconnectRate: 1 } });
  mock.on(when('truncated'), { content: 'never seen' }, { chaos: { malformedRate: 1 } });
  mock.on(when('refusal'), { content: 'I cannot help with that.', finishReason: adapter.refusalFinishReason });
  mock.on(when('empty'), { content: '  ' });
  // A judge answer cut off mid-JSON: the provider call succeeded, the answer needs repair.
  mock.on(when('malformed_judge'), { content: JSON.stringify(JUDGE_ANSWER).slice(0, 120), usage: adapter.usage(JUDGE_USAGE.input, JUDGE_USAGE.output) });

  mock.on({ systemMessage: JUDGE_SYSTEM_MARK }, { content: JSON.stringify(JUDGE_ANSWER), usage: adapter.usage(JUDGE_USAGE.input, JUDGE_USAGE.output) });
  let drafts = 0;
  // Every chat request the judge does not take (embedding requests are left to `onEmbedding`).
  mock.on({ predicate: (req) => req.embeddingInput === undefined }, () => {
    drafts += 1;
    const variant = ['per shard', 'per test owner', 'per browser suite', 'per database fixture', 'per week'][drafts % 5] ?? '';
    return {
      content: `1. Quarantine each flaky test within a day of its third rerun, counted ${variant} (draft ${drafts}).\n2. Track reruns ${variant} weekly and publish the list.\n3. Give the quarantine list an owner who empties it every sprint.`,
      usage: adapter.usage(WRITER_USAGE.input, WRITER_USAGE.output),
    };
  });
  await mock.start();
  return loopback;
}
