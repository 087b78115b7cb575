import { cosineSimilarity } from '../models/local-embedding.js';

/**
 * Novelty: how far a candidate is from the rest of the exploration — the mean cosine distance
 * to its k nearest neighbours in embedding space, 0 (a copy) to 1 (nothing in common).
 *
 * Embeddings are kept in one contiguous Float32Array so a query is a tight scan; the index only
 * ever grows, in the order candidates are judged, which keeps novelty reproducible on replay.
 */
export class NoveltyIndex {
  private readonly k: number;
  private dimensions = 0;
  private vectors = new Float32Array(0);
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();

  constructor(k = 3) {
    this.k = k;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  add(id: string, embedding: Float32Array): void {
    if (this.positions.has(id)) return;
    if (this.dimensions === 0) this.dimensions = embedding.length;
    if (embedding.length !== this.dimensions) {
      throw new Error(`embedding has ${embedding.length} dimensions, the index has ${this.dimensions}`);
    }
    const needed = (this.ids.length + 1) * this.dimensions;
    if (needed > this.vectors.length) {
      const grown = new Float32Array(Math.max(needed, this.vectors.length * 2));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(embedding, this.ids.length * this.dimensions);
    this.positions.set(id, this.ids.length);
    this.ids.push(id);
  }

  /** Mean distance to the k nearest indexed vectors (excluding `excludeId`); 1 when the index is empty. */
  novelty(embedding: Float32Array, excludeId?: string): number {
    const nearest: number[] = [];
    const d = this.dimensions;
    for (let i = 0; i < this.ids.length; i += 1) {
      if (this.ids[i] === excludeId) continue;
      const similarity = cosineSimilarity(embedding, this.vectors.subarray(i * d, (i + 1) * d));
      insertTopK(nearest, similarity, this.k);
    }
    if (nearest.length === 0) return 1;
    let sum = 0;
    for (const similarity of nearest) sum += 1 - similarity;
    return clamp01(sum / nearest.length);
  }
}

/** Keeps `top` sorted descending with at most k entries. */
function insertTopK(top: number[], value: number, k: number): void {
  if (top.length === k && value <= (top[k - 1] as number)) return;
  let at = top.length;
  while (at > 0 && (top[at - 1] as number) < value) at -= 1;
  top.splice(at, 0, value);
  if (top.length > k) top.pop();
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
