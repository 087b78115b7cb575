import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { JUDGE_ANSWER, JUDGE_SYSTEM_MARK } from '../providers/loopback.js';

/**
 * A loopback OpenAI chat-completions endpoint for the team tests, which counts where calls are
 * paid: every request in arrival order (who sent it, by its key; what, by a hash of its body), the
 * calls in flight at once, and marks the test puts between requests. Answers are a function of the
 * request body alone, so an interrupted run and an uninterrupted one get the same texts. It can
 * answer a chosen request with 429 and a Retry-After.
 */

export interface LoggedRequest {
  kind: 'request' | 'mark';
  /** The key it came with (which worker), or the mark's name. */
  who: string;
  /** sha256 of the body (the same call sent again has the same hash). */
  hash: string;
  judge: boolean;
  /** Arrival, ms on this process's clock. */
  at: number;
  /** Calls in flight, this one included, when it arrived. */
  inFlight: number;
  status: number;
}

export interface CountingProvider {
  url: string;
  log: LoggedRequest[];
  requests(): LoggedRequest[];
  maxInFlight(): number;
  /** Answers the `n`th request (from 1) with 429 and `Retry-After: seconds`. */
  rateLimitRequest(n: number, seconds: number): void;
  /** Puts a mark in the log (ordered with the requests). */
  mark(name: string): void;
  close(): Promise<void>;
}

const DRAFT_LINES = [
  'Quarantine each flaky test within a day of its third rerun.',
  'Track reruns per shard weekly and publish the list.',
  'Give the quarantine list an owner who empties it each sprint.',
  'Tag flaky tests by shard and fix the worst shard first.',
  'Nothing is deleted: quarantined tests still run nightly.',
  'Rerun a failure once, then quarantine it with a ticket.',
  'Count reruns per test in CI and alert above three a week.',
  'Budget one engineer-day a sprint for the quarantine list.',
];

/** A draft chosen by the request body's hash: the same request, the same answer. */
function draftFor(hash: string): string {
  const n = Number.parseInt(hash.slice(0, 8), 16);
  const pick = (i: number): string => DRAFT_LINES[(n >>> (i * 3)) % DRAFT_LINES.length] as string;
  return `1. ${pick(0)}\n2. ${pick(1)}\n3. ${pick(2)}\n(${hash.slice(0, 6)})`;
}

export async function startCountingProvider(options: { latencyMs: number }): Promise<CountingProvider> {
  const log: LoggedRequest[] = [];
  const limited = new Map<number, number>();
  let inFlight = 0;
  let max = 0;
  let numbered = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const hash = createHash('sha256').update(body).digest('hex');
        const judge = body.includes(JUDGE_SYSTEM_MARK);
        numbered += 1;
        const retryAfter = limited.get(numbered);
        inFlight += 1;
        max = Math.max(max, inFlight);
        const who = (req.headers.authorization ?? '').replace(/^Bearer\s+/u, '');
        const entry: LoggedRequest = { kind: 'request', who, hash, judge, at: Date.now(), inFlight, status: retryAfter !== undefined ? 429 : 200 };
        log.push(entry);
        if (retryAfter !== undefined) {
          inFlight -= 1;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
          res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } }));
          return;
        }
        await sleep(options.latencyMs);
        const content = judge ? JSON.stringify(JUDGE_ANSWER) : draftFor(hash);
        const usage = judge ? { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020 } : { prompt_tokens: 600, completion_tokens: 60, total_tokens: 660 };
        // In flight until the answer leaves: the caller's slot is held at least this long.
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${hash.slice(0, 12)}`,
            object: 'chat.completion',
            created: 1_700_000_000,
            model: 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage,
          }),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    log,
    requests: () => log.filter((e) => e.kind === 'request'),
    maxInFlight: () => max,
    rateLimitRequest: (n, seconds) => limited.set(n, seconds),
    mark: (name) => log.push({ kind: 'mark', who: name, hash: '', judge: false, at: Date.now(), inFlight, status: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
