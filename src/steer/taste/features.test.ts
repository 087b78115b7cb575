import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoardCard } from '../types.js';
import type { CandidateFeatureInput } from './features.js';
import { candidateFeatures, cardFeatureInput, featureSchema } from './features.js';
import { seededRandom } from './random.js';

const base: CandidateFeatureInput = { scores: { clarity: 8, surprise: 3 }, novelty: 0.4, lensId: 'invert', words: 120, kind: 'deepen', depth: 1 };

function named(vector: Float64Array, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((n, i) => [n, vector[i] as number]));
}

function unitEmbedding(seed: number, d: number): Float32Array {
  const random = seededRandom(seed);
  const v = Float32Array.from({ length: d }, () => random.normal());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('candidate features', () => {
  it('lays out scores, novelty, lens, length, kind, depth, flags and the embedding projection by the schema', () => {
    const schema = featureSchema(['clarity', 'surprise'], ['invert', 'extreme'], 4);
    expect(schema.names).toEqual([
      'score:clarity', 'score:surprise', 'novelty', 'lens:invert', 'lens:extreme', 'log-words',
      'kind:open', 'kind:deepen', 'kind:combine', 'depth', 'flag:sensitive', 'flag:unclear', 'failed',
      'embedding:0', 'embedding:1', 'embedding:2', 'embedding:3',
    ]);
    const f = named(candidateFeatures({ ...base, flags: ['unclear'], failed: true }, schema), schema.names);
    expect(f).toMatchObject({
      'score:clarity': 0.8, 'score:surprise': 0.3, novelty: 0.4, 'lens:invert': 1, 'lens:extreme': 0,
      'kind:open': 0, 'kind:deepen': 1, 'kind:combine': 0, depth: 0.5, 'flag:sensitive': 0, 'flag:unclear': 1, failed: 1,
      'embedding:0': 0, 'embedding:3': 0,
    });
    expect(f['log-words']).toBeCloseTo(Math.log(121) / Math.log(1001), 12);
  });

  it('treats a missing score as the midpoint and an unknown lens as no lens', () => {
    const schema = featureSchema(['clarity', 'tone'], ['invert'], 0);
    const f = named(candidateFeatures({ ...base, lensId: 'custom' }, schema), schema.names);
    expect(f['score:tone']).toBe(0.5);
    expect(f['lens:invert']).toBe(0);
  });

  it('projects embeddings the same way every time, roughly keeping their distances', () => {
    const schema = featureSchema([], [], 32);
    const at = (v: Float32Array): Float64Array => candidateFeatures({ ...base, embedding: v }, schema).slice(-32);
    const a = unitEmbedding(1, 384);
    expect(Array.from(at(a))).toEqual(Array.from(at(Float32Array.from(a))));
    // Distances between pairs survive the projection on average (Johnson–Lindenstrauss).
    let ratio = 0;
    for (let s = 0; s < 50; s++) {
      const x = unitEmbedding(2 * s + 10, 384);
      const y = unitEmbedding(2 * s + 11, 384);
      const before = Math.hypot(...x.map((xi, i) => xi - (y[i] as number)));
      const px = at(x);
      const py = at(y);
      ratio += Math.hypot(...px.map((v, i) => v - (py[i] as number))) / before / 50;
    }
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it('stays finite and in range whatever the input (seeded)', () => {
    const schema = featureSchema(['a', 'b'], ['x', 'y'], 3);
    const number = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: -5, max: 20 }));
    fc.assert(
      fc.property(
        fc.record({
          scores: fc.dictionary(fc.constantFrom('a', 'b', 'c'), number),
          novelty: number,
          lensId: fc.constantFrom('x', 'y', 'z'),
          words: number,
          kind: fc.constantFrom('open' as const, 'deepen' as const, 'combine' as const),
          depth: number,
          embedding: fc.option(fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1, max: 1, maxLength: 16 }), { nil: undefined }),
        }),
        (input) => {
          const vector = candidateFeatures(input, schema);
          expect(vector.length).toBe(schema.names.length);
          for (const [i, x] of vector.entries()) {
            expect(Number.isFinite(x)).toBe(true);
            if (!schema.names[i]?.startsWith('embedding:') && schema.names[i] !== 'log-words') {
              expect(x).toBeGreaterThanOrEqual(0);
              expect(x).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it('reads a board card as the person saw it', () => {
    const card: BoardCard = {
      candidateId: 'c1', roles: ['best'], why: 'the best so far', lensId: 'invert', lensName: 'Invert', kind: 'open', depth: 0,
      quality: 0.7, novelty: 0.2, flags: [{ kind: 'sensitive', reason: 'names a person' }], failed: ['max words: 130 > 120'],
      scores: [{ criterion: 'clarity', score: 7, reason: '', by: 'judge' }], exhausted: null, excerpt: '…', words: 130,
    };
    const input = cardFeatureInput(card);
    expect(input).toMatchObject({ scores: { clarity: 7 }, novelty: 0.2, lensId: 'invert', words: 130, kind: 'open', depth: 0, flags: ['sensitive'], failed: true });
    const schema = featureSchema(['clarity'], ['invert'], 2);
    expect(named(candidateFeatures(input, schema), schema.names)).toMatchObject({ 'score:clarity': 0.7, 'flag:sensitive': 1, failed: 1 });
  });
});
