import { z } from 'zod';
import type { ExplorationStatus } from '../explore/events.js';
import type { Candidate, Judgment, MoveKind } from '../explore/types.js';
import { DECISION_ACTIONS } from '../steer/types.js';
import type { Checkpoint, Decision } from '../steer/types.js';
import { BatonError } from '../errors.js';
import { decodeEmbedding } from './embedding-codec.js';
import type { EmbeddingSlab } from './embedding-codec.js';
import {
  BoardSchema,
  CriterionScoresSchema,
  FailedConstraintsSchema,
  FlagsSchema,
  StoredBriefSchema,
  StringListSchema,
  TriggerSignalsSchema,
  parseStoredJson,
  parseStoredJsonChecked,
} from './codecs.js';
import { isCriterionScores, isFailedConstraints, isFlags } from './stored-shapes.js';
import type { BriefVersion, CallPurpose, CallRecord, ExplorationRecord } from './store.js';

/** Rows as SQLite returns them (snake_case, nulls), and their conversion to domain objects. */

export interface BriefRow {
  id: string;
  lineage_id: string;
  version: number;
  parent_id: string | null;
  path: string | null;
  source: string;
  brief_json: string;
  note: string | null;
  created_at: string;
}

export interface ExplorationRow {
  id: string;
  brief_id: string;
  current_brief_id: string;
  status: string;
  seed: number;
  model: string;
  judge: string;
  title: string;
  created_at: string;
  updated_at: string;
  /** Schema 10 and 11: absent in rows read before those migrations ran (never, once open). */
  archived_at?: string | null;
  forked_from?: string | null;
  forked_at_checkpoint?: string | null;
}

export interface CandidateRow {
  id: string;
  exploration_id: string;
  move_id: string;
  kind: string;
  lens_id: string;
  depth: number;
  text: string;
  /** From candidate_embeddings (candidates.embedding for rows written before it). */
  embedding: Buffer;
  /** Null: `embedding` is float32 bytes; otherwise int8 components of this scale. */
  embedding_scale: number | null;
  model: string;
  created_at: string;
}

export interface CandidateParentRow {
  candidate_id: string;
  parent_id: string;
}

export interface JudgmentRow {
  /** The row's key: the judgment's id, or `<id>@<exploration>` when another exploration holds that id. */
  id: string;
  /** The exploration that made the judgment. */
  exploration_id: string;
  /** The judgment's id when the key is not it; null otherwise. */
  judgment_id: string | null;
  candidate_id: string;
  brief_id: string;
  quality: number;
  scores_json: string;
  failed_json: string;
  flags_json: string;
  critique: string;
  novelty: number;
  parent_similarity: number | null;
  judge: string;
  created_at: string;
}

export interface CallRow {
  key: string;
  exploration_id: string | null;
  purpose: string;
  model: string;
  status: string;
  reserved_tokens: number;
  reserved_usd: number;
  output: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  usd: number | null;
  latency_ms: number | null;
  started_at: string;
  finished_at: string | null;
  answer: string | null;
  /** 1 when the provider reported no usage and the tokens were estimated from the text. */
  usage_estimated: number;
}

export interface CheckpointRow {
  id: string;
  exploration_id: string;
  reasons_json: string;
  board_json: string;
  created_at: string;
}

export interface DecisionRow {
  id: string;
  exploration_id: string;
  checkpoint_id: string | null;
  action: string;
  candidate_ids_json: string;
  reason: string | null;
  feedback: string | null;
  lens: string | null;
  brief_id: string | null;
  created_at: string;
  /** Null: the store's owner decided (schema 13 onwards; older rows are the owner's too). */
  actor?: string | null;
}

export interface EventRow {
  seq: number;
  exploration_id: string;
  type: string;
  payload_json: string;
  at: string;
}

const ExplorationStatusSchema = z.enum(['running', 'awaiting', 'accepted', 'exhausted', 'stopped']);
const MoveKindSchema = z.enum(['open', 'deepen', 'combine']);
const CallPurposeSchema = z.enum(['open', 'deepen', 'combine', 'judge', 'reframe']);
const CallStatusSchema = z.enum(['intent', 'done', 'failed']);
const AnswerCheckSchema = z.enum(['valid', 'repaired', 'invalid']);
const DecisionActionSchema = z.enum(DECISION_ACTIONS);

function oneOf<T>(schema: z.ZodType<T>, value: string, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new BatonError('internal', `The database holds an unknown value ${JSON.stringify(value)} in ${where}.`, {
      cause: result.error,
    });
  }
  return result.data;
}

export function toBriefVersion(row: BriefRow): BriefVersion {
  return {
    id: row.id,
    lineageId: row.lineage_id,
    version: row.version,
    parentId: row.parent_id,
    path: row.path,
    source: row.source,
    brief: parseStoredJson(StoredBriefSchema, row.brief_json, `briefs.brief_json of ${row.id}`),
    note: row.note,
    createdAt: row.created_at,
  };
}

export function toExploration(row: ExplorationRow): ExplorationRecord {
  return {
    id: row.id,
    briefId: row.brief_id,
    currentBriefId: row.current_brief_id,
    status: toStatus(row.status, row.id),
    seed: row.seed,
    model: row.model,
    judge: row.judge,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at ?? null,
    forkOf: row.forked_from && row.forked_at_checkpoint ? { explorationId: row.forked_from, checkpointId: row.forked_at_checkpoint } : null,
  };
}

export function toStatus(status: string, explorationId: string): ExplorationStatus {
  return oneOf(ExplorationStatusSchema, status, `explorations.status of ${explorationId}`);
}

export function toCandidate(row: CandidateRow, parentIds: string[]): Candidate {
  return {
    id: row.id,
    explorationId: row.exploration_id,
    moveId: row.move_id,
    kind: toMoveKind(row.kind, row.id),
    parentIds,
    lensId: row.lens_id,
    depth: row.depth,
    text: row.text,
    embedding: decodeEmbedding(row.embedding, row.embedding_scale, row.id),
    model: row.model,
    createdAt: row.created_at,
  };
}

/** A candidate row as an array, in `CandidateRow` order (reading a whole exploration). */
export type RawCandidateRow = [string, string, string, string, string, number, string, Buffer, number | null, string, string];

export function rawToCandidate(r: RawCandidateRow, parentIds: string[], slab?: EmbeddingSlab): Candidate {
  return {
    id: r[0],
    explorationId: r[1],
    moveId: r[2],
    kind: toMoveKind(r[3], r[0]),
    parentIds,
    lensId: r[4],
    depth: r[5],
    text: r[6],
    embedding: decodeEmbedding(r[7], r[8], r[0], slab),
    model: r[9],
    createdAt: r[10],
  };
}

function toMoveKind(kind: string, candidateId: string): MoveKind {
  if (kind === 'open' || kind === 'deepen' || kind === 'combine') return kind;
  return oneOf(MoveKindSchema, kind, `candidates.kind of ${candidateId}`);
}

/** A judgment row as an array, in `JUDGMENT_COLUMNS` order (reading a whole exploration). */
export type RawJudgmentRow = [string, string, string, number, string, string, string, string, number, number | null, string, string, string | null];
export const JUDGMENT_COLUMNS =
  'id, candidate_id, brief_id, quality, scores_json, failed_json, flags_json, critique, novelty, parent_similarity, judge, created_at, judgment_id';

export function rawToJudgment(r: RawJudgmentRow): Judgment {
  const id = r[0];
  return {
    id: r[12] ?? id,
    candidateId: r[1],
    briefId: r[2],
    scores: parseStoredJsonChecked(CriterionScoresSchema, isCriterionScores, r[4], `judgments.scores_json of ${id}`),
    quality: r[3],
    failed: parseStoredJsonChecked(FailedConstraintsSchema, isFailedConstraints, r[5], `judgments.failed_json of ${id}`),
    flags: parseStoredJsonChecked(FlagsSchema, isFlags, r[6], `judgments.flags_json of ${id}`),
    critique: r[7],
    novelty: r[8],
    parentSimilarity: r[9],
    judge: r[10],
    createdAt: r[11],
  };
}

export function toJudgment(row: JudgmentRow): Judgment {
  const where = (column: string): string => `judgments.${column} of ${row.id}`;
  return {
    id: row.judgment_id ?? row.id,
    candidateId: row.candidate_id,
    briefId: row.brief_id,
    scores: parseStoredJsonChecked(CriterionScoresSchema, isCriterionScores, row.scores_json, where('scores_json')),
    quality: row.quality,
    failed: parseStoredJsonChecked(FailedConstraintsSchema, isFailedConstraints, row.failed_json, where('failed_json')),
    flags: parseStoredJsonChecked(FlagsSchema, isFlags, row.flags_json, where('flags_json')),
    critique: row.critique,
    novelty: row.novelty,
    parentSimilarity: row.parent_similarity,
    judge: row.judge,
    createdAt: row.created_at,
  };
}

/**
 * The key a new judgment's row takes: its id, unless another exploration (a fork, or the source
 * of one) already holds a row of that id — then `<id>@<exploration>`. When this exploration holds
 * it already, its id: the insert is refused as the duplicate it is.
 */
export function judgmentKey(id: string, explorationId: string, holder: string | undefined): string {
  return holder === undefined || holder === explorationId ? id : `${id}@${explorationId}`;
}

export function toCall(row: CallRow): CallRecord {
  const purpose: CallPurpose = oneOf(CallPurposeSchema, row.purpose, `calls.purpose of ${row.key}`);
  return {
    key: row.key,
    explorationId: row.exploration_id,
    purpose,
    model: row.model,
    reservedTokens: row.reserved_tokens,
    reservedUsd: row.reserved_usd,
    status: oneOf(CallStatusSchema, row.status, `calls.status of ${row.key}`),
    answer: row.answer === null ? null : oneOf(AnswerCheckSchema, row.answer, `calls.answer of ${row.key}`),
    output: row.output,
    usage:
      row.input_tokens !== null && row.output_tokens !== null
        ? { inputTokens: row.input_tokens, outputTokens: row.output_tokens, ...(row.usage_estimated === 1 ? { estimated: true } : {}) }
        : null,
    usd: row.usd,
    latencyMs: row.latency_ms,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    explorationId: row.exploration_id,
    reasons: parseStoredJson(TriggerSignalsSchema, row.reasons_json, `checkpoints.reasons_json of ${row.id}`),
    board: parseStoredJson(BoardSchema, row.board_json, `checkpoints.board_json of ${row.id}`),
    createdAt: row.created_at,
  };
}

export function toDecision(row: DecisionRow): Decision {
  const decision: Decision = {
    id: row.id,
    explorationId: row.exploration_id,
    checkpointId: row.checkpoint_id,
    action: oneOf(DecisionActionSchema, row.action, `decisions.action of ${row.id}`),
    candidateIds: parseStoredJson(StringListSchema, row.candidate_ids_json, `decisions.candidate_ids_json of ${row.id}`),
    createdAt: row.created_at,
  };
  // Optional fields are absent, not undefined, when the column is null.
  if (row.reason !== null) decision.reason = row.reason;
  if (row.feedback !== null) decision.feedback = row.feedback;
  if (row.lens !== null) decision.lens = row.lens;
  if (row.brief_id !== null) decision.briefId = row.brief_id;
  if (row.actor !== null && row.actor !== undefined) decision.actor = row.actor;
  return decision;
}
