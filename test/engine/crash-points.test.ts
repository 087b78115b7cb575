import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { replay } from '../../src/explore/state.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { SimulatedCrash, crashingStore } from '../support/crash-store.js';
import type { Snapshot } from '../support/crash.js';
import { STORY, comparable, crashInvariantProblems, readSnapshot, tempDirs } from '../support/crash.js';

/**
 * Every point a `kill -9` can land on, deterministically: the store dies before its N-th write
 * (each write is one SQLite transaction, so this is a kill between two transactions), a fresh
 * Baton resumes from the file, and the result must be the one of an uninterrupted run — no
 * duplicated candidate, every completed call reused rather than made again, the acknowledged
 * decision kept. The scenario: start, run to the first checkpoint, deepen its best card (with a
 * reason), run to the second checkpoint. The CLI-level test (test/crash) kills real processes at
 * random moments; this one covers every moment (some of them sampled), on two seeds. Set
 * BATON_SWEEP_SEEDS=3,7 to sweep every single write of other seeds (BATON_SWEEP_LOG=1 prints how
 * many points each sweep covers).
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const REASON = 'closest to the intent';

/** Drives the scenario from whatever the database holds: the same code starts and resumes. */
async function drive(baton: Baton, seed: number): Promise<void> {
  const existing = await baton.list();
  const id = existing[0]?.id ?? (await baton.start(STORY, { seed }));
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

async function cleanRun(seed: number): Promise<{ snapshot: Snapshot; writes: number; labels: string[] }> {
  const path = join(tmp.make('baton-points-'), 'clean.db');
  const counting = crashingStore(openSqliteStore(path));
  const baton = Baton.open({ store: counting.store, latencyMs: 0 });
  await drive(baton, seed);
  await baton.close();
  return { snapshot: readSnapshot(path), writes: counting.writes(), labels: counting.labels() };
}

interface PointResult {
  at: number;
  problems: string[];
  /** Completed calls at the crash that were made again (or changed) on resume. */
  rerun: string[];
  /** The decision was recorded before the crash (acknowledged), and is it still there at the end? */
  decisionRecorded: boolean;
  decisionKept: boolean;
  same: boolean;
  diff: string;
  /** Calls cut off by the crash (intent, no result), and what the spend says once resumed. */
  cutOff: number;
  possiblyBilledAfter: number;
}

async function crashAndResume(seed: number, at: number, clean: Snapshot): Promise<PointResult> {
  const path = join(tmp.make('baton-points-'), `crash-${at}.db`);
  const crashing = crashingStore(openSqliteStore(path), at);
  const first = Baton.open({ store: crashing.store, latencyMs: 0 });
  const error = await drive(first, seed).then(
    () => undefined,
    (e: unknown) => e,
  );
  await first.close();
  if (!(error instanceof SimulatedCrash)) throw new Error(`crash point ${at}: expected the simulated crash, got ${String(error)}`);

  const atCrash = readSnapshot(path);
  const resumed = Baton.open({ db: path, latencyMs: 0 });
  await drive(resumed, seed);
  await resumed.close();
  const after = readSnapshot(path);
  const store = openSqliteStore(path);
  const spendAfter = await store.spend(after.explorationId ?? '');
  await store.close();

  const finalCalls = new Map(after.calls.map((c) => [c.key, c]));
  const rerun = atCrash.calls
    .filter((c) => c.status === 'done')
    .filter((c) => {
      const now = finalCalls.get(c.key);
      // A writer's output released into its candidate (stored once) is not a re-run.
      return now?.status !== 'done' || (now.output !== c.output && now.output !== null) || now.finishedAt !== c.finishedAt;
    })
    .map((c) => c.key);
  const a = JSON.stringify(comparable(after));
  const b = JSON.stringify(comparable(clean));
  return {
    at,
    problems: [...crashInvariantProblems(atCrash).map((p) => `at the crash: ${p}`), ...crashInvariantProblems(after)],
    rerun,
    decisionRecorded: atCrash.decisions.some((d) => d.reason === REASON),
    decisionKept: after.decisions.some((d) => d.reason === REASON),
    same: a === b,
    diff: a === b ? '' : firstDifference(comparable(after), comparable(clean)),
    cutOff: atCrash.calls.filter((c) => c.status === 'intent').length,
    possiblyBilledAfter: spendAfter.possiblyBilled,
  };
}

function firstDifference(actual: ReturnType<typeof comparable>, expected: ReturnType<typeof comparable>): string {
  const n = Math.max(actual.candidates.length, expected.candidates.length);
  for (let i = 0; i < n; i += 1) {
    const x = actual.candidates[i];
    const y = expected.candidates[i];
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      const show = (c: (typeof actual.candidates)[number] | undefined): string => (c ? JSON.stringify({ ...c, text: c.text.slice(0, 60) }) : 'none');
      return `candidate ${i + 1}: resumed ${show(x)} … clean ${show(y)}`;
    }
  }
  for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
    const x = JSON.stringify(actual[key]);
    const y = JSON.stringify(expected[key]);
    if (x !== y) return `${key}: resumed ${x.slice(0, 300)} … clean ${y.slice(0, 300)}`;
  }
  return '';
}

/** Seeds, and how densely to sample the (many, alike) points between a call's intent and result. */
const SWEEPS = process.env.BATON_SWEEP_SEEDS
  ? process.env.BATON_SWEEP_SEEDS.split(',').map((seed) => ({ seed: Number(seed), callStride: 1 }))
  : [
      { seed: 11, callStride: 3 },
      { seed: 29, callStride: 0 },
    ];

describe.each(SWEEPS)('a crash before any write, seed $seed', ({ seed, callStride }) => {
  let clean: { snapshot: Snapshot; writes: number; labels: string[] };
  const results: PointResult[] = [];
  const labelAt = (at: number): string => clean.labels[at - 1] ?? '?';

  beforeAll(async () => {
    clean = await cleanRun(seed);
    // Every write that is not a call's bookkeeping (start, plans, outcomes, marks, checkpoints,
    // the decision), and a sample of the calls' intents and results.
    const points = clean.labels
      .map((label, i) => ({ label, at: i + 1 }))
      .filter(({ label, at }) => (label !== 'beginCall' && label !== 'commit:calls') || (callStride > 0 && at % callStride === 0))
      .map(({ at }) => at);
    if (process.env.BATON_SWEEP_LOG) console.log(`seed ${seed}: ${points.length} of ${clean.writes} writes`);
    for (const at of points) results.push(await crashAndResume(seed, at, clean.snapshot));
  }, 120_000);

  it('runs the scenario uninterrupted to two checkpoints with a decision', () => {
    expect(clean.snapshot.checkpoints).toEqual(['.k1', '.k2']);
    expect(clean.snapshot.decisions).toEqual([expect.objectContaining({ action: 'deepen', reason: REASON })]);
    expect(crashInvariantProblems(clean.snapshot)).toEqual([]);
    // Every call made once: no intent left, none failed.
    expect(clean.snapshot.calls.every((c) => c.status === 'done')).toBe(true);
    expect(results.length).toBeGreaterThan(20);
  });

  it('keeps every invariant wherever the crash lands, and never makes a completed call again', () => {
    expect(results.filter((r) => r.problems.length > 0).map((r) => ({ at: r.at, problems: r.problems }))).toEqual([]);
    expect(results.filter((r) => r.rerun.length > 0).map((r) => ({ at: r.at, rerun: r.rerun }))).toEqual([]);
  });

  it('never loses an acknowledged decision', () => {
    // The scenario always ends up making it; where the crash came after it was recorded, it is the one kept.
    expect(results.filter((r) => !r.decisionKept).map((r) => r.at)).toEqual([]);
    expect(results.filter((r) => r.decisionRecorded).length).toBeGreaterThan(0);
  });

  it('resumes to exactly the uninterrupted exploration wherever else the crash lands', () => {
    const divergent = results.filter((r) => !r.same);
    expect(divergent.map((r) => `${r.at}/${clean.writes} (${labelAt(r.at)}): ${r.diff}`)).toEqual([]);
  });

  // Only the sweeps that crash between a call's intent and its result cut calls off.
  it.runIf(callStride > 0)('still counts the calls a crash cut off as possibly billed after resuming', () => {
    const cut = results.filter((r) => r.cutOff > 0);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.filter((r) => r.possiblyBilledAfter < r.cutOff).map((r) => `${r.at}: ${r.cutOff} cut off, ${r.possiblyBilledAfter} shown`)).toEqual([]);
  });

  it('has no crash point between a wave and its path.exhausted marks: they are committed together', () => {
    // Logs from before, where a crash could fall in between, are covered by restore-marks.test.ts.
    expect(results.filter((r) => labelAt(r.at) === 'commit:path.exhausted')).toEqual([]);
  });

  it('resumes exactly after a crash between a wave and the checkpoint it raises', () => {
    const points = results.filter((r) => labelAt(r.at) === 'commit:checkpoint.raised');
    expect(points.length).toBeGreaterThan(0);
    expect(points.filter((r) => !r.same).map((r) => `${r.at}: ${r.diff}`)).toEqual([]);
  });
});
