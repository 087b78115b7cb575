import type { ExplorationEvent } from '../explore/events.js';
import type { Lens } from '../brief/schema.js';
import type { Candidate, Judgment } from '../explore/types.js';
import { BatonError } from '../errors.js';
import { InlineEventSchema, LensSchema, RefPayloadSchema, parseJsonAt, parseStoredJsonChecked, validateStored } from './codecs.js';
import { isHotInlineEvent, isLens, isRefPayload } from './stored-shapes.js';
import { EmbeddingSlab, encodeEmbedding } from './embedding-codec.js';
import { judgmentKey, rawToCandidate, rawToJudgment, toCandidate, toCheckpoint, toDecision, toJudgment } from './sqlite-rows.js';
import type { EventRow } from './sqlite-rows.js';
import type { Statements } from './sqlite-statements.js';

/**
 * Events whose data has a table of their own (candidates, judgments, checkpoints, decisions) are
 * written there, and the event log keeps only the row's id; `hydrateEvent` joins them back.
 */

function mismatch(what: string, id: string, explorationId: string): BatonError {
  return new BatonError('invalid_input', `${what} ${id} belongs to another exploration than ${explorationId}.`, {
    cause: { id, explorationId },
  });
}

/** Writes an event's own table row and returns what the events row keeps: an id, or the event. */
export function writeEventData(sql: Statements, explorationId: string, event: ExplorationEvent): unknown {
  switch (event.type) {
    case 'candidate.added': {
      const c = event.candidate;
      if (c.explorationId !== explorationId) throw mismatch('Candidate', c.id, explorationId);
      // The engine relies on this to never run a move's candidate twice.
      const existing = sql.candidateIdByMove.get(c.moveId);
      if (existing !== undefined) {
        throw new BatonError('conflict', `Move ${c.moveId} already produced candidate ${existing}.`, {
          cause: { moveId: c.moveId, candidateId: existing },
        });
      }
      sql.insertCandidate.run({
        id: c.id,
        exploration_id: c.explorationId,
        move_id: c.moveId,
        kind: c.kind,
        lens_id: c.lensId,
        depth: c.depth,
        text: c.text,
        model: c.model,
        created_at: c.createdAt,
      });
      const embedding = encodeEmbedding(c.embedding);
      sql.insertCandidateEmbedding.run({ id: c.id, embedding: embedding.blob, scale: embedding.scale });
      c.parentIds.forEach((parentId, position) =>
        sql.insertCandidateParent.run({ candidate_id: c.id, parent_id: parentId, position }),
      );
      return { id: c.id };
    }
    case 'candidate.judged': {
      const j = event.judgment;
      // A fork and its source may both judge a shared candidate under one brief version, and the
      // engine names both judgments alike: the second row takes a key of its own.
      const key = judgmentKey(j.id, explorationId, sql.judgmentHolder.get(j.id)?.exploration_id);
      sql.insertJudgment.run({
        id: key,
        exploration_id: explorationId,
        judgment_id: key === j.id ? null : j.id,
        candidate_id: j.candidateId,
        brief_id: j.briefId,
        quality: j.quality,
        scores_json: JSON.stringify(j.scores),
        failed_json: JSON.stringify(j.failed),
        flags_json: JSON.stringify(j.flags),
        critique: j.critique,
        novelty: j.novelty,
        parent_similarity: j.parentSimilarity,
        judge: j.judge,
        created_at: j.createdAt,
      });
      return { id: key };
    }
    case 'checkpoint.raised': {
      const c = event.checkpoint;
      if (c.explorationId !== explorationId) throw mismatch('Checkpoint', c.id, explorationId);
      sql.insertCheckpoint.run({
        id: c.id,
        exploration_id: c.explorationId,
        reasons_json: JSON.stringify(c.reasons),
        board_json: JSON.stringify(c.board),
        created_at: c.createdAt,
      });
      return { id: c.id };
    }
    case 'decision.made': {
      const d = event.decision;
      if (d.explorationId !== explorationId) throw mismatch('Decision', d.id, explorationId);
      sql.insertDecision.run({
        id: d.id,
        exploration_id: d.explorationId,
        checkpoint_id: d.checkpointId,
        action: d.action,
        candidate_ids_json: JSON.stringify(d.candidateIds),
        reason: d.reason ?? null,
        feedback: d.feedback ?? null,
        lens: d.lens ?? null,
        brief_id: d.briefId ?? null,
        created_at: d.createdAt,
        actor: d.actor ?? null,
      });
      return { id: d.id };
    }
    case 'move.planned': {
      // The lens is kept once per exploration; the payload names its row.
      const lensJson = JSON.stringify(event.move.lens);
      const cacheKey = `${explorationId}\u0000${lensJson}`;
      let lens = sql.moveLensIds.get(cacheKey);
      if (lens === undefined) {
        const inserted = sql.insertMoveLens.run(explorationId, lensJson).changes > 0;
        lens = sql.moveLensId.get(explorationId, lensJson);
        if (!inserted && lens !== undefined) sql.moveLensIds.set(cacheKey, lens);
      }
      return { move: { ...event.move, lens } };
    }
    default: {
      // The type is the row's own column: the payload does not repeat it (older rows do).
      const { type: _type, ...payload } = event;
      return payload;
    }
  }
}

function readJudgment(sql: Statements, id: string): Judgment | undefined {
  const row = sql.getJudgment.get(id);
  return row && toJudgment(row);
}

export function readCandidate(sql: Statements, id: string): Candidate | undefined {
  const row = sql.getCandidate.get(id);
  return row && toCandidate(row, sql.parentIds.all(id));
}

/**
 * An exploration's candidates and judgments read in two scans, for reading its whole log: one
 * query per event would make reopening a large exploration slow.
 */
export interface PrefetchedRows {
  candidates: Map<string, Candidate>;
  judgments: Map<string, Judgment>;
  lenses: Map<number, Lens>;
}

export function prefetchRows(sql: Statements, explorationId: string): PrefetchedRows {
  const candidates = prefetchCandidates(sql, explorationId);
  const judgments = new Map<string, Judgment>();
  for (const row of sql.rawJudgmentsByExploration.iterate(explorationId)) judgments.set(row[0], rawToJudgment(row));
  const lenses = new Map<number, Lens>();
  for (const [id, json] of sql.moveLensesByExploration.iterate(explorationId)) lenses.set(id, toMoveLens(id, json));
  return { candidates, judgments, lenses };
}

/** Every candidate an exploration made (not a fork's shared ones), by id, in the order they were stored. */
export function prefetchCandidates(sql: Statements, explorationId: string): Map<string, Candidate> {
  const parents = new Map<string, string[]>();
  for (const { candidate_id, parent_id } of sql.parentsByExploration.all(explorationId)) {
    const list = parents.get(candidate_id);
    if (list) list.push(parent_id);
    else parents.set(candidate_id, [parent_id]);
  }
  // Rows as arrays: building a named-column object per row is most of a scan's cost.
  const candidates = new Map<string, Candidate>();
  const slab = new EmbeddingSlab();
  for (const row of sql.rawCandidatesByExploration.iterate(explorationId)) candidates.set(row[0], rawToCandidate(row, parents.get(row[0]) ?? [], slab));
  return candidates;
}

function toMoveLens(id: number, json: string): Lens {
  return parseStoredJsonChecked(LensSchema, isLens, json, `move_lenses.lens_json of ${id}`);
}

function readMoveLens(sql: Statements, id: number, explorationId: string): Lens | undefined {
  const row = sql.getMoveLens.get(id);
  return row && row.exploration_id === explorationId ? toMoveLens(id, row.lens_json) : undefined;
}

function where(seq: number): string {
  return `events.payload_json of event ${seq}`;
}

const REF_PREFIX = '{"id":"';
/** The characters a JSON string holds as they are: no quote, backslash or control character. */
// eslint-disable-next-line no-control-regex -- control characters are what it excludes
const PLAIN_JSON_STRING = /^[^"\\\u0000-\u001f]*$/u;

function refId(seq: number, payloadJson: string): string {
  // The payload as the store writes it, `{"id":"…"}` with nothing to unescape, is read as is.
  if (payloadJson.startsWith(REF_PREFIX) && payloadJson.endsWith('"}')) {
    const id = payloadJson.slice(REF_PREFIX.length, -2);
    if (PLAIN_JSON_STRING.test(id)) return id;
  }
  return parseStoredJsonChecked(RefPayloadSchema, isRefPayload, payloadJson, where(seq)).id;
}

/** A planned move names its lens's row (older payloads hold the lens itself): joined back in place. */
function joinMoveLens(sql: Statements, explorationId: string, seq: number, raw: unknown, prefetched: PrefetchedRows | undefined): void {
  const move = (raw as { move?: unknown }).move;
  if (typeof move !== 'object' || move === null) return;
  const ref = (move as { lens?: unknown }).lens;
  if (typeof ref !== 'number') return;
  const lens = prefetched?.lenses.get(ref) ?? readMoveLens(sql, ref, explorationId);
  if (!lens) throw missing(seq, 'lens', String(ref));
  // Each event its own copy, as parsing the payload gave before.
  (move as { lens: Lens }).lens = { ...lens };
}

function missing(seq: number, what: string, id: string): BatonError {
  return new BatonError('internal', `Event ${seq} refers to ${what} ${id}, which is not stored.`);
}

/** The full event for a row of the log, with referenced rows joined back in. */
export function hydrateEvent(sql: Statements, row: EventRow, prefetched?: PrefetchedRows): ExplorationEvent {
  return hydrate(sql, row.exploration_id, row.seq, row.type, row.payload_json, prefetched);
}

export function hydrate(
  sql: Statements,
  explorationId: string,
  seq: number,
  type: string,
  payloadJson: string,
  prefetched?: PrefetchedRows,
): ExplorationEvent {
  switch (type) {
    case 'candidate.added': {
      const id = refId(seq, payloadJson);
      const candidate = prefetched?.candidates.get(id) ?? readCandidate(sql, id);
      if (!candidate) throw missing(seq, 'candidate', id);
      return { type: 'candidate.added', candidate };
    }
    case 'candidate.judged': {
      const id = refId(seq, payloadJson);
      const judgment = prefetched?.judgments.get(id) ?? readJudgment(sql, id);
      if (!judgment) throw missing(seq, 'judgment', id);
      return { type: 'candidate.judged', judgment };
    }
    case 'checkpoint.raised': {
      const id = refId(seq, payloadJson);
      const checkpoint = sql.getCheckpoint.get(id);
      if (!checkpoint) throw missing(seq, 'checkpoint', id);
      return { type: 'checkpoint.raised', checkpoint: toCheckpoint(checkpoint) };
    }
    case 'decision.made': {
      const id = refId(seq, payloadJson);
      const decision = sql.getDecision.get(id);
      if (!decision) throw missing(seq, 'decision', id);
      return { type: 'decision.made', decision: toDecision(decision) };
    }
    default: {
      const parsed = parseJsonAt(payloadJson, where(seq));
      // Written without its type (the row's column says it); older rows repeat it, the same.
      const raw = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { type, ...parsed } : parsed;
      if (type === 'move.planned') joinMoveLens(sql, explorationId, seq, raw, prefetched);
      return isHotInlineEvent(raw) ? raw : validateStored(InlineEventSchema, raw, where(seq));
    }
  }
}
