import { describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../models/local-embedding.js';
import { mulberry32 } from '../util/mulberry32.js';
import { NoveltyIndex } from './novelty.js';

/** Brute-force novelty: the reference the index must agree with. */
function bruteNovelty(vectors: readonly Float32Array[], query: Float32Array, k: number): number {
  const similarities = vectors.map((v) => cosineSimilarity(query, v)).sort((a, b) => b - a).slice(0, k);
  if (similarities.length === 0) return 1;
  return Math.min(1, Math.max(0, similarities.reduce((sum, s) => sum + (1 - s), 0) / similarities.length));
}

/**
 * Seeded data shaped like an exploration: clusters (paths whose deepenings stay close to their
 * opening) around random centres, in 256 dimensions.
 */
function clusteredVectors(seed: number, clusters: number, perCluster: number, spread: number): Float32Array[] {
  const next = mulberry32(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const vectors: Float32Array[] = [];
  for (let c = 0; c < clusters; c += 1) {
    const centre = Float32Array.from({ length: 256 }, gaussian);
    for (let i = 0; i < perCluster; i += 1) vectors.push(Float32Array.from(centre, (x) => x + spread * gaussian()));
  }
  // Interleave the clusters, as paths grow side by side.
  return vectors.map((_, i) => vectors[(i % clusters) * perCluster + Math.floor(i / clusters)] as Float32Array);
}

describe('NoveltyIndex', () => {
  it('is exact up to its exact limit', () => {
    const vectors = clusteredVectors(1, 20, 20, 0.5);
    const index = new NoveltyIndex({ exactLimit: 1024 });
    vectors.forEach((v, i) => {
      expect(index.novelty(v)).toBeCloseTo(bruteNovelty(vectors.slice(0, i), v, 3), 6);
      index.add(`c${i}`, v);
    });
  });

  it('beyond it, finds the true neighbours for most queries, and errs only towards more novelty', () => {
    const vectors = clusteredVectors(2, 250, 16, 0.6);
    const index = new NoveltyIndex({ exactLimit: 256 });
    let found = 0;
    let queries = 0;
    let error = 0;
    vectors.forEach((v, i) => {
      if (i >= 512 && i % 7 === 0) {
        const exact = bruteNovelty(vectors.slice(0, i), v, 3);
        const approximate = index.novelty(v);
        // Missing a neighbour can only replace it with a farther one.
        expect(approximate).toBeGreaterThanOrEqual(exact - 1e-6);
        error += approximate - exact;
        queries += 1;
        if (approximate - exact < 0.02) found += 1;
      }
      index.add(`c${i}`, v);
    });
    expect(queries).toBeGreaterThan(400);
    expect(found / queries).toBeGreaterThan(0.9);
    expect(error / queries).toBeLessThan(0.02);
  });

  it('gives the same answers when rebuilt in the same order (replay agrees with the live run)', () => {
    const vectors = clusteredVectors(3, 100, 12, 0.7);
    const live = new NoveltyIndex({ exactLimit: 128 });
    const answers: number[] = [];
    vectors.forEach((v, i) => {
      answers.push(live.novelty(v));
      live.add(`c${i}`, v);
    });
    const replayed = new NoveltyIndex({ exactLimit: 128 });
    vectors.forEach((v, i) => {
      expect(replayed.novelty(v)).toBe(answers[i]);
      replayed.add(`c${i}`, v);
    });
  });

  it('leaves out the excluded candidate and answers 1 when empty', () => {
    const index = new NoveltyIndex();
    const v = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    expect(index.novelty(v)).toBe(1);
    index.add('a', v);
    expect(index.novelty(v)).toBeCloseTo(0, 6);
    expect(index.novelty(v, 'a')).toBe(1);
  });

  it('reopened with the hash codes kept from a snapshot, answers as the live index and one that hashed again', () => {
    const vectors = clusteredVectors(9, 120, 10, 0.6);
    const live = new NoveltyIndex({ exactLimit: 64 });
    vectors.slice(0, 1000).forEach((v, i) => live.add(`c${i}`, v));
    live.novelty(vectors[1000] as Float32Array);
    const codes = live.exportCodes();
    expect(codes.count).toBe(1000);

    const reopen = (kept: typeof codes | undefined): NoveltyIndex => {
      const index = new NoveltyIndex({ exactLimit: 64 });
      index.reserve(1000, 256);
      if (kept) index.preloadCodes(kept);
      vectors.slice(0, 1000).forEach((v, i) => index.add(`c${i}`, v));
      return index;
    };
    const withCodes = reopen(codes);
    const rehashed = reopen(undefined);
    // Codes of other vectors (a snapshot of another exploration) are noticed and not used.
    const wrong = reopen({ ...codes, codes: codes.codes.map((c) => c ^ 1) });
    for (let i = 1000; i < 1200; i += 1) {
      const query = vectors[i] as Float32Array;
      const expected = live.novelty(query);
      expect(withCodes.novelty(query)).toBe(expected);
      expect(rehashed.novelty(query)).toBe(expected);
      expect(wrong.novelty(query)).toBe(expected);
      for (const index of [live, withCodes, rehashed, wrong]) index.add(`c${i}`, query);
    }
  });
});
