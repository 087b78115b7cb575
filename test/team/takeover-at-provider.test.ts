import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import type { Snapshot } from '../support/crash.js';
import { BIN, ROOT, comparable } from '../support/crash.js';
import { dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';
import type { CountingProvider } from './counting-provider.js';
import { startCountingProvider } from './counting-provider.js';
import { snapshotOf } from './store-snapshot.js';

/**
 * A worker killed with SIGKILL mid-wave, counted where calls are paid: at a loopback provider that
 * logs every request (by a hash of its body; its answers depend on the body alone). Another worker
 * takes the exploration over; the provider sees no request again except those that were in
 * flight at the kill, the exploration ends with the same candidates as an uninterrupted run (which
 * sent the same requests), and a decision made while no worker is alive is acted on when one
 * starts — no decision lost.
 */

const schemas: string[] = [];
const children = new Set<ChildProcess>();
const providers: CountingProvider[] = [];
const stores: PostgresStore[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const p of providers) await p.close();
  for (const s of stores) await s.close();
  for (const schema of schemas) {
    await dropSchema(schema);
    await dropSchema(`${schema}_queue`);
  }
});

const MODEL = 'openai:gpt-4o-mini';

interface Setup {
  url: string;
  provider: CountingProvider;
  reader: PostgresStore;
}

async function setup(): Promise<Setup> {
  const schema = uniqueSchema('takeover');
  schemas.push(schema);
  const provider = await startCountingProvider({ latencyMs: 120 });
  providers.push(provider);
  const url = schemaUrl(schema);
  const reader = openPostgresStore(url);
  stores.push(reader);
  await reader.ready;
  return { url, provider, reader };
}

function baton(s: Setup, args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: 'sk-takeover', OPENAI_BASE_URL: s.provider.url };
  delete env.BATON_DB;
  delete env.BATON_CONFIG;
  const child = spawn(process.execPath, [BIN, ...args, '--db', s.url], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function worker(s: Setup): Promise<ChildProcess> {
  const { child } = baton(s, ['worker', '--lease', '3', '--slots', '2']);
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

async function killed(child: ChildProcess): Promise<void> {
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGKILL');
  await closed;
}

async function inFlight(reader: PostgresStore): Promise<number> {
  const { rows } = await reader.pool.query<{ intents: number; done: number }>(
    "SELECT COUNT(*) FILTER (WHERE status = 'intent') AS intents, COUNT(*) FILTER (WHERE status = 'done') AS done FROM calls",
  );
  return (rows[0]?.done ?? 0) > 3 ? (rows[0]?.intents ?? 0) : 0;
}

const start = (s: Setup) => baton(s, ['run', EXAMPLE_BRIEFS.engineering, '--seed', '9', '--model', MODEL, '--judge', MODEL, '--json']);

/** Decides `continue` at the checkpoint with no worker alive, then lets one act on it; the second stretch's snapshot. */
async function decideWhileNoneAlive(s: Setup, id: string): Promise<Snapshot> {
  const decided = await baton(s, ['decide', id, 'continue', '--why', 'go on', '--no-run']).done;
  expect(decided.code, decided.stderr).toBe(0);
  expect((await s.reader.getExploration(id))?.status).toBe('running');
  const w = await worker(s);
  const resumed = await baton(s, ['run', id, '--json']).done;
  expect([0, 10]).toContain(resumed.code);
  await killed(w);
  return snapshotOf(s.reader);
}

describe.skipIf(skipWithoutPostgres)('a killed worker, counted at the provider', () => {
  it('is taken over with no completed call sent again, the same candidates, and no decision lost', async () => {
    // The uninterrupted run.
    const ref = await setup();
    const refWorker = await worker(ref);
    const refRun = await start(ref).done;
    expect(refRun.code, refRun.stderr).toBe(10);
    await killed(refWorker);
    const refFirst = await snapshotOf(ref.reader);
    const refSent = ref.provider.requests().map((r) => r.hash);
    expect(new Set(refSent).size).toBe(refSent.length);
    const refSecond = await decideWhileNoneAlive(ref, refFirst.explorationId ?? '');

    // The same, with its worker killed while calls are in flight.
    const s = await setup();
    const a = await worker(s);
    const run = start(s);
    let flying = 0;
    while ((flying = await inFlight(s.reader)) === 0) await sleep(10);
    await killed(a);
    const sentBeforeKill = s.provider.requests().length;
    const atKill = await snapshotOf(s.reader);
    const intentsAtKill = atKill.calls.filter((c) => c.status === 'intent').length;
    expect(intentsAtKill).toBeGreaterThan(0);

    const b = await worker(s);
    const ran = await run.done;
    expect(ran.code, ran.stderr).toBe(10);
    await killed(b);
    const first = await snapshotOf(s.reader);

    // At the provider: what was sent before the kill and again after it can only be a call that
    // was in flight then (no answer recorded); every other request is sent once.
    const log = s.provider.requests();
    const before = new Set(log.slice(0, sentBeforeKill).map((r) => r.hash));
    const again = log.slice(sentBeforeKill).filter((r) => before.has(r.hash));
    expect(again.length).toBeLessThanOrEqual(intentsAtKill);
    const doneAtKill = new Set(atKill.calls.filter((c) => c.status === 'done').map((c) => c.key));
    const final = new Map(first.calls.map((c) => [c.key, c]));
    expect(atKill.calls.filter((c) => doneAtKill.has(c.key) && final.get(c.key)?.finishedAt !== c.finishedAt)).toEqual([]);
    // As many distinct requests as the uninterrupted run (their bodies name the exploration, so
    // they are compared by count), every one of them once but for those resent; the same candidates.
    expect(new Set(log.map((r) => r.hash)).size).toBe(refSent.length);
    expect(log.length).toBe(refSent.length + again.length);
    expect(comparable(first)).toEqual(comparable(refFirst));

    // A decision made while no worker is alive is acted on by the next one to start.
    const second = await decideWhileNoneAlive(s, first.explorationId ?? '');
    expect(second.decisions).toEqual([expect.objectContaining({ action: 'continue', reason: 'go on' })]);
    // It explored on from there as the uninterrupted run did — as far as its budget allows: the
    // calls cut off by the kill count as possibly billed, so it may stop a little sooner.
    const explored = comparable(second).candidates;
    expect(explored.length).toBeGreaterThan(first.candidates.length);
    expect(explored).toEqual(comparable(refSecond).candidates.slice(0, explored.length));
    expect(flying).toBeGreaterThan(0);
  }, 300_000);
});
