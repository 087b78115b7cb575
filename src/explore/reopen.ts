import { BatonError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { NoveltyCodes } from './snapshot.js';
import { encodeSnapshot, readSnapshot, restoreSnapshot } from './snapshot.js';
import type { ExplorationState } from './state.js';
import { applyEvent, replay } from './state.js';

/**
 * Reopening an exploration: from its latest snapshot and the events after it when one was kept
 * (and can be read), from the whole log otherwise (older databases, a snapshot of another format).
 * Both give the same state; snapshot.test.ts and the engine's reopen tests hold them to it.
 */

export interface Reopened {
  state: ExplorationState;
  /** The novelty hash codes kept with the snapshot, if any. */
  codes: NoveltyCodes | undefined;
  /** The event the snapshot read covers up to (0: the log was replayed). */
  snapshotSeq: number;
}

export async function reopenState(store: Store, explorationId: string): Promise<Reopened> {
  const snapshot = await store.getSnapshot(explorationId);
  const reader = snapshot && readSnapshot(snapshot);
  if (reader && reader.body.id === explorationId) {
    // The snapshot first: every row it names was committed before it was written.
    const candidates = await store.listCandidates(explorationId);
    const judgments = await store.listJudgments(explorationId);
    const tail = await store.readEvents(explorationId, reader.body.lastSeq);
    const restored = restoreSnapshot(reader, new Map(candidates.map((c) => [c.id, c])), new Map(judgments.map((j) => [j.id, j])));
    if (restored) {
      for (const { seq, event } of tail) applyEvent(restored.state, event, seq);
      return { state: restored.state, codes: restored.codes, snapshotSeq: reader.body.lastSeq };
    }
  }
  const events = await store.readEvents(explorationId);
  if (events.length === 0) throw new BatonError('not_found', `no exploration ${explorationId}`);
  return { state: replay(explorationId, events), codes: undefined, snapshotSeq: 0 };
}

/** Events between snapshots at least; and at least this share of the log, so writing them costs O(1) per event. */
const SNAPSHOT_EVERY = 2048;
const SNAPSHOT_SHARE = 0.5;
/**
 * At a checkpoint or an ending (where a run usually stops and the next command reopens): after
 * this many events, and this share of the log (each snapshot costs as much as the state is big).
 */
const SNAPSHOT_AT_REST = 32;
const SNAPSHOT_AT_REST_SHARE = 0.1;

/** Whether a snapshot is due after committing events up to `state.lastSeq`. */
export function snapshotDue(state: ExplorationState, snapshotSeq: number, atRest: boolean): boolean {
  const since = state.lastSeq - snapshotSeq;
  if (since <= 0) return false;
  return since >= Math.max(SNAPSHOT_EVERY, state.lastSeq * SNAPSHOT_SHARE) || (atRest && since >= Math.max(SNAPSHOT_AT_REST, state.lastSeq * SNAPSHOT_AT_REST_SHARE));
}

/** Writes the state's snapshot (with the novelty codes known so far). */
export async function writeSnapshot(store: Store, state: ExplorationState, codes: NoveltyCodes | undefined): Promise<number> {
  const snapshot = encodeSnapshot(state, codes);
  await store.putSnapshot(state.id, snapshot);
  return snapshot.seq;
}
