import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { replay } from '../../src/explore/state.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { STORY, tempDirs } from '../support/crash.js';

/**
 * A wave commits its exhaustion marks with its candidates, so no crash falls between them. Logs
 * written before that (marks in a transaction of their own, a crash in between) lack them: the
 * engine restores them on resume, and the exploration goes on exactly as the intact one does.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

async function continueToNextCheckpoint(path: string): Promise<Map<string, string | null>> {
  const baton = Baton.open({ store: openSqliteStore(path), latencyMs: 0 });
  const [exploration] = await baton.list();
  const id = exploration?.id as string;
  await baton.decide(id, { action: 'continue', reason: 'keep going' });
  const state = replay(id, await baton.store.readEvents(id));
  await baton.close();
  return new Map(state.order.map((c) => [c, state.nodes.get(c)?.exhausted ?? null]));
}

describe('exhaustion marks missing from a log', () => {
  it('are restored on resume, and the run goes on as the intact one does', async () => {
    const dir = tmp.make('baton-marks-');
    const intact = join(dir, 'intact.db');
    const baton = Baton.open({ store: openSqliteStore(intact), latencyMs: 0 });
    const id = await baton.start(STORY, { seed: 11 });
    let outcome = await baton.run(id);
    // Go on until some path has been marked exhausted (the first question may come before any is).
    const marked = async (): Promise<boolean> => (await baton.store.readEvents(id)).some((e) => e.event.type === 'path.exhausted');
    while (outcome.status === 'awaiting' && !(await marked())) outcome = (await baton.decide(id, { action: 'continue', reason: 'keep going' })).outcome;
    await baton.close();

    const stripped = join(dir, 'stripped.db');
    copyFileSync(intact, stripped);
    const db = new Database(stripped);
    const removed = db.prepare("DELETE FROM events WHERE type = 'path.exhausted'").run().changes;
    db.close();
    expect(removed).toBeGreaterThan(0);

    const expected = await continueToNextCheckpoint(intact);
    const restored = await continueToNextCheckpoint(stripped);
    expect([...restored.values()].filter((r) => r !== null).length).toBeGreaterThan(0);
    expect(restored).toEqual(expected);
  });
});
