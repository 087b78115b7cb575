import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation } from './model.js';
import { TasteModel, createTasteModel, fitTasteModel } from './model.js';
import { seededRandom } from './random.js';

/** A seeded sequence of preferences over random features, some weighted. */
function observations(seed: number, dims: number, count: number): Observation[] {
  const random = seededRandom(seed);
  const vector = (): Float64Array => Float64Array.from({ length: dims }, () => random.next());
  return Array.from({ length: count }, () => ({ preferred: vector(), other: vector(), weight: random.next() < 0.2 ? 0.5 : 1 }));
}

const roundTrip = (model: TasteModel): TasteModel => TasteModel.fromJSON(JSON.parse(JSON.stringify(model)));

describe('taste model', () => {
  it('knows nothing at first: every pair is a coin flip', () => {
    const model = createTasteModel(3);
    expect(model.probability(Float64Array.of(1, 0, 0), Float64Array.of(0, 1, 0))).toBe(0.5);
    expect(model.observations).toBe(0);
  });

  it('leans toward what was preferred, and P(a ≻ b) + P(b ≻ a) = 1', () => {
    const model = createTasteModel(2);
    const a = Float64Array.of(1, 0);
    const b = Float64Array.of(0, 1);
    model.observe(a, b);
    expect(model.probability(a, b)).toBeGreaterThan(0.5);
    expect(model.score(a)).toBeGreaterThan(model.score(b));
    expect(model.probability(a, b) + model.probability(b, a)).toBeCloseTo(1, 12);
    expect(model.probability(a, a)).toBe(0.5);
  });

  it('grows more confident with repeated, consistent evidence, and a weight counts like repetitions', () => {
    const a = Float64Array.of(1, 0);
    const b = Float64Array.of(0, 1);
    const once = createTasteModel(2);
    once.observe(a, b);
    const often = fitTasteModel(2, Array.from({ length: 10 }, () => ({ preferred: a, other: b })));
    expect(often.probability(a, b)).toBeGreaterThan(once.probability(a, b));
    const light = createTasteModel(2);
    light.observe(a, b, 0.25);
    expect(light.probability(a, b)).toBeLessThan(once.probability(a, b));
    expect(light.totalWeight).toBe(0.25);
  });

  it('a stronger prior (more L2) keeps the weights smaller', () => {
    const data = observations(3, 4, 50);
    const norm = (m: TasteModel): number => Math.hypot(...m.weights());
    expect(norm(fitTasteModel(4, data, { priorPrecision: 10 }))).toBeLessThan(norm(fitTasteModel(4, data, { priorPrecision: 0.1 })));
  });

  it('forgetting lets recent preferences outweigh old ones', () => {
    const a = Float64Array.of(1, 0);
    const b = Float64Array.of(0, 1);
    const history: Observation[] = [
      ...Array.from({ length: 30 }, () => ({ preferred: a, other: b })),
      ...Array.from({ length: 10 }, () => ({ preferred: b, other: a })),
    ];
    expect(fitTasteModel(2, history).probability(b, a)).toBeLessThan(0.5);
    expect(fitTasteModel(2, history, { forgetting: 0.1 }).probability(b, a)).toBeGreaterThan(0.5);
  });

  it('rejects features of the wrong length, non-finite features and non-positive weights', () => {
    const model = createTasteModel(2);
    expect(() => model.observe(Float64Array.of(1), Float64Array.of(0, 1))).toThrow(RangeError);
    expect(() => model.probability(Float64Array.of(Number.NaN, 0), Float64Array.of(0, 1))).toThrow(RangeError);
    expect(() => model.observe(Float64Array.of(1, 0), Float64Array.of(0, 1), 0)).toThrow(RangeError);
    expect(() => createTasteModel(2, { forgetting: 1 })).toThrow(RangeError);
    expect(model.observations).toBe(0);
  });

  it('restores exactly from JSON, and refuses what is not a saved model', () => {
    const model = fitTasteModel(5, observations(1, 5, 40), { priorPrecision: 2, forgetting: 0.01 });
    const restored = roundTrip(model);
    expect(restored.toJSON()).toEqual(model.toJSON());
    const [probe] = observations(2, 5, 1);
    if (!probe) throw new Error('no probe');
    expect(restored.probability(probe.preferred, probe.other)).toBe(model.probability(probe.preferred, probe.other));
    expect(restored.score(probe.preferred)).toBe(model.score(probe.preferred));
    expect(() => TasteModel.fromJSON({ ...model.toJSON(), weights: [1, 2] })).toThrow(RangeError);
    expect(() => TasteModel.fromJSON({ ...model.toJSON(), version: 2 })).toThrow();
    expect(() => TasteModel.fromJSON('weights')).toThrow();
  });

  it('is deterministic: saved and resumed anywhere, or rebuilt from the ledger, it holds identical weights (seeded)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 12 }), fc.nat(60), (seed, dims, cut) => {
        const data = observations(seed, dims, 60);
        // Incremental, with a save and restore at an arbitrary point (a process restart)…
        let live = createTasteModel(dims, { forgetting: 0.02 });
        data.forEach((o, i) => {
          if (i === cut) live = roundTrip(live);
          live.observe(o.preferred, o.other, o.weight);
        });
        // …against a recomputation from the stored preferences.
        const rebuilt = fitTasteModel(dims, data, { forgetting: 0.02 });
        expect(Array.from(live.weights())).toEqual(Array.from(rebuilt.weights()));
        expect(live.toJSON()).toEqual(rebuilt.toJSON());
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it('reproduces the same order exactly (order itself matters: it learns online, not in batch)', () => {
    const data = observations(5, 4, 30);
    const forward = fitTasteModel(4, data);
    const again = fitTasteModel(4, data);
    const reversed = fitTasteModel(4, [...data].reverse());
    expect(Array.from(again.weights())).toEqual(Array.from(forward.weights()));
    expect(Array.from(reversed.weights())).not.toEqual(Array.from(forward.weights()));
  });
});
