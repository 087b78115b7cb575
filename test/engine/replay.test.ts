import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecideOptions } from '../../src/baton.js';
import { Baton } from '../../src/baton.js';
import type { Progress } from '../../src/explore/engine.js';
import type { DerivedIndexes } from '../../src/explore/indexes.js';
import { deriveIndexes } from '../../src/explore/indexes.js';
import type { ExplorationState } from '../../src/explore/state.js';
import { applyEvent, initialState, replay } from '../../src/explore/state.js';
import { assumedSinceLastDecision, buildBoard } from '../../src/steer/board.js';
import { tasteFromLedger } from '../../src/steer/taste/ledger.js';
import type { RunOutcome } from '../../src/steer/steering.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { tempDirs } from '../support/crash.js';
import { freshPostgresStore, skipWithoutPostgres } from '../support/postgres.js';

/**
 * Seeded property test of the exploration tree at the library level: explore an example brief
 * through random decisions (continue, deepen with feedback, prune, try the `invert` lens, combine)
 * and at every checkpoint hold the live engine's view against the event log:
 *
 * - the board the live engine built at the checkpoint is the board a replay of the log builds;
 * - every candidate the live engine reported (progress) has that quality in the replay;
 * - folding the log event by event, the incremental indexes always equal `deriveIndexes`;
 * - the store's tables hold exactly the replayed candidates (same text, parents, lens) and
 *   judgments; `show` lists the candidates in the replayed order.
 *
 * And the same seed with the same decisions, in another database, gives the same exploration.
 * Runs are fixed (fast-check's seed is pinned) so that the test is deterministic; set
 * BATON_FC_SEED to explore other seeds (BATON_REPLAY_LOG=1 prints each run's decisions), and pin
 * any failing one as a regression below.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const BRIEFS = [EXAMPLE_BRIEFS.story, EXAMPLE_BRIEFS.product, EXAMPLE_BRIEFS.engineering];
const MAX_CHECKPOINTS = 5;

type Choice = { action: 'continue' | 'deepen' | 'prune' | 'lens' | 'combine'; a: number; b: number };

const choiceArb: fc.Arbitrary<Choice> = fc.record({
  action: fc.constantFrom('continue', 'deepen', 'prune', 'lens', 'combine'),
  a: fc.nat({ max: 99 }),
  b: fc.nat({ max: 99 }),
});

/** `x1a2b3c.c12` → `c12`: decisions name candidates the way a person does, valid in any database. */
const short = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

/** Turns an abstract choice into a decision on this board. */
function decisionFor(outcome: RunOutcome, choice: Choice, step: number): DecideOptions {
  const cards = outcome.board.cards.map((c) => short(c.candidateId));
  const reason = `step ${step}: ${choice.action}`;
  const pick = (n: number): string => cards[n % cards.length] as string;
  switch (choice.action) {
    case 'continue':
      return { action: 'continue', reason };
    case 'lens':
      return { action: 'lens', lens: 'invert', reason };
    case 'deepen':
      if (cards.length === 0) return { action: 'continue', reason };
      return { action: 'deepen', candidateIds: [pick(choice.a)], feedback: 'make the ending quieter', reason };
    case 'prune':
      if (cards.length === 0) return { action: 'continue', reason };
      return { action: 'prune', candidateIds: [pick(choice.a)], reason };
    case 'combine': {
      if (cards.length < 2) return { action: 'continue', reason };
      const first = choice.a % cards.length;
      const second = (first + 1 + (choice.b % (cards.length - 1))) % cards.length;
      return { action: 'combine', candidateIds: [cards[first] as string, cards[second] as string], reason };
    }
  }
}

function comparableIndexes(indexes: DerivedIndexes): unknown {
  return {
    bestId: indexes.bestId,
    openLeaves: [...indexes.openLeaves].sort(),
    lensStats: [...indexes.lensStats.entries()].sort(([a], [b]) => a.localeCompare(b)),
    judgedCount: indexes.judgedCount,
    ranked: indexes.ranked.toArray().map((n) => n.candidate.id),
    judged: indexes.judged.map((n) => n.candidate.id).sort(),
    exhaustedCount: indexes.exhaustedCount,
    lensBest: [...indexes.lensBest.entries()].map(([lens, node]) => [lens, node.candidate.id]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    combined: [...indexes.combined].sort(),
  };
}

/** The live engine's view (outcome, progress) against the log and the tables, at a checkpoint. */
async function checkConsistency(baton: Baton, id: string, outcome: RunOutcome, progress: Progress[]): Promise<ExplorationState> {
  const events = await baton.store.readEvents(id);
  const replayed = replay(id, events);
  expect(replayed.status).toBe(outcome.status);

  // Folding event by event, the incremental indexes never drift from a recomputation.
  const incremental = initialState(id);
  for (const { seq, event } of events) {
    applyEvent(incremental, event, seq);
    expect(comparableIndexes(incremental.indexes), `indexes after event ${seq} (${event.type})`).toEqual(comparableIndexes(deriveIndexes(incremental)));
  }
  expect(incremental.order).toEqual(replayed.order);
  expect(comparableIndexes(replayed.indexes)).toEqual(comparableIndexes(incremental.indexes));

  // The board the live engine built is the one the replayed state (just before the checkpoint) builds.
  if (outcome.checkpoint) {
    const raisedAt = events.find((e) => e.event.type === 'checkpoint.raised' && e.event.checkpoint.id === outcome.checkpoint?.id);
    expect(raisedAt).toBeDefined();
    const before = replay(id, events.filter((e) => e.seq < (raisedAt?.seq ?? 0)));
    // The person's taste, learned from the ledger up to then, orders the board.
    const briefId = before.briefId;
    const criteria = (await baton.store.getBrief(briefId))?.brief.criteria.map((c) => c.id) ?? [];
    const taste = tasteFromLedger(before, criteria);
    const rebuilt = buildBoard({
      state: before,
      checkpointId: outcome.checkpoint.id,
      reasons: outcome.checkpoint.reasons,
      spend: outcome.board.spend,
      label: outcome.board.label,
      ...(taste.observations > 0 ? { taste: taste.score } : {}),
    });
    expect(rebuilt).toStrictEqual(outcome.board);
  }

  // Assumptions (skipped checkpoints) and reversals fold the same way live and replayed, and the
  // board's "assumed since you last looked" is the replayed state's.
  expect(incremental.assumptions).toStrictEqual(replayed.assumptions);
  expect(incremental.reversals).toStrictEqual(replayed.reversals);
  expect(outcome.board.assumed ?? []).toStrictEqual(assumedSinceLastDecision(replayed));

  // What the live engine reported as it went is what the log says.
  for (const p of progress) {
    if (p.type === 'candidate') expect(replayed.nodes.get(p.candidateId)?.judgment?.quality, p.candidateId).toBe(p.quality);
    if (p.type === 'exhausted') expect(replayed.nodes.get(p.candidateId)?.exhausted, p.candidateId).toBe(p.reason);
  }

  // The tables hold exactly the replayed tree.
  const stored = new Map((await baton.store.listCandidates(id)).map((c) => [c.id, c]));
  expect([...stored.keys()].sort()).toEqual([...replayed.order].sort());
  const judgments = new Map((await baton.store.listJudgments(id)).map((j) => [j.id, j]));
  for (const candidateId of replayed.order) {
    const node = replayed.nodes.get(candidateId);
    const row = stored.get(candidateId);
    expect(row?.text).toBe(node?.candidate.text);
    expect(row?.parentIds).toEqual(node?.candidate.parentIds);
    expect(row?.lensId).toBe(node?.candidate.lensId);
    if (node?.judgment) expect(judgments.get(node.judgment.id)).toStrictEqual(node.judgment);
  }

  const shown = await baton.show(id);
  expect(shown.candidates.map((c) => c.id)).toEqual(replayed.order);
  expect(shown.candidates.map((c) => c.quality)).toEqual(replayed.order.map((c) => replayed.nodes.get(c)?.judgment?.quality ?? null));
  return replayed;
}

interface Trace {
  decisions: DecideOptions[];
  checkpoints: number;
  /** Candidates relative to the exploration: id, parents, lens, text, quality. */
  candidates: unknown[];
  status: string;
}

/** Explores `brief` with `seed`, deciding by `choices`, checking consistency at every checkpoint. */
async function explore(store: Store, brief: string, seed: number, choices: readonly Choice[]): Promise<Trace> {
  const baton = Baton.open({ store, latencyMs: 0 });
  try {
    const id = await baton.start(brief, { seed });
    const progress: Progress[] = [];
    const onProgress = (p: Progress): void => void progress.push(p);
    let outcome = await baton.run(id, { onProgress });
    const decisions: DecideOptions[] = [];
    let checkpoints = 0;
    let state = await checkConsistency(baton, id, outcome, progress);
    while (outcome.status === 'awaiting' && checkpoints < MAX_CHECKPOINTS) {
      checkpoints += 1;
      const choice = choices[(checkpoints - 1) % choices.length] as Choice;
      const decision = decisionFor(outcome, choice, checkpoints);
      decisions.push(decision);
      progress.length = 0;
      outcome = (await baton.decide(id, { ...decision, run: { onProgress } })).outcome;
      state = await checkConsistency(baton, id, outcome, progress);
      expect(state.decisions.at(-1)).toMatchObject({ action: decision.action, reason: decision.reason });
    }
    const rel = (x: string): string => x.slice(id.length);
    return {
      decisions,
      checkpoints,
      status: state.status,
      candidates: state.order.map((c) => {
        const node = state.nodes.get(c);
        return {
          id: rel(c),
          parents: node?.candidate.parentIds.map(rel),
          lens: node?.candidate.lensId,
          text: node?.candidate.text,
          quality: node?.judgment?.quality ?? null,
          novelty: node?.judgment?.novelty ?? null,
          pruned: node?.pruned,
          exhausted: node?.exhausted,
        };
      }),
    };
  } finally {
    await baton.close();
  }
}

/** The second run's store: another SQLite file, or (the Postgres variant) a fresh Postgres schema. */
type SecondStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

async function property(briefIndex: number, seed: number, choices: Choice[], secondStore?: SecondStore): Promise<void> {
  const dir = tmp.make('baton-replay-');
  const brief = BRIEFS[briefIndex % BRIEFS.length] as string;
  const first = await explore(openSqliteStore(join(dir, 'a.db')), brief, seed, choices);
  const other = secondStore ? await secondStore() : undefined;
  const second = await explore(other?.store ?? openSqliteStore(join(dir, 'b.db')), brief, seed, choices).finally(() => other?.cleanup());
  // Same seed, same decisions (the boards agree, so the choices land on the same cards): same exploration.
  expect(second.decisions).toEqual(first.decisions);
  expect(second.candidates).toEqual(first.candidates);
  expect(second.status).toBe(first.status);
  if (process.env.BATON_REPLAY_LOG) {
    const decisions = first.decisions.map((d) => [d.action, ...(d.candidateIds ?? [])].join(' ')).join(', ');
    console.log(`brief ${briefIndex} seed ${seed}: ${first.checkpoints} checkpoints, ${first.candidates.length} candidates, ${first.status}; ${decisions}`);
  }
}

describe('exploration state, live against replayed, through random decisions', () => {
  it('agrees with the event log and the tables at every checkpoint, and is deterministic for a seed', async () => {
    const fcSeed = process.env.BATON_FC_SEED ? Number(process.env.BATON_FC_SEED) : 20_250_601;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 2 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(choiceArb, { minLength: 1, maxLength: MAX_CHECKPOINTS }),
        (briefIndex, seed, choices) => property(briefIndex, seed, choices),
      ),
      { numRuns: 15, seed: fcSeed, endOnFailure: true },
    );
  }, 180_000);
});

// The same property with the second run on Postgres: every check above holds against the Postgres
// store's tables and log, and a seed with its decisions gives the same exploration on both stores.
describe.skipIf(skipWithoutPostgres)('exploration state on Postgres, against the same run on SQLite', () => {
  it('agrees with the event log and the tables at every checkpoint, and with SQLite for a seed', async () => {
    const fcSeed = process.env.BATON_FC_SEED ? Number(process.env.BATON_FC_SEED) : 20_250_602;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 2 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(choiceArb, { minLength: 1, maxLength: MAX_CHECKPOINTS }),
        (briefIndex, seed, choices) => property(briefIndex, seed, choices, freshPostgresStore),
      ),
      { numRuns: 3, seed: fcSeed, endOnFailure: true },
    );
  }, 240_000);
});
