import type { Lens } from '../brief/schema.js';

export type MoveKind = 'open' | 'deepen' | 'combine';

/** A move chosen by the policy or asked for by a decision, before it runs. */
export interface PlannedMove {
  /** Stable id: `${explorationId}:m${n}`. Model calls and the candidate are keyed by it. */
  id: string;
  kind: MoveKind;
  parentIds: string[];
  lens: Lens;
  feedback?: string;
  /** For a deepening: the criteria it works on (different for each child of one parent); the weakest two when absent. */
  focus?: string[];
  origin: 'policy' | 'decision';
  /** For moves asked for by a decision: `${decisionId}:${index}`, so each is planned once. */
  directive?: string;
  /**
   * Candidates folded when it was planned: the earlier takes it is shown are among these, so its
   * request is the same when a crash makes it run again after later folds (absent: all).
   */
  seen?: number;
}

export interface Candidate {
  id: string;
  explorationId: string;
  moveId: string;
  kind: MoveKind;
  parentIds: string[];
  lensId: string;
  depth: number;
  text: string;
  /** Embedding used for novelty; float32. */
  embedding: Float32Array;
  /** Writer model that produced it. */
  model: string;
  createdAt: string;
}

export type FlagKind = 'sensitive' | 'unclear';

export interface Flag {
  kind: FlagKind;
  reason: string;
}

export interface CriterionScore {
  criterion: string;
  /**
   * 0–10; `null` when the criterion is not scored: no juror gave a valid score for it after the
   * last ask (`reason` says why). Not scored is never the same as scored 0.
   */
  score: number | null;
  reason: string;
  /** `judge` for model-judged criteria, `check` for code checks. */
  by: 'judge' | 'check';
  /** With a jury: what each juror said (a juror with no valid score has `score: null`). */
  jurors?: JurorScore[];
}

/** One juror's word on one criterion. */
export interface JurorScore {
  /** The juror's model, `provider:model`. */
  judge: string;
  score: number | null;
  reason: string;
}

export interface FailedConstraint {
  constraint: string;
  reason: string;
}

export interface Judgment {
  id: string;
  candidateId: string;
  /** The brief version it was judged against. */
  briefId: string;
  scores: CriterionScore[];
  /** Weighted mean of the criterion scores, 0–1; 0 when a constraint failed. */
  quality: number;
  failed: FailedConstraint[];
  flags: Flag[];
  critique: string;
  /** Distance to the nearest neighbours at the time it was judged, 0–1. */
  novelty: number;
  /** Cosine similarity to its (first) parent, when it has one. */
  parentSimilarity: number | null;
  judge: string;
  createdAt: string;
}
