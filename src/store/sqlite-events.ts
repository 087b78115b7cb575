import type { ExplorationEvent } from '../explore/events.js';
import type { Candidate } from '../explore/types.js';
import { BatonError } from '../errors.js';
import { InlineEventSchema, RefPayloadSchema, parseStoredJson } from './codecs.js';
import { encodeEmbedding } from './embedding-codec.js';
import { toCandidate, toCheckpoint, toDecision, toJudgment } from './sqlite-rows.js';
import type { EventRow, JudgmentRow } from './sqlite-rows.js';
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
      const embedding = encodeEmbedding(c.embedding);
      sql.insertCandidate.run({
        id: c.id,
        exploration_id: c.explorationId,
        move_id: c.moveId,
        kind: c.kind,
        lens_id: c.lensId,
        depth: c.depth,
        text: c.text,
        embedding: embedding.blob,
        embedding_scale: embedding.scale,
        model: c.model,
        created_at: c.createdAt,
      });
      c.parentIds.forEach((parentId, position) =>
        sql.insertCandidateParent.run({ candidate_id: c.id, parent_id: parentId, position }),
      );
      return { id: c.id };
    }
    case 'candidate.judged': {
      const j = event.judgment;
      sql.insertJudgment.run({
        id: j.id,
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
      return { id: j.id };
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
      });
      return { id: d.id };
    }
    default:
      return event;
  }
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
  judgments: Map<string, JudgmentRow>;
}

export function prefetchRows(sql: Statements, explorationId: string): PrefetchedRows {
  const parents = new Map<string, string[]>();
  for (const { candidate_id, parent_id } of sql.parentsByExploration.all(explorationId)) {
    const list = parents.get(candidate_id);
    if (list) list.push(parent_id);
    else parents.set(candidate_id, [parent_id]);
  }
  const candidates = new Map<string, Candidate>();
  for (const row of sql.candidatesByExploration.iterate(explorationId)) candidates.set(row.id, toCandidate(row, parents.get(row.id) ?? []));
  const judgments = new Map<string, JudgmentRow>();
  for (const row of sql.judgmentsByExploration.iterate(explorationId)) judgments.set(row.id, row);
  return { candidates, judgments };
}

/** The full event for a row of the log, with referenced rows joined back in. */
export function hydrateEvent(sql: Statements, row: EventRow, prefetched?: PrefetchedRows): ExplorationEvent {
  const where = `events.payload_json of event ${row.seq}`;
  const refId = (): string => parseStoredJson(RefPayloadSchema, row.payload_json, where).id;
  const missing = (what: string, id: string): BatonError =>
    new BatonError('internal', `Event ${row.seq} refers to ${what} ${id}, which is not stored.`);
  switch (row.type) {
    case 'candidate.added': {
      const id = refId();
      const candidate = prefetched?.candidates.get(id) ?? readCandidate(sql, id);
      if (!candidate) throw missing('candidate', id);
      return { type: 'candidate.added', candidate };
    }
    case 'candidate.judged': {
      const id = refId();
      const judgment = prefetched?.judgments.get(id) ?? sql.getJudgment.get(id);
      if (!judgment) throw missing('judgment', id);
      return { type: 'candidate.judged', judgment: toJudgment(judgment) };
    }
    case 'checkpoint.raised': {
      const id = refId();
      const checkpoint = sql.getCheckpoint.get(id);
      if (!checkpoint) throw missing('checkpoint', id);
      return { type: 'checkpoint.raised', checkpoint: toCheckpoint(checkpoint) };
    }
    case 'decision.made': {
      const id = refId();
      const decision = sql.getDecision.get(id);
      if (!decision) throw missing('decision', id);
      return { type: 'decision.made', decision: toDecision(decision) };
    }
    default:
      return parseStoredJson(InlineEventSchema, row.payload_json, where);
  }
}
