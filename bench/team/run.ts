import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
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
 *    second, and the scaling efficiency from 1 to N workers (T1 / (N × TN)). Each worker count
 *    runs two batches of 32 on the same workers: "cold" right after they started (V8 has not
 *    optimized the hot code yet) and "warm" after it, as a team's long-running pool runs. Each
 *    batch reports the workers' CPU (from /proc) per model call, PostgreSQL's CPU and the cores
 *    the whole machine kept busy, so a run where the CPU rather than the model's latency set the
 *    pace shows as such. The workers' start-up is outside the timed windows and reported apart.
 *    BATON_BENCH_CPU_PROF=DIR writes each worker's V8 CPU profile there.
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
/**
 * Workers run compiled JavaScript, as an installed `baton worker` runs dist/: the worker is
 * bundled once (esbuild, packages left to node_modules) beside the repository's package.json.
 * Under tsx each worker spent ~3 s of CPU transpiling and loading before taking work, which
 * is nothing a team pays. BATON_BENCH_FROM_SOURCES=1 runs them through tsx instead.
 */
const FROM_SOURCES = process.env.BATON_BENCH_FROM_SOURCES === '1';
const BUNDLE = fileURLToPath(new URL('../../.bench-build/team-worker.mjs', import.meta.url));
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

/** What each worker said when it stopped: its CPU time in all and when it was ready, by child. */
const cpuOf = new WeakMap<ChildProcess, () => { total: number; atReady: number; calls: number }>();

function startWorkerProcess(url: string, lease = LEASE): Promise<ChildProcess> {
  const profile = process.env.BATON_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BATON_BENCH_CPU_PROF] : [];
  const entry = FROM_SOURCES ? ['--import', 'tsx', WORKER] : [BUNDLE];
  const child = spawn(process.execPath, [...profile, ...entry, url, String(SLOTS), String(lease), String(LATENCY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    cpuOf.set(child, () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        const said = JSON.parse(last) as { cpuSeconds?: number; readyCpuSeconds?: number; calls?: number };
        return { total: said.cpuSeconds ?? Number.NaN, atReady: said.readyCpuSeconds ?? Number.NaN, calls: said.calls ?? Number.NaN };
      } catch {
        return { total: Number.NaN, atReady: Number.NaN, calls: Number.NaN };
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

async function explorationsRunning(store: PostgresStore, among?: readonly string[]): Promise<number> {
  const { rows } = among
    ? await store.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM explorations WHERE status = 'running' AND id = ANY($1)", [among])
    : await store.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM explorations WHERE status = 'running'");
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

interface BatchFigures {
  seconds: number;
  explorationsPerSecond: number;
  callsPerSecond: number;
  calls: number;
  /** CPU the worker processes used during the batch (/proc): what the explorations cost them. */
  workerCpuSeconds: number;
  /** The workers' CPU per model call (ms). */
  workerCpuMsPerCall: number;
  /** CPU of the PostgreSQL backends serving the workers during the batch (their queries, commits included). */
  postgresCpuSeconds: number;
  /** Cores the whole machine kept busy during the batch (everyone's work), of `cores`. */
  machineCoresBusy: number;
}

interface ThroughputFigures {
  workers: number;
  /** The first 32 explorations, on workers that just started (code not yet optimized by V8). */
  cold: BatchFigures;
  /** The next 32, on the same workers: a pool that has been running, as a team's is. */
  warm: BatchFigures;
  /** CPU the worker processes used before they took work (start-up, module loading): outside the timed windows. */
  workerStartCpuSeconds: number;
  /** The load average when the run ended (1 min). */
  loadAverage: number;
}

/** CPU seconds a process used so far (/proc; NaN where there is none). */
function processCpu(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(after[11]) + Number(after[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU time of the machine so far, in seconds (/proc/stat; NaN where there is none). */
function machineCpu(): { busy: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/u).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
    return { busy: (total - idle) / 100 };
  } catch {
    return { busy: Number.NaN };
  }
}

/** The application_name the workers of a run connect with, so that their PostgreSQL backends can be found. */
const appName = (schema: string): string => `baton_bench_${schema}`.slice(0, 63);

/** CPU seconds used so far by each PostgreSQL backend serving the workers (pg_stat_activity, then /proc). */
async function backendsCpu(store: PostgresStore, app: string): Promise<Map<number, number>> {
  const { rows } = await store.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app]);
  return new Map(rows.map((row) => [row.pid, processCpu(row.pid)]));
}

async function batch(store: PostgresStore, queue: TeamQueue, ids: readonly string[], children: readonly ChildProcess[], app: string): Promise<BatchFigures> {
  const workersCpu = (): number => children.reduce((sum, child) => sum + processCpu(child.pid), 0);
  const machineBefore = machineCpu();
  const postgresBefore = await backendsCpu(store, app);
  const workersBefore = workersCpu();
  const started = performance.now();
  for (const id of ids) await queue.enqueue(id);
  while ((await explorationsRunning(store, ids)) > 0) await sleep(50);
  const seconds = (performance.now() - started) / 1000;
  const workerCpuSeconds = workersCpu() - workersBefore;
  const machineCoresBusy = (machineCpu().busy - machineBefore.busy) / seconds;
  const postgresAfter = await backendsCpu(store, app);
  // A backend that started during the batch counts whole; one that ended during it is missed (rare: the pools keep theirs).
  const postgresCpuSeconds = [...postgresAfter].reduce((sum, [pid, cpu]) => sum + cpu - (postgresBefore.get(pid) ?? 0), 0);
  const { rows } = await store.pool.query<{ n: number }>("SELECT COUNT(*) AS n FROM calls WHERE status = 'done' AND exploration_id = ANY($1)", [ids]);
  const calls = rows[0]?.n ?? 0;
  return {
    seconds,
    explorationsPerSecond: ids.length / seconds,
    callsPerSecond: calls / seconds,
    calls,
    workerCpuSeconds,
    workerCpuMsPerCall: (workerCpuSeconds * 1000) / calls,
    postgresCpuSeconds,
    machineCoresBusy,
  };
}

async function throughput(workers: number): Promise<ThroughputFigures> {
  const schema = `bench_team_${process.pid}_${workers}`;
  const url = urlFor(schema);
  await dropSchemas(schema, `${schema}_queue`);
  const { store, queue, ids } = await prepare(url, 2 * EXPLORATIONS, THROUGHPUT_LEASE);
  const app = appName(schema);
  const workerUrl = new URL(url);
  workerUrl.searchParams.set('application_name', app);
  const children = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(workerUrl.toString(), THROUGHPUT_LEASE)));
  const cold = await batch(store, queue, ids.slice(0, EXPLORATIONS), children, app);
  const warm = await batch(store, queue, ids.slice(EXPLORATIONS), children, app);
  const loadAverage = loadavg()[0] ?? Number.NaN;
  await stopAll(children);
  const workerStartCpuSeconds = children.reduce((sum, child) => sum + (cpuOf.get(child)?.().atReady ?? Number.NaN), 0);
  await queue.stop(false);
  await store.close();
  await dropSchemas(schema, `${schema}_queue`);
  return { workers, cold, warm, workerStartCpuSeconds, loadAverage };
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

if (!FROM_SOURCES) {
  await build({
    entryPoints: [WORKER],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
const LOAD_AT_START = loadavg()[0] ?? Number.NaN;
console.log(`load average at the start ${LOAD_AT_START.toFixed(2)}; workers run from ${FROM_SOURCES ? 'sources (tsx)' : 'a bundle (esbuild)'}`);
const runs: ThroughputFigures[] = [];
const WORKER_COUNTS = (process.env.BATON_BENCH_WORKERS ?? '1,2,4').split(',').filter(Boolean).map(Number);
const describe = (b: BatchFigures): string =>
  `${EXPLORATIONS} explorations in ${b.seconds.toFixed(1)} s — ${b.explorationsPerSecond.toFixed(2)} explorations/s, ${b.callsPerSecond.toFixed(1)} calls/s; ` +
  `workers' CPU ${b.workerCpuSeconds.toFixed(1)} s (${b.workerCpuMsPerCall.toFixed(1)} ms a call), PostgreSQL ${b.postgresCpuSeconds.toFixed(1)} s (${((b.postgresCpuSeconds * 1000) / b.calls).toFixed(1)} ms a call); ` +
  `machine ${b.machineCoresBusy.toFixed(2)} of ${cpus().length} cores busy`;
for (const workers of WORKER_COUNTS) {
  const figures = await throughput(workers);
  runs.push(figures);
  console.log(`${workers} worker(s), started with ${figures.workerStartCpuSeconds.toFixed(1)} s of CPU; load average at the end ${figures.loadAverage.toFixed(1)}`);
  console.log(`  cold: ${describe(figures.cold)}`);
  console.log(`  warm: ${describe(figures.warm)}`);
}
const efficiency = (phase: 'cold' | 'warm') => {
  const t1 = runs[0]?.[phase].seconds ?? Number.NaN;
  return runs.map((r) => ({ workers: r.workers, efficiency: t1 / (r.workers * r[phase].seconds) }));
};
const scaling = { cold: efficiency('cold'), warm: efficiency('warm') };
for (const phase of ['cold', 'warm'] as const) {
  for (const s of scaling[phase].slice(1)) console.log(`scaling 1 → ${s.workers} workers (${phase}): ${(s.efficiency * 100).toFixed(0)}%`);
}
const kill = await takeover();
console.log(
  `kill -9 of a worker mid-wave: taken over after ${kill.takeoverSeconds.toFixed(1)} s (lease ${LEASE} s); ${kill.doneAtKill} calls were done at the kill, ` +
    `${kill.resentAfterKill} of them made again; exploration ${kill.finished ? 'finished' : 'NOT finished'} by the other worker`,
);
const results = {
  at: new Date().toISOString(),
  loadAverageAtStart: LOAD_AT_START,
  workersFrom: FROM_SOURCES ? 'sources (tsx)' : 'bundle (esbuild)',
  setup: { explorations: EXPLORATIONS, latencyMs: LATENCY, slotsPerWorker: SLOTS, leaseSeconds: LEASE, throughputLeaseSeconds: THROUGHPUT_LEASE, cores: cpus().length, ...SETUP },
  throughput: runs,
  scaling,
  takeover: kill,
  targets: {
    scaling1to4: { target: 0.85, warm: (scaling.warm.at(-1)?.efficiency ?? 0) >= 0.85, cold: (scaling.cold.at(-1)?.efficiency ?? 0) >= 0.85 },
    takeoverSeconds: { target: 10, met: kill.takeoverSeconds <= 10 },
    resentAfterKill: { target: 0, met: kill.resentAfterKill === 0 },
  },
};
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
