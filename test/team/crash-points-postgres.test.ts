import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { replay } from '../../src/explore/state.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SimulatedCrash, crashingStore } from '../support/crash-store.js';
import type { Snapshot } from '../support/crash.js';
import { STORY, comparable, crashInvariantProblems } from '../support/crash.js';
import { dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';
import { snapshotOf } from './store-snapshot.js';

/**
 * test/engine/crash-points.test.ts against the Postgres store: the store dies before its N-th
 * write (each write is one Postgres transaction, so this is a kill between two commits), a fresh
 * Baton on a new connection pool resumes, and the result must be the uninterrupted run's — no
 * completed call made again, the acknowledged decision kept, the same candidates. About a dozen points
 * spread over the run, with the decision and the checkpoints among them (the SQLite test sweeps
 * every point; each point here costs a new schema and two runs).
 */

const REASON = 'closest to the intent';
const SEED = 11;
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

function freshUrl(): string {
  const schema = uniqueSchema('crash');
  schemas.push(schema);
  return schemaUrl(schema);
}

async function drive(baton: Baton): Promise<void> {
  const existing = await baton.list();
  const id = existing[0]?.id ?? (await baton.start(STORY, { seed: SEED }));
  for (let step = 0; step < 10; step += 1) {
    const state = replay(id, await baton.store.readEvents(id));
    if (state.status === 'running') {
      const outcome = await baton.run(id);
      if (outcome.status === 'running') return;
      continue;
    }
    if (state.status !== 'awaiting' || state.decisions.length > 0) return;
    const best = state.openCheckpoint?.board.cards[0]?.candidateId;
    if (!best) throw new Error('the first checkpoint shows no card');
    await baton.decide(id, { action: 'deepen', candidateIds: [best], reason: REASON, feedback: 'quieter ending' });
  }
  throw new Error('the scenario did not settle');
}

async function snapshotAt(url: string): Promise<Snapshot> {
  const store = openPostgresStore(url);
  try {
    return await snapshotOf(store);
  } finally {
    await store.close();
  }
}

interface PointResult {
  at: number;
  label: string;
  problems: string[];
  rerun: string[];
  decisionKept: boolean;
  same: boolean;
}

describe.skipIf(skipWithoutPostgres)('a crash before any write of the Postgres store', () => {
  let clean: Snapshot;
  let labels: string[] = [];
  const results: PointResult[] = [];

  beforeAll(async () => {
    const url = freshUrl();
    const counting = crashingStore(openPostgresStore(url));
    const baton = Baton.open({ store: counting.store, latencyMs: 0 });
    await drive(baton);
    await baton.close();
    clean = await snapshotAt(url);
    labels = counting.labels();
    // A dozen points, spread over the run, always including the decision and each checkpoint.
    const all = labels.map((label, i) => ({ label, at: i + 1 }));
    const stride = Math.ceil(all.length / 10);
    const points = all.filter(({ label, at }) => at % stride === 0 || label.includes('decision') || label.includes('checkpoint.raised'));
    for (const { at, label } of points) {
      const pointUrl = freshUrl();
      const crashing = crashingStore(openPostgresStore(pointUrl), at);
      const first = Baton.open({ store: crashing.store, latencyMs: 0 });
      const error = await drive(first).then(
        () => undefined,
        (e: unknown) => e,
      );
      await first.close();
      if (!(error instanceof SimulatedCrash)) throw new Error(`crash point ${at}: expected the simulated crash, got ${String(error)}`);
      const atCrash = await snapshotAt(pointUrl);
      const resumed = Baton.open({ db: pointUrl, latencyMs: 0, drive: 'in-process' });
      await drive(resumed);
      await resumed.close();
      const after = await snapshotAt(pointUrl);
      const final = new Map(after.calls.map((c) => [c.key, c]));
      const rerun = atCrash.calls
        .filter((c) => c.status === 'done')
        .filter((c) => {
          const now = final.get(c.key);
          return now?.status !== 'done' || (now.output !== c.output && now.output !== null) || now.finishedAt !== c.finishedAt;
        })
        .map((c) => c.key);
      results.push({
        at,
        label,
        problems: [...crashInvariantProblems(atCrash).map((p) => `at the crash: ${p}`), ...crashInvariantProblems(after)],
        rerun,
        decisionKept: after.decisions.some((d) => d.reason === REASON),
        same: JSON.stringify(comparable(after)) === JSON.stringify(comparable(clean)),
      });
    }
  }, 300_000);

  it('runs the scenario uninterrupted to two checkpoints with a decision', () => {
    expect(clean.checkpoints).toEqual(['.k1', '.k2']);
    expect(clean.decisions).toEqual([expect.objectContaining({ action: 'deepen', reason: REASON })]);
    expect(crashInvariantProblems(clean)).toEqual([]);
    expect(results.length).toBeGreaterThan(10);
  });

  it('keeps every invariant, never makes a completed call again, never loses the decision', () => {
    expect(results.filter((r) => r.problems.length > 0).map((r) => ({ at: r.at, problems: r.problems }))).toEqual([]);
    expect(results.filter((r) => r.rerun.length > 0).map((r) => ({ at: r.at, rerun: r.rerun }))).toEqual([]);
    expect(results.filter((r) => !r.decisionKept).map((r) => r.at)).toEqual([]);
  });

  it('resumes to exactly the uninterrupted exploration wherever the crash lands', () => {
    expect(results.filter((r) => !r.same).map((r) => `${r.at} (${r.label})`)).toEqual([]);
  });
});
