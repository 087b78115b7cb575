import { cosineSimilarity } from '../models/local-embedding.js';
import type { ExplorationEvent } from './events.js';
import { pathEnd } from './exhaustion.js';
import type { NoveltyIndex } from './novelty.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { pathTo } from './state.js';
import type { Candidate, Judgment, PlannedMove } from './types.js';

/**
 * Folding a move's result into the exploration: its candidate, its judgment with novelty (against
 * everything folded before it) and similarity to its parent, and whether it ends its path — as
 * events, committed together.
 */

/** A judgment before its novelty and parent similarity are known. */
export type PartialJudgment = Omit<Judgment, 'novelty' | 'parentSimilarity'>;

export interface MoveOutcome {
  move: PlannedMove;
  /** The earlier candidate with the same text (in the exploration or earlier in this wave), if any. */
  duplicateOf: string | undefined;
  /** The writer call's key: its answer is the candidate's text, stored once with the candidate. */
  writeKey: string;
  /** The judge calls' keys: their answers live on as the judgment, stored with it. */
  judgeKeys: string[];
  candidate: Candidate;
  judgment: PartialJudgment;
}

export interface Written {
  move: PlannedMove;
  candidateId: string;
  text: string;
  writeKey: string;
  createdAt: string;
}

export interface Assessed {
  embedding: Float32Array;
  judgment: PartialJudgment;
  keys: string[];
}

/** Turns outcomes into events in plan order, computing novelty against everything before. */
export function foldOutcome(state: ExplorationState, novelty: NoveltyIndex, outcome: MoveOutcome): ExplorationEvent[] {
  const { candidate, duplicateOf } = outcome;
  const parent = candidate.parentIds[0] ? state.nodes.get(candidate.parentIds[0]) : undefined;
  const judgment: Judgment = {
    ...outcome.judgment,
    // A copy is as far from the rest as a copy can be: not at all.
    novelty: duplicateOf === undefined ? round4(novelty.novelty(candidate.embedding)) : 0,
    parentSimilarity: parent ? round4(cosineSimilarity(candidate.embedding, parent.candidate.embedding)) : null,
  };
  if (duplicateOf === undefined) novelty.add(candidate.id, candidate.embedding);
  const events: ExplorationEvent[] = [
    { type: 'candidate.added', candidate },
    { type: 'candidate.judged', judgment },
  ];
  // Whether the new leaf ends its path depends only on its lineage (earlier waves) and itself,
  // so the mark is committed with the candidate, in the same transaction.
  const lineage = candidate.parentIds[0] ? pathTo(state, candidate.parentIds[0]) : [];
  const leaf: CandidateNode = { candidate, index: state.order.length, judgment, children: [], exhausted: null, pruned: false, feedback: undefined, directive: undefined, duplicateOf };
  const reason = pathEnd([...lineage, leaf]);
  if (reason) events.push({ type: 'path.exhausted', candidateId: candidate.id, reason });
  return events;
}

/** A written move's candidate, with its judgment (novelty aside) and the calls it took. */
export function outcomeFor(state: ExplorationState, model: string, w: Written, embedding: Float32Array, judgment: PartialJudgment, judgeKeys: string[], duplicateOf: string | undefined): MoveOutcome {
  const { move } = w;
  const parents = move.parentIds.map((id) => state.nodes.get(id)?.candidate);
  const candidate: Candidate = {
    id: w.candidateId,
    explorationId: state.id,
    moveId: move.id,
    kind: move.kind,
    parentIds: move.parentIds,
    lensId: move.lens.id,
    depth: Math.max(0, ...parents.map((p) => p?.depth ?? 0)) + 1,
    text: w.text,
    embedding,
    model: model,
    createdAt: w.createdAt,
  };
  return { move, duplicateOf, writeKey: w.writeKey, judgeKeys, candidate, judgment };
}

/** The first copy's judgment, for a candidate with the same text: no judge is asked twice. */
export function copyJudgment(source: PartialJudgment & Partial<Judgment>, candidateId: string, briefVersion: number, createdAt: string): PartialJudgment {
  const { novelty: _novelty, parentSimilarity: _similarity, ...rest } = source;
  return { ...rest, id: `${candidateId}.j${briefVersion}`, candidateId, createdAt };
}

export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
