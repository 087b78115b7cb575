import { endianness } from 'node:os';
import type { Lens } from '../brief/schema.js';
import type { Assumption, Checkpoint, Decision, Reversal } from '../steer/types.js';
import type { ExplorationStatus, Reopening } from './events.js';
import { deriveIndexes } from './indexes.js';
import type { CandidateNode, Directive, ExplorationState } from './state.js';
import { initialState } from './state.js';
import type { Candidate, Judgment, PlannedMove } from './types.js';

/**
 * A state snapshot: the exploration's folded state up to an event, so reopening reads it and the
 * events after it instead of replaying the whole log. It is compact: candidates and judgments are
 * named by id (their rows are read in two scans, as the store already keeps them), the rest of the
 * state is kept as it is, and the indexes the state derives are rebuilt from the nodes — except the
 * orders that depend on when events arrived (open leaves, the judgment feed), which are kept. The
 * novelty index's hash codes ride along, so the first wave after reopening does not hash every
 * embedding again. A snapshot is a cache: reopening from it must give exactly the state a full
 * replay gives (snapshot.test.ts checks it across seeds); one that cannot be read is ignored.
 */

/** Codes are kept little-endian; on such a machine (nearly all) they are copied as they are. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Bumped whenever the shape below changes: an older snapshot is then ignored (the log is replayed). */
export const SNAPSHOT_FORMAT = 1;

/** A node as kept: id, judgment id, exhausted reason, pruned, feedback, directive, duplicate of. */
type NodeTuple = [string, string | null, string | null, 0 | 1, string | null, string | null, string | null];

interface SnapshotBody {
  id: string;
  briefId: string;
  seed: number;
  model: string;
  judge: string;
  embed: string | null;
  lenses: Lens[];
  status: ExplorationStatus;
  acceptedId: string | null;
  endReason: string | null;
  nodes: NodeTuple[];
  pendingMoves: PlannedMove[];
  moveCount: number;
  directives: Array<[string, Directive['kind'], string[], Lens | null, string | null]>;
  checkpoints: Checkpoint[];
  /** Position of the open checkpoint in `checkpoints`, or -1. */
  openCheckpoint: number;
  decisions: Decision[];
  assumptions: Assumption[];
  reversals: Reversal[];
  assumptionsAtLastDecision: number;
  raisedKeys: string[];
  candidatesAtLastCheckpoint: number;
  lastSeq: number;
  eventCount: number;
  openLeaves: string[];
  judgedFeed: string[];
  reopenings: Reopening[];
  extraBudget: { calls: number; tokens: number; usd: number };
  /** Novelty hash codes: how many vectors, how many tables, and the id of the last vector they cover. */
  codes: { count: number; tables: number; lastId: string | null } | null;
}

/** Hash codes of the novelty index's first `count` vectors, `tables` per vector. */
export interface NoveltyCodes {
  count: number;
  tables: number;
  lastId: string | null;
  codes: Uint16Array;
}

export interface EncodedSnapshot {
  seq: number;
  format: number;
  state: Uint8Array;
  /** When read back: how many events the log holds up to `seq`. */
  events?: number;
}

const nullable = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** The snapshot of `state` (and the novelty codes, when given) as bytes: a JSON body, then the codes. */
export function encodeSnapshot(state: ExplorationState, codes?: NoveltyCodes): EncodedSnapshot {
  const nodes: NodeTuple[] = state.order.map((id) => {
    const n = state.nodes.get(id) as CandidateNode;
    return [id, n.judgment?.id ?? null, n.exhausted, n.pruned ? 1 : 0, nullable(n.feedback), nullable(n.directive), nullable(n.duplicateOf)];
  });
  const body: SnapshotBody = {
    id: state.id,
    briefId: state.briefId,
    seed: state.seed,
    model: state.model,
    judge: state.judge,
    embed: state.embed,
    lenses: state.lenses,
    status: state.status,
    acceptedId: state.acceptedId,
    endReason: state.endReason,
    nodes,
    pendingMoves: [...state.pendingMoves.values()],
    moveCount: state.moveCount,
    directives: state.directives.map((d) => [d.key, d.kind, d.parentIds, nullable(d.lens), nullable(d.feedback)]),
    checkpoints: state.checkpoints,
    openCheckpoint: state.openCheckpoint === null ? -1 : state.checkpoints.lastIndexOf(state.openCheckpoint),
    decisions: state.decisions,
    assumptions: state.assumptions,
    reversals: state.reversals,
    assumptionsAtLastDecision: state.assumptionsAtLastDecision,
    raisedKeys: [...state.raisedKeys],
    candidatesAtLastCheckpoint: state.candidatesAtLastCheckpoint,
    lastSeq: state.lastSeq,
    eventCount: state.eventCount,
    openLeaves: [...state.indexes.openLeaves],
    judgedFeed: state.indexes.judged.map((n) => n.candidate.id),
    reopenings: state.reopenings,
    extraBudget: state.extraBudget,
    codes: codes ? { count: codes.count, tables: codes.tables, lastId: codes.lastId } : null,
  };
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const codeBytes = codes ? codes.count * codes.tables * 2 : 0;
  const bytes = Buffer.alloc(4 + json.length + codeBytes);
  bytes.writeUInt32LE(json.length, 0);
  json.copy(bytes, 4);
  if (codes) {
    const at = 4 + json.length;
    const values = codes.codes.subarray(0, codes.count * codes.tables);
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    else for (let i = 0; i < values.length; i += 1) bytes.writeUInt16LE(values[i] as number, at + i * 2);
  }
  return { seq: state.lastSeq, format: SNAPSHOT_FORMAT, state: bytes };
}

/** The ids of the candidates and judgments a snapshot names, to read their rows. */
export interface SnapshotReader {
  body: SnapshotBody;
  bytes: Buffer;
  jsonEnd: number;
}

/** Reads a snapshot's body; undefined when it is of another format or unreadable (then replay the log). */
export function readSnapshot(snapshot: EncodedSnapshot): SnapshotReader | undefined {
  if (snapshot.format !== SNAPSHOT_FORMAT) return undefined;
  try {
    const bytes = Buffer.from(snapshot.state.buffer, snapshot.state.byteOffset, snapshot.state.byteLength);
    const length = bytes.readUInt32LE(0);
    // The snapshot is Baton's own cache, written from a folded state, never model or user input.
    const body = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as SnapshotBody;
    if (body.lastSeq !== snapshot.seq || !Array.isArray(body.nodes)) return undefined;
    // A log that lost or gained events below the snapshot (edited by hand) is not the one it folded.
    if (snapshot.events !== undefined && snapshot.events !== body.eventCount) return undefined;
    return { body, bytes, jsonEnd: 4 + length };
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the state a snapshot was taken of, from its body and the candidate and judgment rows
 * it names. Undefined when a row it names is missing (then replay the log).
 */
export function restoreSnapshot(
  reader: SnapshotReader,
  candidates: ReadonlyMap<string, Candidate>,
  judgments: ReadonlyMap<string, Judgment>,
): { state: ExplorationState; codes: NoveltyCodes | undefined } | undefined {
  const b = reader.body;
  const state = initialState(b.id);
  state.briefId = b.briefId;
  state.seed = b.seed;
  state.model = b.model;
  state.judge = b.judge;
  state.embed = b.embed;
  state.lenses = b.lenses;
  state.status = b.status;
  state.acceptedId = b.acceptedId;
  state.endReason = b.endReason;
  for (const [id, judgmentId, exhausted, pruned, feedback, directive, duplicateOf] of b.nodes) {
    const candidate = candidates.get(id);
    const judgment = judgmentId === null ? undefined : judgments.get(judgmentId);
    if (!candidate || (judgmentId !== null && !judgment)) return undefined;
    const node: CandidateNode = {
      candidate,
      index: state.order.length,
      judgment,
      children: [],
      exhausted,
      pruned: pruned === 1,
      feedback: optional(feedback),
      directive: optional(directive),
      duplicateOf: optional(duplicateOf),
    };
    state.nodes.set(id, node);
    state.order.push(id);
    if (!state.textIds.has(candidate.text)) state.textIds.set(candidate.text, id);
    // As `candidate.added` did: each parent present gets the child, in the order children came.
    for (const parentId of candidate.parentIds) state.nodes.get(parentId)?.children.push(id);
  }
  for (const move of b.pendingMoves) state.pendingMoves.set(move.id, move);
  state.moveCount = b.moveCount;
  state.directives = b.directives.map(([key, kind, parentIds, lens, feedback]) => ({ key, kind, parentIds, lens: optional(lens), feedback: optional(feedback) }));
  state.checkpoints = b.checkpoints;
  state.openCheckpoint = b.openCheckpoint >= 0 ? (b.checkpoints[b.openCheckpoint] ?? null) : null;
  state.decisions = b.decisions;
  state.assumptions = b.assumptions;
  state.reversals = b.reversals;
  state.assumptionsAtLastDecision = b.assumptionsAtLastDecision;
  state.raisedKeys = new Set(b.raisedKeys);
  state.candidatesAtLastCheckpoint = b.candidatesAtLastCheckpoint;
  state.lastSeq = b.lastSeq;
  state.eventCount = b.eventCount;
  state.reopenings = b.reopenings;
  state.extraBudget = b.extraBudget;
  // What follows from the nodes alone is derived; the orders that follow from when events came are kept.
  const indexes = deriveIndexes(state);
  indexes.openLeaves = new Set(b.openLeaves);
  const feed: CandidateNode[] = [];
  for (const id of b.judgedFeed) {
    const node = state.nodes.get(id);
    if (!node) return undefined;
    feed.push(node);
  }
  indexes.judged = feed;
  state.indexes = indexes;

  let codes: NoveltyCodes | undefined;
  if (b.codes && b.codes.count > 0) {
    const { count, tables, lastId } = b.codes;
    const values = new Uint16Array(count * tables);
    const at = reader.jsonEnd;
    if (reader.bytes.length >= at + values.length * 2) {
      if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(reader.bytes.subarray(at, at + values.length * 2));
      else for (let i = 0; i < values.length; i += 1) values[i] = reader.bytes.readUInt16LE(at + i * 2);
      codes = { count, tables, lastId, codes: values };
    }
  }
  return { state, codes };
}
