import type Database from 'better-sqlite3';
import { BatonError } from '../errors.js';
import type { ExplorationRow } from './sqlite-rows.js';
import type { NewFork } from './store.js';

/**
 * Managing explorations in SQLite: rename, archive, delete, fork. Rare operations, so their
 * statements are prepared when used rather than kept with the hot ones (sqlite-statements.ts).
 */

function rowOf(db: Database.Database, id: string): ExplorationRow {
  const row = db.prepare<[string], ExplorationRow>('SELECT * FROM explorations WHERE id = ?').get(id);
  if (!row) throw new BatonError('invalid_input', `No exploration "${id}".`, { cause: { id } });
  return row;
}

export function renameRow(db: Database.Database, id: string, title: string, at: string): ExplorationRow {
  const clean = title.trim();
  if (clean === '') throw new BatonError('invalid_input', 'An exploration’s title cannot be empty.', { cause: { id } });
  if (clean.length > 200) throw new BatonError('invalid_input', `An exploration’s title is at most 200 characters (this one has ${clean.length}).`, { cause: { id } });
  return db.transaction(() => {
    rowOf(db, id);
    db.prepare('UPDATE explorations SET title = ?, updated_at = ? WHERE id = ?').run(clean, at, id);
    return rowOf(db, id);
  }).immediate();
}

export function archiveRow(db: Database.Database, id: string, archived: boolean, at: string): ExplorationRow {
  return db.transaction(() => {
    const row = rowOf(db, id);
    // Archiving again keeps the first date; the exploration itself is not "updated".
    const archivedAt = archived ? (row.archived_at ?? at) : null;
    db.prepare('UPDATE explorations SET archived_at = ? WHERE id = ?').run(archivedAt, id);
    return rowOf(db, id);
  }).immediate();
}

/** Ids held in the `{"id": …}` payloads of an exploration's events of one type. */
const REFS = `SELECT json_extract(payload_json, '$.id') FROM events WHERE exploration_id = @id AND type = @type`;

export function deleteRows(db: Database.Database, id: string): void {
  db.transaction(() => {
    rowOf(db, id);
    const forks = db.prepare<[string], { id: string }>('SELECT id FROM explorations WHERE forked_from = ? ORDER BY created_at').all(id);
    if (forks.length > 0) {
      throw new BatonError('conflict', `Exploration ${id} has forks that share its candidates (${forks.map((f) => f.id).join(', ')}); delete them first.`, { cause: { id, forks } });
    }
    const own = `SELECT id FROM candidates WHERE exploration_id = @id`;
    const run = (sql: string, params: Record<string, string> = {}): void => {
      db.prepare(sql).run({ id, ...params });
    };
    // The judgments it made (a fork's include some of shared candidates), and any of its own
    // candidates (none is left to another exploration: forks are refused above).
    run(`DELETE FROM judgments WHERE exploration_id = @id OR candidate_id IN (${own})`);
    run(`DELETE FROM candidate_embeddings WHERE id IN (${own})`);
    run(`DELETE FROM candidate_parents WHERE candidate_id IN (${own})`);
    run('DELETE FROM candidates WHERE exploration_id = @id');
    run('DELETE FROM decisions WHERE exploration_id = @id');
    run('DELETE FROM checkpoints WHERE exploration_id = @id');
    run('DELETE FROM call_outputs WHERE key IN (SELECT key FROM calls WHERE exploration_id = @id)');
    run('DELETE FROM calls WHERE exploration_id = @id');
    run('DELETE FROM call_totals WHERE exploration_id = @id');
    run('DELETE FROM exploration_snapshots WHERE exploration_id = @id');
    run('DELETE FROM move_lenses WHERE exploration_id = @id');
    run('DELETE FROM events WHERE exploration_id = @id');
    run('DELETE FROM leases WHERE exploration_id = @id');
    run('DELETE FROM explorations WHERE id = @id');
  }).immediate();
}

interface LogRow {
  seq: number;
  type: string;
  payload_json: string;
  at: string;
}

export function forkRows(db: Database.Database, input: NewFork, at: string): ExplorationRow {
  return db.transaction(() => {
    const source = rowOf(db, input.sourceId);
    if (db.prepare('SELECT 1 FROM explorations WHERE id = ?').get(input.id)) {
      throw new BatonError('conflict', `An exploration ${input.id} already exists.`, { cause: { id: input.id } });
    }
    const checkpointSeq = db
      .prepare<[string, string], number>(`SELECT seq FROM events WHERE exploration_id = ? AND type = 'checkpoint.raised' AND json_extract(payload_json, '$.id') = ?`)
      .pluck()
      .get(source.id, input.checkpointId);
    if (checkpointSeq === undefined) {
      throw new BatonError('invalid_input', `Exploration ${source.id} has no checkpoint "${input.checkpointId}".`, { cause: input });
    }
    const log = db.prepare<[string, number], LogRow>('SELECT seq, type, payload_json, at FROM events WHERE exploration_id = ? AND seq <= ? ORDER BY seq').all(source.id, checkpointSeq);
    // The brief in force at the checkpoint: the last redirect before it, else the first brief.
    let currentBriefId = source.brief_id;
    for (const row of log) {
      if (row.type !== 'brief.redirected') continue;
      const briefId = (JSON.parse(row.payload_json) as { briefId?: unknown }).briefId;
      if (typeof briefId === 'string') currentBriefId = briefId;
    }
    db.prepare(
      `INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at, forked_from, forked_at_checkpoint)
       VALUES (?, ?, ?, 'awaiting', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.id, source.brief_id, currentBriefId, source.seed, source.model, source.judge, input.title, at, at, source.id, input.checkpointId);
    const insertEvent = db.prepare('INSERT INTO events (exploration_id, type, payload_json, at) VALUES (?, ?, ?, ?)');
    const lensJson = db.prepare<[number, string], string>('SELECT lens_json FROM move_lenses WHERE id = ? AND exploration_id = ?').pluck();
    const insertLens = db.prepare('INSERT OR IGNORE INTO move_lenses (exploration_id, lens_json) VALUES (?, ?)');
    const lensId = db.prepare<[string, string], number>('SELECT id FROM move_lenses WHERE exploration_id = ? AND lens_json = ?').pluck();
    for (const row of log) {
      insertEvent.run(input.id, row.type, row.type === 'move.planned' ? withOwnLens(row, source.id, input.id) : row.payload_json, row.at);
    }
    return rowOf(db, input.id);

    /** A planned move names a lens row of its exploration: the fork gets its own copy of that row. */
    function withOwnLens(row: LogRow, sourceId: string, forkId: string): string {
      const payload = JSON.parse(row.payload_json) as { move?: { lens?: unknown } };
      const ref = payload.move?.lens;
      if (typeof ref !== 'number' || payload.move === undefined) return row.payload_json;
      const json = lensJson.get(ref, sourceId);
      if (json === undefined) throw new BatonError('internal', `Event ${row.seq} refers to lens ${ref}, which is not stored.`);
      insertLens.run(forkId, json);
      payload.move.lens = lensId.get(forkId, json);
      return JSON.stringify(payload);
    }
  }).immediate();
}

/** The candidate (or judgment) ids a fork's log refers to, in log order. */
export function referencedIds(db: Database.Database, id: string, type: 'candidate.added' | 'candidate.judged'): string[] {
  return db.prepare<{ id: string; type: string }, string>(`${REFS} ORDER BY seq`).pluck().all({ id, type });
}
