import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../explore/state.js';
import type { Flag } from '../explore/types.js';
import { CRITERIA, StateBuilder } from '../../test/support/state-builder.js';
import { detectSignals as referenceSignals } from '../../test/support/triggers-reference.js';
import type { TriggerIndex } from './trigger-index.js';
import { buildTriggerIndex, kthOfTwo, medianAt, medianDeviation } from './trigger-index.js';
import type { TriggerInput } from './triggers.js';
import { detectSignals } from './triggers.js';

/** A sorted copy's median, computed the plain way (the reference). */
function plainMedian(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const value = fc.oneof(fc.constantFrom(0, 0.25, 0.5, 0.75, 1), fc.double({ min: 0, max: 1, noNaN: true }));

describe('order statistics of the trigger index', () => {
  it('finds the k-th smallest of two sorted runs', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.array(value, { maxLength: 30 }), fc.nat(), (a, b, k) => {
        fc.pre(a.length + b.length > 0);
        a.sort((x, y) => x - y);
        b.sort((x, y) => x - y);
        const all = [...a, ...b].sort((x, y) => x - y);
        const at = k % all.length;
        expect(kthOfTwo((i) => a[i] as number, a.length, (j) => b[j] as number, b.length, at)).toBe(all[at]);
      }),
    );
  });

  it('computes the median and the median absolute deviation exactly as sorting would', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const center = medianAt(sorted.length, (i) => sorted[i] as number);
        expect(center).toBe(plainMedian(values));
        expect(medianDeviation(sorted.length, (i) => sorted[i] as number, center)).toBe(plainMedian(values.map((v) => Math.abs(v - center))));
      }),
    );
  });
});

type Step =
  | { op: 'add'; parent: number; lens: number; a: number; b: number; novelty: number; flag: number; failed: boolean }
  | { op: 'raise'; target: number; kind: number }
  | { op: 'prune'; target: number }
  | { op: 'rejudge'; target: number; a: number }
  | { op: 'exhaust'; target: number }
  | { op: 'detect' };

const score = fc.constantFrom(4, 5, 6, 7, 7.5, 8, 9, 10);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      parent: fc.integer({ min: -3, max: 40 }),
      lens: fc.nat(3),
      a: score,
      b: score,
      // Mostly alike, now and then far out: what makes the novelty trigger fire.
      novelty: fc.oneof({ arbitrary: fc.constantFrom(0.3, 0.3, 0.3, 0.31, 0.32, 0.5, 0.9), weight: 6 }, { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 }),
      flag: fc.nat(12),
      failed: fc.boolean(),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ op: fc.constant('raise' as const), target: fc.nat(40), kind: fc.nat(3) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('prune' as const), target: fc.nat(40) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('rejudge' as const), target: fc.nat(40), a: score }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('exhaust' as const), target: fc.nat(40) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('detect' as const) }), weight: 3 },
);

function flagsFor(n: number): Flag[] {
  if (n === 0) return [{ kind: 'sensitive', reason: 'names a real person' }];
  if (n === 1) return [{ kind: 'unclear', reason: 'which audience?' }];
  if (n === 2) return [{ kind: 'unclear', reason: 'how long?' }];
  return [];
}

describe('indexed trigger detection', () => {
  it('raises exactly the signals a full pass over the exploration raises, after any sequence of changes', () => {
    const seen = new Set<string>();
    const ids = (index: TriggerIndex): unknown => ({
      meeting: index.meeting.toArray().map((n) => n.candidate.id),
      flagged: index.flagged.map((n) => n.candidate.id).sort(),
      novelty: (['open', 'deepen', 'combine'] as const).map((k) => index.novelty[k].toArray().map((n) => [n.candidate.id, n.judgment?.novelty])),
    });
    const compare = (input: TriggerInput): void => {
      const signals = detectSignals(input);
      expect(signals).toEqual(referenceSignals(input));
      for (const s of signals) seen.add(s.kind);
      // Sorted in one go (as for a large exploration) or built insert by insert: the same index.
      expect(ids(buildTriggerIndex(input.state, input.criteria, 0))).toEqual(ids(buildTriggerIndex(input.state, input.criteria, Number.POSITIVE_INFINITY)));
    };
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80, size: 'max' }), fc.boolean(), fc.boolean(), (steps, nothingLeft, budgetSpent) => {
        const b = new StateBuilder();
        const ids: string[] = [];
        const input = (): TriggerInput => ({ state: b.state, criteria: CRITERIA, budgetShare: 0.5, nothingLeft, budgetSpent });
        const pick = (n: number): string | undefined => (ids.length === 0 ? undefined : ids[n % ids.length]);
        let decisions = 0;
        for (const s of steps) {
          switch (s.op) {
            case 'add': {
              const parent = s.parent >= 0 ? pick(s.parent) : undefined;
              const second = s.parent >= 30 && ids.length > 1 ? pick(s.parent + 1) : undefined;
              const parents = parent ? (second && second !== parent ? [parent, second] : [parent]) : [];
              const lens = ['invert', 'extreme', 'minimal', 'borrow-field'][s.lens] as string;
              ids.push(b.add({ parents, lens, scores: { a: s.a, b: s.b }, novelty: s.novelty, flags: flagsFor(s.flag), failed: s.failed && s.flag > 9 }));
              break;
            }
            case 'raise': {
              const id = pick(s.target);
              if (id) b.raised(`${['met', 'novelty', 'sensitive', 'conflict'][s.kind] as string}:${id}`);
              break;
            }
            case 'prune': {
              const id = pick(s.target);
              if (!id) break;
              decisions += 1;
              applyEvent(b.state, {
                type: 'decision.made',
                decision: { id: `x.d${decisions}`, explorationId: 'x', checkpointId: null, action: 'prune', candidateIds: [id], reason: 'no', createdAt: '2026-01-01T00:00:00.000Z' },
              });
              break;
            }
            case 'rejudge': {
              const id = pick(s.target);
              const judgment = id ? b.state.nodes.get(id)?.judgment : undefined;
              if (!judgment) break;
              const scores = judgment.scores.map((sc) => (sc.criterion === 'a' ? { ...sc, score: s.a } : sc));
              const quality = Math.round((scores.reduce((sum, sc) => sum + (sc.score ?? 0), 0) / (10 * scores.length)) * 10_000) / 10_000;
              applyEvent(b.state, { type: 'candidate.judged', judgment: { ...judgment, scores, quality } });
              break;
            }
            case 'exhaust': {
              const id = pick(s.target);
              if (id) b.exhaust(id);
              break;
            }
            case 'detect':
              compare(input());
              break;
          }
        }
        compare(input());
      }),
      { numRuns: 300 },
    );
    // The generated explorations did exercise every kind of signal.
    expect([...seen].sort()).toEqual(['budget', 'conflict', 'exhausted', 'met', 'novelty', 'sensitive', 'unclear']);
  });
});
