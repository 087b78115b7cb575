import type { PoolClient } from 'pg';
import type { ExplorationEvent, StoredEvent } from '../../explore/events.js';
import type { Candidate, Judgment } from '../../explore/types.js';
import type { Checkpoint, Decision } from '../../steer/types.js';
import { BatonError } from '../../errors.js';
import { InlineEventSchema, RefPayloadSchema, parseJsonAt, parseStoredJson, validateStored } from '../codecs.js';
import { encodeEmbedding } from '../embedding-codec.js';
import { isHotInlineEvent } from '../stored-shapes.js';
import { toCandidate, toCheckpoint, toDecision, toJudgment } from '../sqlite-rows.js';
import type { CandidateRow, CheckpointRow, DecisionRow, JudgmentRow } from '../sqlite-rows.js';

/**
 * Events whose data has a table of its own (candidates, judgments, checkpoints, decisions) are
 * written there and the log keeps the row's id; reading joins them back, a query per table for a
 * whole batch of events rather than one per event. Rows are shaped as the SQLite store's, so the
 * same converters (and the same checks of stored JSON) turn them into domain objects.
 */

export type Queryable = Pick<PoolClient, 'query'>;

function mismatch(what: string, id: string, explorationId: string): BatonError {
  return new BatonError('invalid_input', `${what} ${id} belongs to another exploration than ${explorationId}.`, { cause: { id, explorationId } });
}

/** Writes an event's own table row and returns the JSON the events row keeps. */
export async function writeEventData(db: Queryable, explorationId: string, event: ExplorationEvent): Promise<string> {
  switch (event.type) {
    case 'candidate.added': {
      const c = event.candidate;
      if (c.explorationId !== explorationId) throw mismatch('Candidate', c.id, explorationId);
      // One round trip: the row and its parents together. The engine relies on move_id being
      // unique to never run a move's candidate twice; a move that already has one inserts nothing.
      const embedding = encodeEmbedding(c.embedding);
      const inserted = await db.query<{ id: string }>({
        name: 'baton_candidate_insert',
        text: `WITH added AS (
                 INSERT INTO candidates (id, exploration_id, move_id, kind, lens_id, depth, text, embedding, embedding_scale, model, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (move_id) DO NOTHING RETURNING id),
               parents AS (
                 INSERT INTO candidate_parents (candidate_id, parent_id, position)
                 SELECT added.id, p.parent_id, p.position - 1 FROM added, unnest($12::text[]) WITH ORDINALITY AS p(parent_id, position))
               SELECT id FROM added`,
        values: [c.id, c.explorationId, c.moveId, c.kind, c.lensId, c.depth, c.text, Buffer.from(embedding.blob), embedding.scale, c.model, c.createdAt, c.parentIds],
      });
      if (inserted.rows.length === 0) {
        const existing = await db.query<{ id: string }>('SELECT id FROM candidates WHERE move_id = $1', [c.moveId]);
        const other = existing.rows[0]?.id ?? '?';
        throw new BatonError('conflict', `Move ${c.moveId} already produced candidate ${other}.`, { cause: { moveId: c.moveId, candidateId: other } });
      }
      return JSON.stringify({ id: c.id });
    }
    case 'candidate.judged': {
      const j = event.judgment;
      // A fork and its source may both judge a shared candidate under one brief version, and the
      // engine names both judgments alike: the second row takes a key of its own.
      // The key (judgmentKey's rule, in SQL) is chosen in the same statement as the insert.
      const inserted = await db.query<{ id: string }>({
        name: 'baton_judgment_insert',
        text: `INSERT INTO judgments (id, exploration_id, judgment_id, candidate_id, brief_id, quality, scores_json, failed_json, flags_json,
                                      critique, novelty, parent_similarity, judge, created_at)
               SELECT CASE WHEN h.holder IS NULL OR h.holder = $2 THEN $1 ELSE $1 || '@' || $2 END,
                      $2, CASE WHEN h.holder IS NULL OR h.holder = $2 THEN NULL ELSE $1 END,
                      $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
               FROM (SELECT (SELECT exploration_id FROM judgments WHERE id = $1) AS holder) h
               RETURNING id`,
        values: [
          j.id,
          explorationId,
          j.candidateId,
          j.briefId,
          j.quality,
          JSON.stringify(j.scores),
          JSON.stringify(j.failed),
          JSON.stringify(j.flags),
          j.critique,
          j.novelty,
          j.parentSimilarity,
          j.judge,
          j.createdAt,
        ],
      });
      const key = inserted.rows[0]?.id;
      if (key === undefined) throw new BatonError('internal', `Judgment ${j.id} was not stored.`);
      return JSON.stringify({ id: key });
    }
    case 'checkpoint.raised': {
      const c = event.checkpoint;
      if (c.explorationId !== explorationId) throw mismatch('Checkpoint', c.id, explorationId);
      await db.query('INSERT INTO checkpoints (id, exploration_id, reasons_json, board_json, created_at) VALUES ($1, $2, $3, $4, $5)', [
        c.id,
        c.explorationId,
        JSON.stringify(c.reasons),
        JSON.stringify(c.board),
        c.createdAt,
      ]);
      return JSON.stringify({ id: c.id });
    }
    case 'decision.made': {
      const d = event.decision;
      if (d.explorationId !== explorationId) throw mismatch('Decision', d.id, explorationId);
      await db.query(
        `INSERT INTO decisions (id, exploration_id, checkpoint_id, action, candidate_ids_json, reason, feedback, lens, brief_id, created_at, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          d.id,
          d.explorationId,
          d.checkpointId,
          d.action,
          JSON.stringify(d.candidateIds),
          d.reason ?? null,
          d.feedback ?? null,
          d.lens ?? null,
          d.briefId ?? null,
          d.createdAt,
          d.actor ?? null,
        ],
      );
      return JSON.stringify({ id: d.id });
    }
    default: {
      // The type is the row's own column: the payload does not repeat it.
      const { type: _type, ...payload } = event;
      return JSON.stringify(payload);
    }
  }
}

export const CANDIDATE_COLUMNS =
  'c.id, c.exploration_id, c.move_id, c.kind, c.lens_id, c.depth, c.text, c.embedding, c.embedding_scale, c.model, c.created_at';

/** Candidates with their parents, in the order given by `where` (a condition on `c`). */
export async function queryCandidates(db: Queryable, where: string, params: unknown[]): Promise<Candidate[]> {
  const { rows } = await db.query<CandidateRow & { parent_ids: string[] }>(
    `SELECT ${CANDIDATE_COLUMNS},
            COALESCE((SELECT array_agg(p.parent_id ORDER BY p.position) FROM candidate_parents p WHERE p.candidate_id = c.id), '{}') AS parent_ids
     FROM candidates c WHERE ${where} ORDER BY c.ord`,
    params,
  );
  return rows.map((row) => toCandidate(row, row.parent_ids));
}

/** Judgments by their rows' keys (what events name; a judgment's id, unless two explorations share it). */
export async function queryJudgments(db: Queryable, where: string, params: unknown[]): Promise<Map<string, Judgment>> {
  const { rows } = await db.query<JudgmentRow>(
    `SELECT j.id, j.exploration_id, j.judgment_id, j.candidate_id, j.brief_id, j.quality, j.scores_json, j.failed_json, j.flags_json,
            j.critique, j.novelty, j.parent_similarity, j.judge, j.created_at
     FROM judgments j WHERE ${where} ORDER BY j.ord`,
    params,
  );
  return new Map(rows.map((row) => [row.id, toJudgment(row)]));
}

interface EventRow {
  seq: number;
  type: string;
  payload_json: string;
  at: string;
}

const REFERENCED = new Set(['candidate.added', 'candidate.judged', 'checkpoint.raised', 'decision.made']);

function where(seq: number): string {
  return `events.payload_json of event ${seq}`;
}

function missing(seq: number, what: string, id: string): BatonError {
  return new BatonError('internal', `Event ${seq} refers to ${what} ${id}, which is not stored.`);
}

/** An exploration's events after `afterSeq`, hydrated; read in one transaction so the rows agree. */
export async function readHydratedEvents(db: Queryable, explorationId: string, afterSeq: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>(
    'SELECT seq, type, payload_json, at FROM events WHERE exploration_id = $1 AND seq > $2 ORDER BY seq',
    [explorationId, afterSeq],
  );
  const ids = new Map<string, string[]>();
  const refs = new Map<number, string>();
  for (const row of rows) {
    if (!REFERENCED.has(row.type)) continue;
    const id = parseStoredJson(RefPayloadSchema, row.payload_json, where(row.seq)).id;
    refs.set(row.seq, id);
    const list = ids.get(row.type);
    if (list) list.push(id);
    else ids.set(row.type, [id]);
  }
  const byId = <T extends { id: string }>(items: T[]): Map<string, T> => new Map(items.map((item) => [item.id, item]));
  const wanted = (type: string): string[] => ids.get(type) ?? [];
  const candidates = wanted('candidate.added').length > 0 ? byId(await queryCandidates(db, 'c.id = ANY($1)', [wanted('candidate.added')])) : new Map<string, Candidate>();
  const judgments = wanted('candidate.judged').length > 0 ? await queryJudgments(db, 'j.id = ANY($1)', [wanted('candidate.judged')]) : new Map<string, Judgment>();
  const checkpoints = new Map<string, Checkpoint>();
  if (wanted('checkpoint.raised').length > 0) {
    const result = await db.query<CheckpointRow>('SELECT * FROM checkpoints WHERE id = ANY($1)', [wanted('checkpoint.raised')]);
    for (const row of result.rows) checkpoints.set(row.id, toCheckpoint(row));
  }
  const decisions = new Map<string, Decision>();
  if (wanted('decision.made').length > 0) {
    const result = await db.query<DecisionRow>('SELECT * FROM decisions WHERE id = ANY($1)', [wanted('decision.made')]);
    for (const row of result.rows) decisions.set(row.id, toDecision(row));
  }

  return rows.map((row): StoredEvent => {
    const id = refs.get(row.seq);
    const found = <T>(map: Map<string, T>, what: string): T => {
      const value = id === undefined ? undefined : map.get(id);
      if (value === undefined) throw missing(row.seq, what, id ?? '?');
      return value;
    };
    let event: ExplorationEvent;
    switch (row.type) {
      case 'candidate.added':
        event = { type: 'candidate.added', candidate: found(candidates, 'candidate') };
        break;
      case 'candidate.judged':
        event = { type: 'candidate.judged', judgment: found(judgments, 'judgment') };
        break;
      case 'checkpoint.raised':
        event = { type: 'checkpoint.raised', checkpoint: found(checkpoints, 'checkpoint') };
        break;
      case 'decision.made':
        event = { type: 'decision.made', decision: found(decisions, 'decision') };
        break;
      default: {
        const parsed = parseJsonAt(row.payload_json, where(row.seq));
        const raw = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { type: row.type, ...parsed } : parsed;
        event = isHotInlineEvent(raw) ? raw : validateStored(InlineEventSchema, raw, where(row.seq));
      }
    }
    return { seq: row.seq, explorationId, at: row.at, event };
  });
}
