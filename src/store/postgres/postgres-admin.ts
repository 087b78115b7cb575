import { BatonError } from '../../errors.js';
import type { ExplorationRow } from '../sqlite-rows.js';
import type { NewFork } from '../store.js';
import type { Queryable } from './postgres-events.js';

/**
 * Managing explorations in Postgres: rename, archive, delete, fork — the same rules as SQLite's
 * (sqlite-admin.ts). Each function runs inside the caller's transaction and locks the rows it
 * changes, so two processes managing the same exploration take turns.
 */

async function lockedRow(db: Queryable, id: string): Promise<ExplorationRow> {
  const { rows } = await db.query<ExplorationRow>('SELECT * FROM explorations WHERE id = $1 FOR UPDATE', [id]);
  const row = rows[0];
  if (!row) throw new BatonError('invalid_input', `No exploration "${id}".`, { cause: { id } });
  return row;
}

export async function renameRow(db: Queryable, id: string, title: string, at: string): Promise<ExplorationRow> {
  const clean = title.trim();
  if (clean === '') throw new BatonError('invalid_input', 'An exploration’s title cannot be empty.', { cause: { id } });
  if (clean.length > 200) throw new BatonError('invalid_input', `An exploration’s title is at most 200 characters (this one has ${clean.length}).`, { cause: { id } });
  await lockedRow(db, id);
  const { rows } = await db.query<ExplorationRow>('UPDATE explorations SET title = $2, updated_at = $3 WHERE id = $1 RETURNING *', [id, clean, at]);
  return rows[0] as ExplorationRow;
}

export async function archiveRow(db: Queryable, id: string, archived: boolean, at: string): Promise<ExplorationRow> {
  const row = await lockedRow(db, id);
  // Archiving again keeps the first date; the exploration itself is not "updated".
  const archivedAt = archived ? (row.archived_at ?? at) : null;
  const { rows } = await db.query<ExplorationRow>('UPDATE explorations SET archived_at = $2 WHERE id = $1 RETURNING *', [id, archivedAt]);
  return rows[0] as ExplorationRow;
}

export async function deleteRows(db: Queryable, id: string): Promise<void> {
  await lockedRow(db, id);
  // Lock the forks' rows too: a fork being created now waits, then finds its source gone.
  const forks = await db.query<{ id: string }>('SELECT id FROM explorations WHERE forked_from = $1 ORDER BY created_at FOR UPDATE', [id]);
  if (forks.rows.length > 0) {
    throw new BatonError('conflict', `Exploration ${id} has forks that share its candidates (${forks.rows.map((f) => f.id).join(', ')}); delete them first.`, {
      cause: { id, forks: forks.rows },
    });
  }
  const own = 'SELECT id FROM candidates WHERE exploration_id = $1';
  // The judgments it made (a fork's include some of shared candidates), and any of its own
  // candidates (none is left to another exploration: forks are refused above).
  await db.query(`DELETE FROM judgments WHERE exploration_id = $1 OR candidate_id IN (${own})`, [id]);
  for (const sql of [
    `DELETE FROM candidate_parents WHERE candidate_id IN (${own})`,
    'DELETE FROM candidates WHERE exploration_id = $1',
    'DELETE FROM decisions WHERE exploration_id = $1',
    'DELETE FROM checkpoints WHERE exploration_id = $1',
    'DELETE FROM calls WHERE exploration_id = $1',
    'DELETE FROM call_totals WHERE exploration_id = $1',
    'DELETE FROM exploration_snapshots WHERE exploration_id = $1',
    'DELETE FROM events WHERE exploration_id = $1',
    'DELETE FROM leases WHERE exploration_id = $1',
    'DELETE FROM explorations WHERE id = $1',
  ]) {
    await db.query(sql, [id]);
  }
}

export async function forkRows(db: Queryable, input: NewFork, at: string): Promise<ExplorationRow> {
  const source = await lockedRow(db, input.sourceId);
  if ((await db.query('SELECT 1 FROM explorations WHERE id = $1', [input.id])).rowCount) {
    throw new BatonError('conflict', `An exploration ${input.id} already exists.`, { cause: { id: input.id } });
  }
  const found = await db.query<{ seq: number }>(
    `SELECT seq FROM events WHERE exploration_id = $1 AND type = 'checkpoint.raised' AND payload_json::json->>'id' = $2`,
    [source.id, input.checkpointId],
  );
  const checkpointSeq = found.rows[0]?.seq;
  if (checkpointSeq === undefined) {
    throw new BatonError('invalid_input', `Exploration ${source.id} has no checkpoint "${input.checkpointId}".`, { cause: input });
  }
  // The brief in force at the checkpoint: the last redirect before it, else the first brief.
  const redirected = await db.query<{ brief_id: string | null }>(
    `SELECT payload_json::json->>'briefId' AS brief_id FROM events
     WHERE exploration_id = $1 AND type = 'brief.redirected' AND seq <= $2 ORDER BY seq DESC LIMIT 1`,
    [source.id, checkpointSeq],
  );
  const currentBriefId = redirected.rows[0]?.brief_id ?? source.brief_id;
  const { rows } = await db.query<ExplorationRow>(
    `INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at, forked_from, forked_at_checkpoint)
     VALUES ($1, $2, $3, 'awaiting', $4, $5, $6, $7, $8, $8, $9, $10) RETURNING *`,
    [input.id, source.brief_id, currentBriefId, source.seed, source.model, source.judge, input.title, at, source.id, input.checkpointId],
  );
  // Rows with a table of their own are referenced by id in the payloads: shared, not copied.
  await db.query(
    `INSERT INTO events (exploration_id, type, payload_json, at)
     SELECT $1, type, payload_json, at FROM events WHERE exploration_id = $2 AND seq <= $3 ORDER BY seq`,
    [input.id, source.id, checkpointSeq],
  );
  return rows[0] as ExplorationRow;
}

/** The candidate (or judgment) ids an exploration's log refers to, in log order. */
export async function referencedIds(db: Queryable, id: string, type: 'candidate.added' | 'candidate.judged'): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT payload_json::json->>'id' AS id FROM events WHERE exploration_id = $1 AND type = $2 ORDER BY seq`, [id, type]);
  return rows.map((r) => r.id);
}
