import type { ExplorationState } from '../../explore/state.js';
import type { Assumption, Board, TriggerKind, TriggerSignal } from '../types.js';
import type { SkipOptions } from './calibration.js';
import { shouldSkip } from './calibration.js';
import type { Taste } from './ledger.js';

/**
 * Skipping a checkpoint: when the person's taste predicts what they would decide there, with a
 * confidence that their own past decisions have borne out, Baton assumes that decision instead of
 * asking, records it, and shows it on the next board for review.
 *
 * Only checkpoints whose question is "which of these to follow?" may be skipped — a `conflict`
 * (a trade-off between candidates) and a `novelty` (follow the outlier?) — and only by assuming
 * `deepen` of the predicted favourite, which is cheap to undo. Everything else is always asked:
 * `sensitive` and `unclear` need a person by definition, `budget` and `exhausted` are terminal
 * or about money, and `met` asks whether to stop, which taste over candidates cannot answer.
 */

export const SKIPPABLE_REASONS: ReadonlySet<TriggerKind> = new Set<TriggerKind>(['conflict', 'novelty']);

/**
 * Pairwise predictions backing a skip, and the share of them the person must have agreed with.
 * Each decision at a checkpoint gives one prediction per card left alone, so a dozen is a few
 * decisions — but only predictions at least as confident as this one, less 0.1, count. What
 * earns a skip is the record, not the stated probability: a model that says 0.8 and has been
 * right 90% of the time at that level may skip; one that says 0.95 and was right 80% may not.
 */
export const DEFAULT_ASSUME: Required<SkipOptions> = { minHistory: 12, targetAccuracy: 0.9, window: 0.1 };

export interface Prediction {
  /** The favourite: the candidate the person is predicted to deepen. */
  candidateId: string;
  /** P(favourite preferred over each other option), the smallest of them. */
  confidence: number;
  backing: { count: number; accuracy: number };
  skip: boolean;
}

/**
 * What the person would choose at a checkpoint with these reasons and board: the option (a card
 * a reason points at, or the best) most to their taste, and whether the model has earned the
 * right to assume it. `null` when the checkpoint is not skippable or there is nothing to choose.
 *
 * @example
 * const prediction = predictDecision(taste, reasons, board);
 * if (prediction?.skip) assume(prediction);
 */
export function predictDecision(taste: Taste, reasons: readonly TriggerSignal[], board: Board, options: Required<SkipOptions> = DEFAULT_ASSUME): Prediction | null {
  if (reasons.length === 0 || reasons.some((r) => !SKIPPABLE_REASONS.has(r.kind))) return null;
  if (taste.observations === 0) return null;
  const optionIds = [...new Set([...(board.cards[0] ? [board.cards[0].candidateId] : []), ...reasons.flatMap((r) => r.candidateIds)])];
  const scored = optionIds.flatMap((id) => {
    const score = taste.score(id);
    return score === undefined ? [] : [{ id, score }];
  });
  if (scored.length < 2) return null;
  // Ties go to the earlier option (the best card first), so the prediction is deterministic.
  const favourite = scored.reduce((best, next) => (next.score > best.score ? next : best));
  let confidence = 1;
  for (const other of scored) {
    if (other.id === favourite.id) continue;
    confidence = Math.min(confidence, taste.probability(favourite.id, other.id) ?? 0.5);
  }
  const backing = backingOf(confidence - options.window, taste);
  return { candidateId: favourite.id, confidence, backing, skip: shouldSkip(confidence, taste.history, options) };
}

function backingOf(floor: number, taste: Taste): { count: number; accuracy: number } {
  const at = taste.history.filter((r) => r.confidence >= floor);
  const correct = at.filter((r) => r.correct).length;
  return { count: at.length, accuracy: at.length > 0 ? correct / at.length : 0 };
}

/** The assumption that records a skipped checkpoint. Pure. */
export function assumptionFor(
  state: ExplorationState,
  checkpointId: string,
  reasons: readonly TriggerSignal[],
  board: Board,
  prediction: Prediction,
  at: string,
): Assumption {
  return {
    id: `${state.id}.a${state.assumptions.length + 1}`,
    explorationId: state.id,
    checkpointId,
    reasons: [...reasons],
    shown: board.cards.map((c) => c.candidateId),
    action: 'deepen',
    candidateIds: [prediction.candidateId],
    confidence: round4(prediction.confidence),
    backing: { count: prediction.backing.count, accuracy: round4(prediction.backing.accuracy) },
    createdAt: at,
  };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
