import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createBenchExploration } from '../engine/baton-workload.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { TeamQueue } from '../../src/team/queue.js';

/**
 * `npm run bench:team`: the team setting on the real PostgreSQL (BATON_BENCH_PG, default the local
 * `test` database; each run in schemas of its own, dropped afterwards).
 *
 * 1. Throughput: 32 explorations of the fake model (200 ms a call), each run to its first
 *    checkpoint, by 1, 2 and 4 worker processes (4 explorations at once each); explorations per
 *    second, and the scaling efficiency from 1 to N workers (T1 / (N × TN)).
 * 2. Takeover: the only worker, holding an exploration mid-wave, is killed with SIGKILL and
 *    another started; the time from the kill until the exploration's next call begins (the
 *    queue's lease is 5 s, its expiry check runs every second), and the completed calls made
 *    again after the kill (must be 0).
 * Figures go to stdout and bench/team/results.json.
 */

const BASE = process.env.BATON_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const EXPLORATIONS = Number(process.env.BATON_BENCH_EXPLORATIONS ?? 32);
const SLOTS = 4;
/**
 * The takeover is measured with a short lease (5 s: the time a killed worker's exploration waits);
 * throughput with the default lease (60 s), as a team runs it. A job runs waves for a third of
 * the lease and then hands the exploration on, reloading it: a 5 s lease reloads every 1.7 s,
 * which is CPU the workers spend on nothing but bookkeeping.
 */
const LEASE = 5;
const THROUGHPUT_LEASE = Number(process.env.BATON_BENCH_LEASE ?? 60);
const LATENCY = Number(process.env.BATON_BENCH_LATENCY ?? 200);
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const SETUP = { lenses: 3, attention: 3 };

function urlFor(schema: string): string {
  const url = new URL(BASE);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: BASE });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** What each worker said when it stopped: its CPU time, by child. */
const cpuOf = new WeakMap<ChildProcess, () => number>();

function startWorkerProcess(url: string, lease = LEASE): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, String(SLOTS), String(lease), String(LATENCY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    cpuOf.set(child, () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        return (JSON.parse(last) as { cpuSeconds?: number }).cpuSeconds ?? Number.NaN;
      } catch {
        return Number.NaN;
      }
    });
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('close', (code) => reject(new Error(`a worker stopped before it was ready (exit ${String(code)})`)));
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function explorationsRunning(store: PostgresStore): Promise<number> {
  const { rows } = await store.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM explorations WHERE status = 'running'");
  return rows[0]?.n ?? 0;
}

async function prepare(url: string, count: number, lease = LEASE): Promise<{ store: PostgresStore; queue: TeamQueue; ids: string[] }> {
  const store = openPostgresStore(url);
  await store.ready;
  const queue = new TeamQueue(store, { leaseSeconds: lease });
  await queue.start();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await createBenchExploration(store, SETUP, `xteam${String(i).padStart(3, '0')}`));
  return { store, queue, ids };
}

interface ThroughputFigures {
  workers: number;
  seconds: number;
  explorationsPerSecond: number;
  callsPerSecond: number;
  /** CPU time the worker processes used, in all: near cores × seconds means the CPU, not the model, was the limit. */
  workerCpuSeconds: number;
  /** The load average when the run ended (1 min). */
  loadAverage: number;
}

async function throughput(workers: number): Promise<ThroughputFigures> {
  const schema = `bench_team_${process.pid}_${workers}`;
  const url = urlFor(schema);
  await dropSchemas(schema, `${schema}_queue`);
  const { store, queue, ids } = await prepare(url, EXPLORATIONS, THROUGHPUT_LEASE);
  const children = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(url, THROUGHPUT_LEASE)));
  const started = performance.now();
  for (const id of ids) await queue.enqueue(id);
  while ((await explorationsRunning(store)) > 0) await sleep(50);
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await store.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM calls WHERE status = 'done'");
  const loadAverage = loadavg()[0] ?? Number.NaN;
  await stopAll(children);
  const workerCpuSeconds = children.reduce((sum, child) => sum + (cpuOf.get(child)?.() ?? Number.NaN), 0);
  await queue.stop(false);
  await store.close();
  await dropSchemas(schema, `${schema}_queue`);
  const calls = rows[0]?.n ?? 0;
  return { workers, seconds, explorationsPerSecond: EXPLORATIONS / seconds, callsPerSecond: calls / seconds, workerCpuSeconds, loadAverage };
}

interface TakeoverFigures {
  takeoverSeconds: number;
  doneAtKill: number;
  resentAfterKill: number;
  finished: boolean;
}

async function takeover(): Promise<TakeoverFigures> {
  const schema = `bench_team_${process.pid}_kill`;
  const url = urlFor(schema);
  await dropSchemas(schema, `${schema}_queue`);
  const { store, queue, ids } = await prepare(url, 1);
  const id = ids[0] ?? '';
  const first = await startWorkerProcess(url);
  await queue.enqueue(id);
  // Mid-wave: some calls done, some in flight.
  for (;;) {
    const { rows } = await store.pool.query<{ intents: number; done: number }>(
      "SELECT COUNT(*) FILTER (WHERE status = 'intent') AS intents, COUNT(*) FILTER (WHERE status = 'done') AS done FROM calls",
    );
    if ((rows[0]?.intents ?? 0) > 0 && (rows[0]?.done ?? 0) > 0) break;
    await sleep(5);
  }
  // The killed worker is the only one until then, so the exploration is surely in its hands;
  // the other starts right after the kill (its start-up overlaps the lease running out).
  first.kill('SIGKILL');
  const killedAt = performance.now();
  const killedAtIso = new Date().toISOString();
  await new Promise((resolve) => first.once('close', resolve));
  const done = new Map((await store.listCalls(id)).filter((c) => c.status === 'done').map((c) => [c.key, c.finishedAt]));
  const second = await startWorkerProcess(url);
  // Taken over: a call of the exploration begun after the kill, by the other worker.
  let takenAt = Number.NaN;
  for (let i = 0; i < 2400 && Number.isNaN(takenAt); i += 1) {
    const { rows } = await store.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM calls WHERE exploration_id = $1 AND started_at > $2', [id, killedAtIso]);
    if ((rows[0]?.n ?? 0) > 0) takenAt = performance.now();
    else await sleep(25);
  }
  for (let i = 0; i < 1200 && (await explorationsRunning(store)) > 0; i += 1) await sleep(50);
  const finished = (await explorationsRunning(store)) === 0;
  const after = new Map((await store.listCalls(id)).map((c) => [c.key, c]));
  const resent = [...done].filter(([key, finishedAt]) => after.get(key)?.status !== 'done' || after.get(key)?.finishedAt !== finishedAt).length;
  await stopAll([second]);
  await queue.stop(false);
  await store.close();
  await dropSchemas(schema, `${schema}_queue`);
  return { takeoverSeconds: (takenAt - killedAt) / 1000, doneAtKill: done.size, resentAfterKill: resent, finished };
}

const runs: ThroughputFigures[] = [];
const WORKER_COUNTS = (process.env.BATON_BENCH_WORKERS ?? '1,2,4').split(',').filter(Boolean).map(Number);
for (const workers of WORKER_COUNTS) {
  const figures = await throughput(workers);
  runs.push(figures);
  console.log(
    `${workers} worker(s): ${EXPLORATIONS} explorations in ${figures.seconds.toFixed(1)} s — ${figures.explorationsPerSecond.toFixed(2)} explorations/s, ` +
      `${figures.callsPerSecond.toFixed(1)} calls/s; workers used ${figures.workerCpuSeconds.toFixed(1)} s of CPU (${cpus().length} cores); load average ${figures.loadAverage.toFixed(1)}`,
  );
}
const t1 = runs[0]?.seconds ?? Number.NaN;
const scaling = runs.map((r) => ({ workers: r.workers, efficiency: t1 / (r.workers * r.seconds) }));
for (const s of scaling.slice(1)) console.log(`scaling 1 → ${s.workers} workers: ${(s.efficiency * 100).toFixed(0)}%`);
const kill = await takeover();
console.log(
  `kill -9 of a worker mid-wave: taken over after ${kill.takeoverSeconds.toFixed(1)} s (lease ${LEASE} s); ${kill.doneAtKill} calls were done at the kill, ` +
    `${kill.resentAfterKill} of them made again; exploration ${kill.finished ? 'finished' : 'NOT finished'} by the other worker`,
);
const results = {
  at: new Date().toISOString(),
  setup: { explorations: EXPLORATIONS, latencyMs: LATENCY, slotsPerWorker: SLOTS, leaseSeconds: LEASE, throughputLeaseSeconds: THROUGHPUT_LEASE, cores: cpus().length, ...SETUP },
  throughput: runs,
  scaling,
  takeover: kill,
  targets: {
    scaling1to4: { target: 0.85, met: (scaling.at(-1)?.efficiency ?? 0) >= 0.85 },
    takeoverSeconds: { target: 10, met: kill.takeoverSeconds <= 10 },
    resentAfterKill: { target: 0, met: kill.resentAfterKill === 0 },
  },
};
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
