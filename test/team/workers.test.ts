import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Snapshot } from '../support/crash.js';
import { BIN, ROOT, STORY, comparable, tempDirs } from '../support/crash.js';
import { dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';
import { snapshotOf } from './store-snapshot.js';

/**
 * Workers on the team engine, through the real CLI: `baton run` on a postgres:// store queues the
 * exploration and waits; `baton worker` processes run it. A worker killed with SIGKILL in the
 * middle of a wave (calls in flight) is taken over by another once its lease runs out, and the
 * result is the uninterrupted in-process run's: no completed call made again, the same candidates.
 * A decision recorded while no worker is alive is acted on when one starts.
 */

const tmp = tempDirs();
const schema = uniqueSchema('workers');
const url = schemaUrl(schema);
const children = new Set<ChildProcess>();
/** One reader for the whole test: the store is read between (and, to find a call in flight, during) the children's writes. */
const reader = openPostgresStore(url);
await reader.ready;
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  tmp.cleanup();
  await reader.close();
  await dropSchema(schema);
});

const SEED = 5;
const LATENCY = '150';

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete e.BATON_DB;
  return e;
}

function baton(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A worker process, once it takes work (and has set the queue's lease to 3 s). */
async function worker(): Promise<ChildProcess> {
  const { child } = baton(['worker', '--db', url, '--lease', '3', '--slots', '2', '--latency', LATENCY]);
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

function snapshot(): Promise<Snapshot> {
  return snapshotOf(reader);
}

/** Waits until the store holds a call in flight: an intent without its result. */
async function callInFlight(): Promise<void> {
  for (let i = 0; i < 3000; i += 1) {
    const { rows } = await reader.pool.query<{ intents: number; done: number }>(
      "SELECT COUNT(*) FILTER (WHERE status = 'intent') AS intents, COUNT(*) FILTER (WHERE status = 'done') AS done FROM calls",
    );
    if ((rows[0]?.intents ?? 0) > 0 && (rows[0]?.done ?? 0) > 0) return;
    await sleep(10);
  }
  throw new Error('no call was ever in flight');
}

/** The same scenario in process on SQLite: the reference. */
async function reference(): Promise<{ first: Snapshot; second: Snapshot }> {
  const { readSnapshot } = await import('../support/crash.js');
  const db = join(tmp.make('baton-workers-'), 'ref.db');
  const b = Baton.open({ db, latencyMs: 0 });
  const id = await b.start(STORY, { seed: SEED });
  const outcome = await b.run(id);
  await b.close();
  const first = readSnapshot(db);
  const best = outcome.board.cards[0]?.candidateId ?? '';
  const again = Baton.open({ db, latencyMs: 0 });
  await again.decide(id, { action: 'deepen', candidateIds: [best], reason: 'the strongest', run: false });
  await again.run(id);
  await again.close();
  return { first, second: readSnapshot(db) };
}

describe.skipIf(skipWithoutPostgres)('workers on the team queue', () => {
  it('survive kill -9 mid-wave, pay nothing twice, and act on a decision made while none was alive', async () => {
    const ref = await reference();

    // Worker A starts the exploration; it is killed while calls are in flight.
    const a = await worker();
    const run = baton(['run', STORY, '--seed', String(SEED), '--db', url, '--json']);
    await callInFlight();
    await killed(a);
    const atKill = await snapshot();
    expect(atKill.status).toBe('running');

    // Worker B takes it over once A's lease runs out, and the waiting `run` gets its checkpoint.
    const b = await worker();
    const ran = await run.done;
    expect(ran.stderr).not.toMatch(/Error|bug/u);
    expect(ran.code).toBe(10);
    const first = await snapshot();
    const final = new Map(first.calls.map((c) => [c.key, c]));
    const resent = atKill.calls.filter((c) => c.status === 'done').filter((c) => final.get(c.key)?.finishedAt !== c.finishedAt);
    expect(resent).toEqual([]);
    expect(comparable(first)).toEqual(comparable(ref.first));

    // No worker alive: the decision is recorded and queued; a new worker acts on it.
    await killed(b);
    const id = first.explorationId ?? '';
    const best = (JSON.parse(ran.stdout) as { board: { cards: Array<{ candidateId: string }> } }).board.cards[0]?.candidateId ?? '';
    const decided = await baton(['decide', id, 'deepen', best, '--why', 'the strongest', '--no-run', '--db', url]).done;
    expect(decided.code).toBe(0);
    const c = await worker();
    const resumed = await baton(['run', id, '--db', url, '--json']).done;
    expect(resumed.code).toBe(10);
    const second = await snapshot();
    expect(second.decisions).toEqual([expect.objectContaining({ action: 'deepen', reason: 'the strongest' })]);
    expect(comparable(second)).toEqual(comparable(ref.second));
    await killed(c);
  }, 180_000);
});
