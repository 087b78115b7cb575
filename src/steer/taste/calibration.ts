/**
 * Calibration on the person's own decisions. Before each decision is observed the taste model
 * predicts it (prequential: predict, then learn); we keep how confident it was and whether it
 * was right. A checkpoint may be skipped only where that record shows the model's confidence
 * has earned it — for this person, not on average over people.
 */

export interface CalibrationRecord {
  /** The model's probability for its most likely decision, before the person answered. */
  confidence: number;
  /** Whether the person made that decision. */
  correct: boolean;
}

export interface ReliabilityBin {
  /** Confidences in [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence in the bin; NaN when empty. */
  meanConfidence: number;
  /** Share of correct predictions in the bin; NaN when empty. */
  accuracy: number;
}

export interface Reliability {
  count: number;
  accuracy: number;
  meanConfidence: number;
  /** Mean squared error of the confidence against the outcome (0 is perfect). */
  brier: number;
  /** Expected calibration error: the count-weighted mean |accuracy − confidence| over bins. */
  ece: number;
  bins: ReliabilityBin[];
}

export interface SkipOptions {
  /** How many past predictions at least as confident are needed before any skip. */
  minHistory: number;
  /** The accuracy those past predictions must have reached. */
  targetAccuracy: number;
  /**
   * Also count past predictions up to this much less confident (default 0). A model that learns
   * grows more confident with every decision, so none of its past predictions is ever as
   * confident as its latest; where accuracy rises with confidence, as in a calibrated model,
   * counting slightly less confident ones only makes the check stricter.
   */
  window?: number;
}

export const DEFAULT_SKIP: SkipOptions = { minHistory: 20, targetAccuracy: 0.9 };

/**
 * The record of a pairwise prediction: `probability` is P(a ≻ b) as predicted, `aPreferred` what
 * the person then chose. The model's pick is whichever side it gave at least 1/2.
 *
 * @example
 * pairwiseRecord(0.2, false); // { confidence: 0.8, correct: true }
 */
export function pairwiseRecord(probability: number, aPreferred: boolean): CalibrationRecord {
  const picksA = probability >= 0.5;
  return { confidence: picksA ? probability : 1 - probability, correct: picksA === aPreferred };
}

/**
 * A reliability summary of past predictions: binned confidence against observed accuracy, the
 * Brier score and the expected calibration error.
 *
 * @example
 * const { ece, brier } = reliability(history);
 */
export function reliability(history: readonly CalibrationRecord[], binCount = 10): Reliability {
  if (!Number.isInteger(binCount) || binCount < 1) throw new RangeError(`binCount must be a positive integer, got ${binCount}`);
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, correct: 0 }));
  let brier = 0;
  let correct = 0;
  let confidence = 0;
  for (const record of history) {
    const outcome = record.correct ? 1 : 0;
    const bin = sums[Math.min(binCount - 1, Math.max(0, Math.floor(record.confidence * binCount)))];
    if (bin) {
      bin.count += 1;
      bin.confidence += record.confidence;
      bin.correct += outcome;
    }
    brier += (record.confidence - outcome) ** 2;
    correct += outcome;
    confidence += record.confidence;
  }
  const n = history.length;
  let ece = 0;
  const bins = sums.map((s, i): ReliabilityBin => {
    const meanConfidence = s.count > 0 ? s.confidence / s.count : Number.NaN;
    const accuracy = s.count > 0 ? s.correct / s.count : Number.NaN;
    if (s.count > 0) ece += (s.count / n) * Math.abs(accuracy - meanConfidence);
    return { lower: i / binCount, upper: (i + 1) / binCount, count: s.count, meanConfidence, accuracy };
  });
  return {
    count: n,
    accuracy: n > 0 ? correct / n : Number.NaN,
    meanConfidence: n > 0 ? confidence / n : Number.NaN,
    brier: n > 0 ? brier / n : Number.NaN,
    ece,
    bins,
  };
}

/**
 * Whether a checkpoint can be skipped when the model predicts the decision with
 * `predictedProbability`: only if, among past predictions at least this confident (less the
 * `window`), there are
 * at least `minHistory` and the person agreed with at least `targetAccuracy` of them. Anything
 * less — too little history, or confidence that has not been borne out — means ask the person.
 *
 * @example
 * shouldSkip(0.95, [], DEFAULT_SKIP); // false: no history yet
 * shouldSkip(0.95, history, { minHistory: 20, targetAccuracy: 0.9 });
 */
export function shouldSkip(predictedProbability: number, history: readonly CalibrationRecord[], options: SkipOptions = DEFAULT_SKIP): boolean {
  if (!Number.isFinite(predictedProbability)) return false;
  const floor = predictedProbability - Math.max(0, options.window ?? 0);
  let count = 0;
  let correct = 0;
  for (const record of history) {
    if (record.confidence < floor) continue;
    count += 1;
    if (record.correct) correct += 1;
  }
  return count >= options.minHistory && count > 0 && correct / count >= options.targetAccuracy;
}
