import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalibrationRecord } from './calibration.js';
import { DEFAULT_SKIP, pairwiseRecord, reliability, shouldSkip } from './calibration.js';

const records = (confidence: number, right: number, wrong: number): CalibrationRecord[] => [
  ...Array.from({ length: right }, () => ({ confidence, correct: true })),
  ...Array.from({ length: wrong }, () => ({ confidence, correct: false })),
];

describe('calibration', () => {
  it('records a pairwise prediction as the model’s pick, its confidence and whether the person agreed', () => {
    expect(pairwiseRecord(0.2, false)).toEqual({ confidence: 0.8, correct: true });
    expect(pairwiseRecord(0.7, false)).toEqual({ confidence: 0.7, correct: false });
    expect(pairwiseRecord(0.5, true)).toEqual({ confidence: 0.5, correct: true });
  });

  it('summarises reliability: binned accuracy against confidence, Brier score, expected calibration error', () => {
    const history = [...records(0.95, 9, 1), ...records(0.65, 1, 1)];
    const summary = reliability(history, 10);
    expect(summary.count).toBe(12);
    expect(summary.accuracy).toBeCloseTo(10 / 12, 12);
    const high = summary.bins[9];
    const mid = summary.bins[6];
    expect(high).toMatchObject({ count: 10, accuracy: 0.9 });
    expect(high?.meanConfidence).toBeCloseTo(0.95, 12);
    expect(mid).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(summary.bins[0]?.count).toBe(0);
    expect(summary.ece).toBeCloseTo((10 / 12) * 0.05 + (2 / 12) * 0.15, 12);
    expect(summary.brier).toBeCloseTo((9 * 0.05 ** 2 + 0.95 ** 2 + 0.35 ** 2 + 0.65 ** 2) / 12, 12);
    expect(reliability([]).count).toBe(0);
    expect(reliability([{ confidence: 1, correct: true }]).bins[9]?.count).toBe(1);
  });

  it('never skips without enough history', () => {
    expect(shouldSkip(0.99, [])).toBe(false);
    expect(shouldSkip(0.99, records(0.99, DEFAULT_SKIP.minHistory - 1, 0))).toBe(false);
    expect(shouldSkip(0.99, records(0.99, DEFAULT_SKIP.minHistory, 0))).toBe(true);
  });

  it('skips only when past predictions at least as confident were right often enough', () => {
    const options = { minHistory: 10, targetAccuracy: 0.9 };
    expect(shouldSkip(0.9, records(0.95, 18, 2), options)).toBe(true);
    expect(shouldSkip(0.9, records(0.95, 17, 3), options)).toBe(false);
    // Less confident past predictions say nothing about confident ones, even perfect ones.
    expect(shouldSkip(0.9, records(0.8, 100, 0), options)).toBe(false);
    // An over-confident model's record is what counts, not its stated probability.
    expect(shouldSkip(0.99, records(0.99, 70, 30), options)).toBe(false);
    expect(shouldSkip(Number.NaN, records(0.99, 100, 0), options)).toBe(false);
  });

  it('with a window, also counts slightly less confident past predictions — a stricter check where accuracy rises with confidence', () => {
    const windowed = { minHistory: 10, targetAccuracy: 0.9, window: 0.1 };
    // A learning model's latest prediction is its most confident yet: no past one is as confident.
    expect(shouldSkip(0.9, records(0.85, 20, 0), { minHistory: 10, targetAccuracy: 0.9 })).toBe(false);
    expect(shouldSkip(0.9, records(0.85, 20, 0), windowed)).toBe(true);
    expect(shouldSkip(0.9, records(0.75, 20, 0), windowed)).toBe(false);
    expect(shouldSkip(0.9, [...records(0.85, 18, 2), ...records(0.97, 10, 0)], windowed)).toBe(true);
    expect(shouldSkip(0.9, [...records(0.85, 14, 6), ...records(0.97, 5, 0)], windowed)).toBe(false);
  });

  it('a skip is always backed by at least minHistory past predictions that were right at the target rate (seeded)', () => {
    const record = fc.record({ confidence: fc.double({ min: 0.5, max: 1, noNaN: true }), correct: fc.boolean() });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 80 }), fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 1, max: 30 }), (history, p, minHistory) => {
        const options = { minHistory, targetAccuracy: 0.9 };
        const backing = history.filter((r) => r.confidence >= p);
        const skip = shouldSkip(p, history, options);
        expect(skip).toBe(backing.length >= minHistory && backing.filter((r) => r.correct).length / backing.length >= 0.9);
        const summary = reliability(history);
        if (history.length > 0) {
          expect(summary.ece).toBeGreaterThanOrEqual(0);
          expect(summary.ece).toBeLessThanOrEqual(1);
          expect(summary.brier).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});
