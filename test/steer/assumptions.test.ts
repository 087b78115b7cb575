import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimPerson } from '../../bench/attention/person.js';
import { SimWorld } from '../../bench/attention/sim.js';
import { loadWorld } from '../../bench/attention/world.js';
import { briefSource } from '../../bench/attention/bench.js';
import type { RunOutcome } from '../../src/index.js';
import { Baton, isBatonError } from '../../src/index.js';
import { replay } from '../../src/explore/state.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { tempDirs } from '../support/crash.js';

/**
 * Skipping checkpoints, end to end through the library and a real SQLite file: a simulated
 * person whose taste is consistent answers Baton's checkpoints until Baton has learned enough to
 * assume one; the assumption is durable, on the next board, in the ledger, reversible, and the
 * state replayed from the database agrees with the live one. The `attentive` world, with a
 * larger budget and attention, on the first of a few seeds where the taste earns a skip.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const WORLD = join(import.meta.dirname, '../../bench/attention/worlds/attentive.json');

async function setUp(seed = 1): Promise<{ baton: Baton; id: string; person: SimPerson; db: string; texts: () => Promise<Map<string, string>> }> {
  // A roomier session than the shipped world: Baton asks only when an answer can still pay, so
  // the taste needs a longer exploration (and more attention) to earn a skip.
  const world = { ...(await loadWorld(WORLD)), budget: { calls: 320 }, attention: 30 };
  const dir = tmp.make('baton-assume-');
  const briefPath = join(dir, 'brief.md');
  await writeFile(briefPath, briefSource(world));
  const sim = new SimWorld(world, seed);
  const db = join(dir, 'baton.db');
  const baton = Baton.open({ db, models: { 'sim:attentive': () => sim.port() }, concurrency: 2 });
  const id = await baton.start(briefPath, { seed });
  const texts = async (): Promise<Map<string, string>> => new Map((await baton.store.listCandidates(id)).map((c) => [c.id, c.text]));
  return { baton, id, person: new SimPerson(sim), db, texts };
}

/** Answers checkpoints as the simulated person would, until a board shows an assumption (or the end). */
async function exploreUntilAssumed(assume: boolean, seed = 1): Promise<{ baton: Baton; id: string; outcome: RunOutcome; db: string; checkpoints: number }> {
  const { baton, id, person, db, texts } = await setUp(seed);
  let outcome = await baton.run(id, { assume });
  let checkpoints = 0;
  while (outcome.status === 'awaiting' && (outcome.board.assumed ?? []).length === 0) {
    checkpoints += 1;
    const byId = await texts();
    const terminal = outcome.board.reasons.some((r) => r.key === 'budget:spent' || r.key === 'exhausted');
    if (terminal) break;
    const cards = outcome.board.cards.map((c) => c.candidateId);
    const favourite = cards[person.favourite(cards.map((c) => byId.get(c) as string))] as string;
    outcome = (await baton.decide(id, { action: 'deepen', candidateIds: [favourite], reason: 'closest to what I want', run: { assume } })).outcome;
  }
  return { baton, id, outcome, db, checkpoints };
}

describe('assumptions: checkpoints skipped on the strength of taste', () => {
  it('records a skipped checkpoint as an assumption, shows it on the next board and in the ledger, and lets the person reverse it', async () => {
    // The first seed (of a few) on which the person's taste earns a skip: which one depends on the
    // exploration's path, not on what is tested here.
    let run = await exploreUntilAssumed(true, 1);
    for (let seed = 2; seed <= 8 && (run.outcome.board.assumed ?? []).length === 0; seed += 1) {
      await run.baton.close();
      run = await exploreUntilAssumed(true, seed);
    }
    const { baton, id, outcome, db } = run;
    try {
      const assumed = outcome.board.assumed ?? [];
      expect(assumed.length).toBeGreaterThan(0);
      const item = assumed[0];
      if (!item) throw new Error('no assumption');
      expect(item).toMatchObject({ action: 'deepen', reversed: false });
      expect(item.confidence).toBeGreaterThanOrEqual(0.5);
      expect(item.reasons.every((r) => r === 'conflict' || r === 'novelty')).toBe(true);
      expect(item.summary).toContain('assumed you would deepen');

      // Durable: an event in the log, an entry of kind assumption in the ledger.
      const events = await baton.store.readEvents(id);
      const event = events.find((e) => e.event.type === 'checkpoint.assumed');
      expect(event).toBeDefined();
      // Exploration went on as if the person had decided: the assumed deepening was planned.
      const planned = events.find((e) => e.event.type === 'move.planned' && e.event.move.directive === `${item.assumptionId}:0`);
      expect(planned?.event).toMatchObject({ move: { kind: 'deepen', parentIds: item.candidateIds } });
      const view = await baton.show(id);
      const entry = view.ledger.find((e) => e.kind === 'assumption');
      expect(entry?.assumption).toMatchObject({ id: item.assumptionId, candidateIds: item.candidateIds, reversedBy: null });
      expect(entry?.assumption?.backing.count).toBeGreaterThanOrEqual(12);
      expect(entry?.assumption?.backing.accuracy).toBeGreaterThanOrEqual(0.9);

      // Reversing prunes what the assumed deepening made, and is itself in the ledger.
      const made = view.candidates.filter((c) => c.parentIds[0] === item.candidateIds[0] && c.kind === 'deepen').map((c) => c.id);
      const { reversal } = await baton.reverse(id, { assumption: item.assumptionId.slice(id.length + 1), reason: 'I would have followed the other one' });
      expect(reversal.assumptionId).toBe(item.assumptionId);
      for (const c of reversal.prunedIds) expect(made).toContain(c);
      const after = await baton.show(id);
      for (const c of reversal.prunedIds) expect(after.candidates.find((x) => x.id === c)?.pruned).toBe(true);
      expect(after.ledger.find((e) => e.kind === 'reversal')?.reversal).toMatchObject({ assumptionId: item.assumptionId, reason: 'I would have followed the other one' });
      expect(after.ledger.find((e) => e.kind === 'assumption')?.assumption?.reversedBy).toBe(reversal.id);
      expect((await baton.board(id)).board.assumed?.[0]?.reversed).toBe(true);

      // Twice is a user mistake, and so is an unknown assumption: located errors, nothing written.
      const count = (await baton.store.readEvents(id)).length;
      for (const ref of [item.assumptionId, 'a99']) {
        const error = await baton.reverse(id, { assumption: ref }).catch((e: unknown) => e);
        expect(isBatonError(error) && error.exitCode).toBe(2);
      }
      expect((await baton.store.readEvents(id)).length).toBe(count);

      // The state replayed from the database (a fresh connection) is the live one.
      await baton.close();
      const store = openSqliteStore(db);
      const replayed = replay(id, await store.readEvents(id));
      await store.close();
      expect(replayed.assumptions.map((a) => a.id)).toContain(item.assumptionId);
      expect(replayed.reversals.map((r) => r.prunedIds)).toEqual([reversal.prunedIds]);
      for (const c of reversal.prunedIds) expect(replayed.nodes.get(c)?.pruned).toBe(true);
    } finally {
      await baton.close();
    }
  });

  it('never assumes when the person opts out: the same seed and answers raise every checkpoint', async () => {
    const { baton, id } = await exploreUntilAssumed(false);
    try {
      const events = await baton.store.readEvents(id);
      expect(events.some((e) => e.event.type === 'checkpoint.assumed')).toBe(false);
      expect(events.some((e) => e.event.type === 'checkpoint.raised')).toBe(true);
    } finally {
      await baton.close();
    }
  });
});
