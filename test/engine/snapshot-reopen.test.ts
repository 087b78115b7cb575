import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { ExplorationEngine } from '../../src/explore/engine.js';
import type { ExplorationState } from '../../src/explore/state.js';
import { replay } from '../../src/explore/state.js';
import { createLocalEmbedding } from '../../src/models/local-embedding.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { STORY, tempDirs } from '../support/crash.js';

/**
 * Reopening from a state snapshot and the events after it is reopening from the whole log: the
 * same state, and the exploration goes on exactly alike (the same candidates, the same events).
 * A database without snapshots (older ones) still opens, by replaying its log.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

function shape(state: ExplorationState): unknown {
  const { nodes, pendingMoves, raisedKeys, textIds, indexes, openCheckpoint, ...rest } = state;
  return {
    ...rest,
    nodes: state.order.map((id) => nodes.get(id)),
    pending: [...pendingMoves.entries()],
    raised: [...raisedKeys],
    texts: [...textIds.entries()],
    open: openCheckpoint?.id ?? null,
    bestId: indexes.bestId,
    openLeaves: [...indexes.openLeaves],
    judged: indexes.judged.map((n) => n.candidate.id),
    ranked: indexes.ranked.toArray().map((n) => n.candidate.id),
  };
}

async function loaded(path: string, id: string): Promise<{ state: ExplorationState; replayed: ExplorationState }> {
  const store = openSqliteStore(path);
  try {
    const engine = await ExplorationEngine.load(
      { store, writer: undefined as never, judge: undefined as never, embedding: createLocalEmbedding() },
      id,
    );
    return { state: engine.state, replayed: replay(id, await store.readEvents(id)) };
  } finally {
    await store.close();
  }
}

function dropSnapshots(path: string): number {
  const db = new Database(path);
  try {
    return db.prepare('DELETE FROM exploration_snapshots').run().changes;
  } finally {
    db.close();
  }
}

async function goOn(path: string, id: string): Promise<{ events: unknown[]; state: ExplorationState }> {
  const baton = Baton.open({ store: openSqliteStore(path), latencyMs: 0 });
  try {
    await baton.decide(id, { action: 'continue', reason: 'keep going' });
    const events = await baton.store.readEvents(id);
    // Times are the clock's; everything else must be the same.
    return { events: events.map((e) => ({ seq: e.seq, event: JSON.parse(JSON.stringify(e.event, (key, value: unknown) => (key === 'createdAt' ? '' : value))) as unknown })), state: replay(id, events) };
  } finally {
    await baton.close();
  }
}

describe('reopening from a snapshot', () => {
  it('gives the state a replay of the whole log gives, and the exploration goes on alike', async () => {
    const dir = tmp.make('baton-snapshot-');
    const withSnapshot = join(dir, 'snapshot.db');
    const baton = Baton.open({ store: openSqliteStore(withSnapshot), latencyMs: 0 });
    const id = await baton.start(STORY, { seed: 5 });
    let outcome = await baton.run(id);
    expect(outcome.status).toBe('awaiting');
    // A checkpoint writes a snapshot once enough of the log is new: go on until one has.
    for (let i = 0; i < 8 && outcome.status === 'awaiting' && !(await baton.store.getSnapshot(id)); i += 1) {
      outcome = (await baton.decide(id, { action: 'continue', reason: 'until a snapshot is kept' })).outcome;
    }
    expect(outcome.status).toBe('awaiting');
    const snapshot = await baton.store.getSnapshot(id);
    await baton.close();
    // The checkpoint the run stopped at wrote one.
    expect(snapshot?.seq).toBeGreaterThan(0);

    const replayOnly = join(dir, 'replay.db');
    copyFileSync(withSnapshot, replayOnly);
    expect(dropSnapshots(replayOnly)).toBe(1);

    const fromSnapshot = await loaded(withSnapshot, id);
    expect(shape(fromSnapshot.state)).toEqual(shape(fromSnapshot.replayed));
    const fromLog = await loaded(replayOnly, id);
    expect(shape(fromLog.state)).toEqual(shape(fromSnapshot.state));

    const a = await goOn(withSnapshot, id);
    const b = await goOn(replayOnly, id);
    expect(a.events.length).toBeGreaterThan((snapshot?.seq ?? 0) + 1);
    expect(a.events).toEqual(b.events);
    expect(a.state.order).toEqual(b.state.order);
    expect(a.state.order.map((c) => a.state.nodes.get(c)?.candidate.text)).toEqual(b.state.order.map((c) => b.state.nodes.get(c)?.candidate.text));
  });
});
