import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { SharedProviderLimits } from '../../src/team/shared-limits.js';
import { BIN, ROOT, tempDirs } from '../support/crash.js';
import { dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';
import type { CountingProvider, LoggedRequest } from './counting-provider.js';
import { startCountingProvider } from './counting-provider.js';

/**
 * Shared provider limits, counted where they matter: at a loopback provider that two real `baton
 * worker` processes (each with its own key, so the provider knows who sent what) call at once. The
 * user config sets 2 calls in flight and 300 requests a minute for the provider; each worker alone
 * would allow that much, so only a limit shared by both keeps the provider's counts within it. A
 * 429 with a long Retry-After, answered to one worker, holds the other one too, until the pause
 * is lifted.
 */

const tmp = tempDirs();
const schema = uniqueSchema('limits');
const url = schemaUrl(schema);
const children = new Set<ChildProcess>();
const CONCURRENCY = 2;
const PER_MINUTE = 300;
let provider: CountingProvider;
let configPath = '';

beforeAll(async () => {
  provider = await startCountingProvider({ latencyMs: 150 });
  configPath = join(tmp.make('baton-limits-'), 'config.yaml');
  writeFileSync(configPath, `providers:\n  openai:\n    concurrency: ${CONCURRENCY}\n    requestsPerMinute: ${PER_MINUTE}\n`);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await provider.close();
  tmp.cleanup();
  await dropSchema(schema);
  await dropSchema(`${schema}_queue`);
});

function env(key: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: key, OPENAI_BASE_URL: provider.url, BATON_CONFIG: configPath };
  delete e.BATON_DB;
  return e;
}

function baton(args: string[], key: string): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(key), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done };
}

async function worker(key: string): Promise<ChildProcess> {
  const { child } = baton(['worker', '--db', url, '--lease', '30', '--slots', '1'], key);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('taking explorations')) resolve();
    });
    child.once('close', () => reject(new Error(`the worker stopped: ${seen}`)));
  });
  return child;
}

function run(seed: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const model = 'openai:gpt-4o-mini';
  return baton(['run', EXAMPLE_BRIEFS.engineering, '--seed', String(seed), '--model', model, '--judge', model, '--db', url, '--json'], 'key-of-the-runner').done;
}

/** The most requests that arrived within any span of `spanMs`. */
function busiest(requests: LoggedRequest[], spanMs: number): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < requests.length; to += 1) {
    while ((requests[to] as LoggedRequest).at - (requests[from] as LoggedRequest).at >= spanMs) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

describe.skipIf(skipWithoutPostgres)('provider limits shared by the workers', () => {
  it('hold calls in flight and the request rate across two worker processes together', async () => {
    await worker('key-worker-a');
    await worker('key-worker-b');
    const runs = await Promise.all([run(1), run(2)]);
    for (const r of runs) expect(r.stderr).not.toMatch(/Error|bug/u);
    expect(runs.map((r) => r.code)).toEqual([10, 10]);

    const requests = provider.requests();
    // Both workers called the provider, and nobody else did.
    expect(new Set(requests.map((r) => r.who))).toEqual(new Set(['key-worker-a', 'key-worker-b']));
    // Calls in flight: never more than the shared limit, which the load did reach.
    expect(provider.maxInFlight()).toBe(CONCURRENCY);
    // Request rate: a fixed window of one second holding 5 requests; any span just under 3 s meets
    // at most 4 such windows (20 requests). Each worker alone allows 5 a second, so two unshared
    // limits would let about 30 through in such a span.
    expect(requests.length).toBeGreaterThan(30);
    expect(busiest(requests, 2_900)).toBeLessThanOrEqual(4 * (PER_MINUTE / 60));
  }, 240_000);

  it("make every worker wait out a 429's Retry-After, not only the one that got it", async () => {
    const before = provider.requests().length;
    // The 12th request from here (both workers are calling by then) gets a 429 asking for a minute's wait.
    provider.rateLimitRequest(before + 12, 60);
    const runs = Promise.all([run(3), run(4)]);
    let limited: LoggedRequest | undefined;
    while (!(limited = provider.requests().find((r) => r.status === 429))) await sleep(50);
    // Long enough for a worker that did not wait to send several requests (5 a second allowed).
    await sleep(3_000);
    provider.mark('pause lifted');
    const limits = new SharedProviderLimits(url);
    await limits.clearPause('openai');
    await limits.close();
    const done = await runs;
    expect(done.map((r) => r.code)).toEqual([10, 10]);

    const log = provider.log;
    const at429 = log.indexOf(limited);
    const lifted = log.findIndex((e) => e.kind === 'mark' && e.who === 'pause lifted');
    const during = log.slice(at429 + 1, lifted);
    const after = log.slice(lifted + 1).filter((e) => e.kind === 'request');
    const other = limited.who === 'key-worker-a' ? 'key-worker-b' : 'key-worker-a';
    // At most the calls that had passed the gate before the pause was written (the other slot).
    expect(during.length).toBeLessThanOrEqual(CONCURRENCY - 1);
    // The limited call was sent again only after the pause, and the other worker went on then too.
    expect(after.some((e) => e.hash === limited?.hash && e.who === limited.who)).toBe(true);
    expect(after.some((e) => e.who === other)).toBe(true);
    expect(log.slice(0, at429).some((e) => e.kind === 'request' && e.who === other && e.at >= (log[before]?.at ?? 0))).toBe(true);
  }, 240_000);
});
