import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBradleyTerry } from './pairwise.js';

describe('Bradley–Terry', () => {
  it('fits two items exactly: the ratio of strengths is the ratio of wins (prior included)', () => {
    const fit = fitBradleyTerry(2, [
      { a: 0, b: 1, outcome: 1 },
      { a: 1, b: 0, outcome: 0 },
      { a: 0, b: 1, outcome: 0 },
    ]);
    // Wins with the prior: 2.5 against 1.5 over 4 comparisons.
    expect(fit.strengths[0]).toBeCloseTo(2.5 / 4, 9);
    expect(fit.strengths[1]).toBeCloseTo(1.5 / 4, 9);
    expect(fit.wins).toEqual([2, 1]);
  });

  it('satisfies the likelihood equations: expected wins equal observed wins for every item', () => {
    const outcomes = [
      { a: 0, b: 1, outcome: 1 as const },
      { a: 1, b: 2, outcome: 1 as const },
      { a: 2, b: 0, outcome: 1 as const },
      { a: 0, b: 2, outcome: 1 as const },
      { a: 1, b: 0, outcome: 0.5 as const },
    ];
    const fit = fitBradleyTerry(3, outcomes);
    const p = fit.strengths;
    const pairs = new Map<string, number>();
    for (const o of outcomes) pairs.set(`${Math.min(o.a, o.b)}-${Math.max(o.a, o.b)}`, (pairs.get(`${Math.min(o.a, o.b)}-${Math.max(o.a, o.b)}`) ?? 0) + 1);
    for (let i = 0; i < 3; i += 1) {
      let expected = 0;
      for (const [key, count] of pairs) {
        const [x, y] = key.split('-').map(Number) as [number, number];
        if (x !== i && y !== i) continue;
        const j = x === i ? y : x;
        expected += (count + 1) * ((p[i] as number) / ((p[i] as number) + (p[j] as number)));
      }
      const observed = (fit.wins[i] as number) + 0.5 * [...pairs.keys()].filter((k) => k.split('-').map(Number).includes(i)).length;
      expect(expected).toBeCloseTo(observed, 6);
    }
  });

  it('an item that wins every comparison ranks first with a finite strength', () => {
    const fit = fitBradleyTerry(3, [
      { a: 2, b: 0, outcome: 1 },
      { a: 0, b: 2, outcome: 0 },
      { a: 2, b: 1, outcome: 1 },
      { a: 1, b: 2, outcome: 0 },
    ]);
    expect(Math.max(...fit.strengths)).toBe(fit.strengths[2]);
    expect(fit.strengths.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
  });

  it('orders items by their wins in a round robin, and is the same whatever the order of the outcomes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.constantFrom(1 as const, 0 as const, 0.5 as const)), { minLength: 1, maxLength: 30 }), (raw) => {
        const outcomes = raw.filter(([a, b]) => a !== b).map(([a, b, outcome]) => ({ a, b, outcome }));
        const fit = fitBradleyTerry(3, outcomes);
        const reversed = fitBradleyTerry(3, [...outcomes].reverse());
        for (let i = 0; i < 3; i += 1) expect(reversed.strengths[i]).toBeCloseTo(fit.strengths[i] as number, 8);
        expect(fit.strengths.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});
