import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalibrationRecord } from './calibration.js';
import { pairwiseRecord, reliability, shouldSkip } from './calibration.js';
import { createTasteModel } from './model.js';
import { seededRandom } from './random.js';

/**
 * The taste model against a synthetic person whose taste is known: a hidden weight vector,
 * candidates with random features in [0, 1] (like real ones), choices drawn through the logistic
 * link — the model's own assumptions, so what it learns can be checked against the truth.
 */

interface SyntheticPerson {
  weights: Float64Array;
  candidate(): Float64Array;
  /** The true P(a ≻ b). */
  truth(a: Float64Array, b: Float64Array): number;
  /** A drawn choice: true when the person prefers a. */
  prefers(a: Float64Array, b: Float64Array): boolean;
}

function syntheticPerson(seed: number, dims: number, scale = 2): SyntheticPerson {
  const random = seededRandom(seed);
  const weights = Float64Array.from({ length: dims }, () => scale * random.normal());
  const truth = (a: Float64Array, b: Float64Array): number => {
    let z = 0;
    for (let i = 0; i < dims; i++) z += (weights[i] as number) * ((a[i] as number) - (b[i] as number));
    return 1 / (1 + Math.exp(-z));
  };
  return {
    weights,
    candidate: () => Float64Array.from({ length: dims }, () => random.next()),
    truth,
    prefers: (a, b) => random.next() < truth(a, b),
  };
}

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

interface Run {
  cosine: number;
  /** Held-out share of drawn choices the model's pick agrees with. */
  accuracy: number;
  /** The same for the true weights: the best any model can do on these draws. */
  bayesAccuracy: number;
  /** Prequential records: each prediction made before its preference was observed. */
  history: CalibrationRecord[];
}

function run(seed: number, dims: number, training: number, heldOut = 4000): Run {
  const person = syntheticPerson(seed, dims);
  const model = createTasteModel(dims);
  const history: CalibrationRecord[] = [];
  for (let t = 0; t < training; t++) {
    const a = person.candidate();
    const b = person.candidate();
    const aPreferred = person.prefers(a, b);
    history.push(pairwiseRecord(model.probability(a, b), aPreferred));
    if (aPreferred) model.observe(a, b);
    else model.observe(b, a);
  }
  let agree = 0;
  let bayes = 0;
  for (let t = 0; t < heldOut; t++) {
    const a = person.candidate();
    const b = person.candidate();
    const aPreferred = person.prefers(a, b);
    if (model.probability(a, b) >= 0.5 === aPreferred) agree += 1;
    if (person.truth(a, b) >= 0.5 === aPreferred) bayes += 1;
  }
  return { cosine: cosine(model.weights(), person.weights), accuracy: agree / heldOut, bayesAccuracy: bayes / heldOut, history };
}

describe('taste model on a synthetic person', () => {
  it('recovers the hidden weights and predicts held-out choices about as well as the truth does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const result = run(seed, 12, 3000);
        expect(result.cosine).toBeGreaterThan(0.9);
        expect(result.accuracy).toBeGreaterThan(result.bayesAccuracy - 0.02);
      }),
      { seed: 4, numRuns: 8 },
    );
  });

  it('pins seed 1: the figures quoted for issue 4', () => {
    const result = run(1, 12, 3000);
    expect(result.cosine).toBeGreaterThan(0.97);
    expect(result.bayesAccuracy - result.accuracy).toBeLessThan(0.01);
  });

  it('learns something useful from the few dozen choices a person actually makes', () => {
    const cosines = [11, 12, 13, 14, 15].map((seed) => run(seed, 12, 60, 10).cosine);
    const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
    expect(mean).toBeGreaterThan(0.85);
  });

  it('is calibrated on its own past predictions: small expected calibration error', () => {
    for (const seed of [1, 2, 3]) {
      const { history } = run(seed, 12, 3000, 0);
      // From the start (moderated predictions) and once past the first few hundred choices.
      expect(reliability(history).ece).toBeLessThan(0.08);
      expect(reliability(history.slice(500)).ece).toBeLessThan(0.05);
    }
  });

  it('skips only where confident predictions have been borne out', () => {
    const { history } = run(1, 12, 3000, 0);
    const options = { minHistory: 30, targetAccuracy: 0.9 };
    expect(shouldSkip(0.97, history.slice(0, 5), options)).toBe(false);
    expect(shouldSkip(0.97, history, options)).toBe(true);
    // A coin-flip prediction is right far less than 90% of the time: ask.
    expect(shouldSkip(0.55, history, options)).toBe(false);
  });
});
