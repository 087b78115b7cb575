import type { Lens } from '../brief/schema.js';
import type { Assumption, Checkpoint, Decision, Reversal } from '../steer/types.js';
import type { Candidate, Judgment, PlannedMove } from './types.js';

export type ExplorationStatus = 'running' | 'awaiting' | 'accepted' | 'exhausted' | 'stopped';

/**
 * The append-only event log of an exploration. The exploration state is a fold of these events
 * (`applyEvent`); the store may keep large payloads (candidate text, judgments) in their own
 * tables and hand them back hydrated.
 */
export type ExplorationEvent =
  | {
      type: 'exploration.created';
      briefId: string;
      seed: number;
      lenses: Lens[];
      model: string;
      judge: string;
      /** The provider embedding novelty uses, `provider:model`; the local embedding when absent. */
      embed?: string | undefined;
    }
  | { type: 'move.planned'; move: PlannedMove }
  | { type: 'candidate.added'; candidate: Candidate }
  | { type: 'candidate.judged'; judgment: Judgment }
  | { type: 'path.exhausted'; candidateId: string; reason: string }
  | { type: 'checkpoint.raised'; checkpoint: Checkpoint }
  | { type: 'decision.made'; decision: Decision }
  /** A checkpoint skipped: its decision was assumed from the person's taste. */
  | { type: 'checkpoint.assumed'; assumption: Assumption }
  /** The person reversed an assumption. */
  | { type: 'assumption.reversed'; reversal: Reversal }
  | { type: 'brief.redirected'; briefId: string; lenses: Lens[] }
  /** A lens a person asked to try that the exploration did not have yet. */
  | { type: 'lens.added'; lens: Lens }
  | { type: 'trigger.deferred'; key: string; kind: string }
  | { type: 'exploration.ended'; status: Exclude<ExplorationStatus, 'running' | 'awaiting'>; candidateId?: string; reason: string }
  /** An ended exploration continued, with more budget (added to the brief's) when given; in the ledger. */
  | { type: 'exploration.reopened'; reopening: Reopening };

/** The person's reopening of an ended exploration, recorded in the ledger like a decision. */
export interface Reopening {
  /** `${explorationId}.o${n}`. */
  id: string;
  /** How it had ended. */
  from: Exclude<ExplorationStatus, 'running' | 'awaiting'>;
  /** Budget added to what the brief allows (each dimension given). */
  budget: { calls?: number; tokens?: number; usd?: number };
  reason?: string;
  createdAt: string;
}

export type EventType = ExplorationEvent['type'];

export interface StoredEvent {
  seq: number;
  explorationId: string;
  at: string;
  event: ExplorationEvent;
}
