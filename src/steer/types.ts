import type { CriterionScore, Flag, MoveKind } from '../explore/types.js';

/** Why Baton stops and asks the person. Order is priority, highest first. */
export const TRIGGER_KINDS = ['pilot', 'sensitive', 'unclear', 'budget', 'met', 'conflict', 'novelty', 'exhausted'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface TriggerSignal {
  kind: TriggerKind;
  /** A sentence for the person. */
  reason: string;
  candidateIds: string[];
  /** A key that stops the same situation from being raised twice. */
  key: string;
}

export interface BoardCard {
  candidateId: string;
  /** Why it is on the board: `best`, `direction`, `trade-off`, `flagged`, `novel`, `met`. */
  roles: string[];
  why: string;
  lensId: string;
  lensName: string;
  kind: MoveKind;
  depth: number;
  quality: number;
  novelty: number;
  scores: CriterionScore[];
  flags: Flag[];
  failed: string[];
  exhausted: string | null;
  excerpt: string;
  words: number;
  /** How much this is to the person's taste, learned from their decisions (absent before any). */
  taste?: number;
}

export interface Spend {
  calls: number;
  tokens: number;
  usd: number;
  /** Calls with an intent but no result after a crash: they may have been billed. */
  possiblyBilled: number;
  /** Of `calls`, those whose provider reported no usage: tokens and dollars estimated from the text (absent on boards from before). */
  estimatedCalls?: number;
  budget: { calls?: number; tokens?: number; usd?: number };
  /** Largest share of any budget spent, 0–1. */
  share: number;
}

export interface LensCoverage {
  lensId: string;
  lensName: string;
  candidates: number;
  best: number;
}

/** One direction (a lens) in a compact row: every direction is accounted for, card or not. */
export interface DirectionRow {
  lensId: string;
  lensName: string;
  /** Its best candidate (judged, unpruned), or null before any. */
  bestId: string | null;
  /** The best's quality, 0–1, or null. */
  best: number | null;
  candidates: number;
  /** Its best is a card on this board. */
  onBoard: boolean;
  /** The person has been shown its best (on this board or an earlier checkpoint's). */
  seen: boolean;
  /** The best's taste score and novelty, when known. */
  taste?: number;
  novelty?: number;
}

/**
 * A checkpoint Baton did not raise because the person's taste predicted their decision with a
 * confidence their own past decisions had earned. Exploration went on as if they had decided;
 * the next board shows it, and the person can reverse it.
 */
export interface Assumption {
  /** `${explorationId}.a${n}`. */
  id: string;
  explorationId: string;
  /** The id the skipped checkpoint would have had. */
  checkpointId: string;
  /** Why the checkpoint was due. */
  reasons: TriggerSignal[];
  /** The candidates its board would have shown, in board order. */
  shown: string[];
  /** The decision assumed in the person's place (only `deepen` is ever assumed). */
  action: 'deepen';
  candidateIds: string[];
  /** The taste model's probability that the person would have made this choice. */
  confidence: number;
  /** Past predictions at least as confident: how many, and the share the person agreed with. */
  backing: { count: number; accuracy: number };
  createdAt: string;
}

/** The person's undoing of an assumption, recorded in the ledger like a decision. */
export interface Reversal {
  /** `${explorationId}.r${n}`. */
  id: string;
  explorationId: string;
  assumptionId: string;
  reason?: string;
  /** Candidates the assumed move produced, pruned by the reversal. */
  prunedIds: string[];
  createdAt: string;
}

/** On the board: an assumption made since the person last decided. */
export interface AssumedItem {
  assumptionId: string;
  /** A sentence: what was assumed, on what grounds. */
  summary: string;
  reasons: TriggerSignal['kind'][];
  action: 'deepen';
  candidateIds: string[];
  confidence: number;
  reversed: boolean;
}

export interface Board {
  explorationId: string;
  checkpointId: string | null;
  reasons: TriggerSignal[];
  cards: BoardCard[];
  tradeOffs: Array<{ a: string; b: string; aWins: string[]; bWins: string[] }>;
  spend: Spend;
  lenses: LensCoverage[];
  /** Every direction in a compact row (lens, best, candidates, seen), whether or not it has a card. */
  directions?: DirectionRow[];
  candidates: number;
  /** `rehearsal` when any model in play is the rehearsal model. */
  label: string;
  /** Assumed since you last looked: checkpoints skipped on the strength of your taste. */
  assumed?: AssumedItem[];
  /** At a `pilot` checkpoint: how each criterion scored on the pilot's candidates, and why. */
  pilot?: PilotSummary;
  /** The contenders ranked by pairwise comparison, beside their rubric rank. */
  pairwise?: PairwiseRanking;
}

/** How each criterion scored on the pilot's candidates: so the person can sharpen the criteria. */
export interface PilotSummary {
  candidates: number;
  criteria: Array<{
    criterion: string;
    /** The criterion as the brief words it (absent for a code check). */
    text?: string;
    by: 'judge' | 'check';
    /** Mean of the scored candidates; null when none was scored. */
    mean: number | null;
    min: number | null;
    max: number | null;
    /** Candidates on which it was not scored. */
    unscored: number;
    /** The bar at which it counts as met, and how many candidates reached it. */
    bar: number;
    met: number;
    scores: Array<{ candidateId: string; score: number | null; reason: string }>;
  }>;
}

/** The board's contenders compared in pairs (both orders), ranked by a Bradley–Terry fit. */
export interface PairwiseRanking {
  /** Best first. */
  ranking: Array<{ candidateId: string; strength: number; wins: number; comparisons: number; rubricRank: number }>;
  /** Comparisons made for this board (new calls) and reused from earlier boards. */
  asked: number;
  reused: number;
  /** Pairs whose two orders disagreed (each chose the text shown first, or second): position bias. */
  orderFlips: number;
  /** True when the pairwise best is not the rubric's best. */
  disagrees: boolean;
  /** A sentence for the person. */
  note: string;
}

export const DECISION_ACTIONS = ['deepen', 'prune', 'combine', 'accept', 'lens', 'redirect', 'continue'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface DecisionInput {
  action: DecisionAction;
  candidateIds?: string[];
  reason?: string;
  feedback?: string;
  /** For `lens`: a built-in lens id or custom lens text. */
  lens?: string;
  /** For `redirect`: the new brief version's id. */
  briefId?: string;
}

export interface Decision extends DecisionInput {
  id: string;
  explorationId: string;
  checkpointId: string | null;
  candidateIds: string[];
  createdAt: string;
  /**
   * The person who made it, on a shared server (`baton user add`); absent when the store's owner
   * made it (the CLI, the local server's launch token, MCP over stdio).
   */
  actor?: string;
}

export interface Checkpoint {
  id: string;
  explorationId: string;
  reasons: TriggerSignal[];
  board: Board;
  createdAt: string;
}
