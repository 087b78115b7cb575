import { cosineSimilarity } from '../models/local-embedding.js';
import { mulberry32 } from '../util/mulberry32.js';

/**
 * Novelty: how far a candidate is from the rest of the exploration — the mean cosine distance
 * to its k nearest neighbours in embedding space, 0 (a copy) to 1 (nothing in common).
 *
 * Embeddings are kept in one contiguous Float32Array. Up to `exactLimit` vectors a query scans
 * them all (exact). Beyond, a scan per move would make a growing exploration quadratic, so the
 * neighbours are looked for among the candidates that share a bucket with the query in any of
 * several random-hyperplane hash tables (SimHash LSH), and measured exactly; the number of
 * bits per bucket grows with the index so that buckets keep about the same size, which keeps a
 * query's cost flat. The approximation can miss a true neighbour and then reports a slightly
 * larger novelty; it is deterministic (fixed hyperplanes, insertion order), so a replayed
 * exploration computes exactly what the live one did.
 */

export interface NoveltyIndexOptions {
  /** Neighbours averaged. */
  k?: number;
  /** Up to this many vectors, queries are exact. */
  exactLimit?: number;
  /** Hash tables (more: better recall, slower inserts). */
  tables?: number;
  /** Vectors per bucket aimed at. */
  bucketTarget?: number;
}

const CODE_BITS = 12;
const MIN_BITS = 4;
const HYPERPLANE_SEED = 0x5eed;
const PLANE_TERMS = 16;

export class NoveltyIndex {
  private readonly k: number;
  private readonly exactLimit: number;
  private readonly tables: number;
  private readonly bucketTarget: number;
  private dimensions = 0;
  private vectors = new Float32Array(0);
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();
  /** Each vector's CODE_BITS-bit code per table: codes[position * tables + table]. */
  private codes = new Uint16Array(0);
  private planeIndex = new Uint16Array(0);
  private planeSign = new Float64Array(0);
  private terms = 0;
  /** Bits of the code used as the bucket key now (0 while exact). */
  private bits = 0;
  private buckets: Map<number, number[]>[] = [];
  /** Query stamps per position, to count a candidate found in several tables once. */
  private seen = new Uint32Array(0);
  /** Squared norm of each vector. */
  private norms = new Float64Array(0);
  private stamp = 0;
  /** Vectors hashed and bucketed so far (the rest were added since the last query). */
  private hashed = 0;
  /** The last query and its codes: a candidate is usually added right after being measured. */
  private lastQuery: { embedding: Float32Array; codes: Uint16Array } | undefined;
  /** Codes already known for vectors added but not bucketed yet (by position). */
  private readonly knownCodes = new Map<number, Uint16Array>();
  /** Codes of the first vectors, kept from a snapshot: used instead of hashing them again (see `preloadCodes`). */
  private preloaded: { count: number; lastId: string | null; codes: Uint16Array } | undefined;

  constructor(options: NoveltyIndexOptions | number = {}) {
    const o = typeof options === 'number' ? { k: options } : options;
    this.k = o.k ?? 3;
    this.exactLimit = o.exactLimit ?? 512;
    this.tables = o.tables ?? 16;
    this.bucketTarget = o.bucketTarget ?? 12;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  add(id: string, embedding: Float32Array): void {
    if (this.positions.has(id)) return;
    if (this.dimensions === 0) this.start(embedding.length);
    if (embedding.length !== this.dimensions) {
      throw new Error(`embedding has ${embedding.length} dimensions, the index has ${this.dimensions}`);
    }
    const position = this.ids.length;
    this.ensureCapacity(position + 1);
    this.vectors.set(embedding, position * this.dimensions);
    this.positions.set(id, position);
    this.ids.push(id);
    this.norms[position] = squaredNorm(this.vectors, position * this.dimensions, this.dimensions);
    if (this.lastQuery?.embedding === embedding) this.knownCodes.set(position, this.lastQuery.codes);
    this.lastQuery = undefined;
  }

  /** Reserves room for `count` vectors of `dimensions` (reopening knows how many it will add). */
  reserve(count: number, dimensions: number): void {
    if (this.dimensions === 0 && dimensions > 0) this.start(dimensions);
    // With room to grow by a quarter: reserving exactly would double (and copy) at the next add.
    if (this.dimensions === dimensions) this.ensureCapacity(count + Math.ceil(count / 4));
  }

  /**
   * The hash codes of the vectors hashed so far, to keep with a snapshot. Hashing is a pure
   * function of the vector, so codes kept and codes recomputed are the same.
   */
  exportCodes(): { count: number; tables: number; lastId: string | null; codes: Uint16Array } {
    this.sync();
    const count = this.hashed;
    return { count, tables: this.tables, lastId: count > 0 ? (this.ids[count - 1] as string) : null, codes: this.codes.slice(0, count * this.tables) };
  }

  /**
   * Codes kept with a snapshot for the first `count` vectors this index will be given (in the
   * same order): they are used instead of hashing those vectors again. Ignored unless the vector
   * at `count - 1` has id `lastId` and its recomputed code agrees.
   */
  preloadCodes(codes: { count: number; tables: number; lastId: string | null; codes: Uint16Array }): void {
    if (codes.tables !== this.tables || codes.codes.length !== codes.count * codes.tables) return;
    this.preloaded = { count: codes.count, lastId: codes.lastId, codes: codes.codes };
  }

  /** Mean distance to the k nearest indexed vectors (excluding `excludeId`); 1 when the index is empty. */
  novelty(embedding: Float32Array, excludeId?: string): number {
    this.sync();
    const nearest = this.bits === 0 ? this.scanAll(embedding, excludeId) : this.scanBuckets(embedding, excludeId);
    if (nearest.length === 0) return 1;
    let sum = 0;
    for (const similarity of nearest) sum += 1 - similarity;
    return clamp01(sum / nearest.length);
  }

  /**
   * Hashes and buckets the vectors added since the last query. Deferred from `add` so that
   * loading an exploration's candidates, which may never be queried (a board, a view), costs
   * only the copy. The buckets end as adding them one by one would leave them: members in
   * insertion order, bits as many as the count calls for.
   */
  private sync(): void {
    const count = this.ids.length;
    if (this.hashed === count) return;
    const preloaded = this.usablePreloaded();
    for (let position = this.hashed; position < count; position += 1) {
      const known = this.knownCodes.get(position);
      if (known) this.codes.set(known, position * this.tables);
      else if (preloaded && position < preloaded.count) continue;
      else this.hash(position);
    }
    if (preloaded) {
      const from = this.hashed * this.tables;
      const to = Math.min(preloaded.count, count) * this.tables;
      if (to > from) this.codes.set(preloaded.codes.subarray(from, to), from);
    }
    // Positions the preloaded codes covered were skipped above: copy them in (known codes win).
    if (preloaded) for (const [position, known] of this.knownCodes) this.codes.set(known, position * this.tables);
    this.preloaded = undefined;
    this.knownCodes.clear();
    const wanted = this.bitsFor(count);
    if (wanted !== this.bits) this.rebucket(wanted);
    else if (this.bits > 0) for (let position = this.hashed; position < count; position += 1) this.bucket(position);
    this.hashed = count;
  }

  /** The preloaded codes, if they belong to the vectors added (the last one's id matches and its code recomputes alike). */
  private usablePreloaded(): { count: number; codes: Uint16Array } | undefined {
    const p = this.preloaded;
    if (!p || p.count === 0 || p.count > this.ids.length || this.ids[p.count - 1] !== p.lastId) return undefined;
    const check = new Uint16Array(this.tables);
    this.codesOf(this.vectors, (p.count - 1) * this.dimensions, check, 0);
    for (let t = 0; t < this.tables; t += 1) if (check[t] !== p.codes[(p.count - 1) * this.tables + t]) return undefined;
    return p;
  }

  private start(dimensions: number): void {
    this.dimensions = dimensions;
    // Very sparse random hyperplanes (Li, Hastie & Church): each reads PLANE_TERMS coordinates
    // with random signs, so hashing a vector costs a few thousand additions, not a dense product.
    const next = mulberry32(HYPERPLANE_SEED);
    const planes = this.tables * CODE_BITS;
    const terms = Math.min(PLANE_TERMS, dimensions);
    this.planeIndex = new Uint16Array(planes * terms);
    this.planeSign = new Float64Array(planes * terms);
    for (let p = 0; p < planes; p += 1) {
      for (let j = 0; j < terms; j += 1) {
        this.planeIndex[p * terms + j] = Math.floor(next() * dimensions);
        this.planeSign[p * terms + j] = next() < 0.5 ? -1 : 1;
      }
    }
    this.terms = terms;
  }

  private ensureCapacity(count: number): void {
    if (count * this.dimensions <= this.vectors.length) return;
    const capacity = Math.max(count, this.ids.length * 2, 64);
    const vectors = new Float32Array(capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const codes = new Uint16Array(capacity * this.tables);
    codes.set(this.codes);
    this.codes = codes;
    const norms = new Float64Array(capacity);
    norms.set(this.norms);
    this.norms = norms;
    const seen = new Uint32Array(capacity);
    seen.set(this.seen);
    this.seen = seen;
  }

  private codesOf(vector: Float32Array, offset: number, out: Uint16Array, outOffset: number): void {
    // Locals, not fields, in the hot loop: this runs for every vector added (a reopened
    // exploration re-adds them all). The sums are the same, in the same order.
    const terms = this.terms;
    const tables = this.tables;
    const planeIndex = this.planeIndex;
    const planeSign = this.planeSign;
    let plane = 0;
    for (let t = 0; t < tables; t += 1) {
      let code = 0;
      for (let b = 0; b < CODE_BITS; b += 1) {
        let dot = 0;
        const end = plane + terms;
        for (let j = plane; j < end; j += 1) {
          dot += (vector[offset + (planeIndex[j] as number)] as number) * (planeSign[j] as number);
        }
        plane = end;
        if (dot > 0) code |= 1 << b;
      }
      out[outOffset + t] = code;
    }
  }

  private hash(position: number): void {
    this.codesOf(this.vectors, position * this.dimensions, this.codes, position * this.tables);
  }

  private bitsFor(count: number): number {
    if (count <= this.exactLimit) return 0;
    return Math.min(CODE_BITS, Math.max(MIN_BITS, Math.ceil(Math.log2(count / this.bucketTarget))));
  }

  private keyOf(code: number): number {
    return code & ((1 << this.bits) - 1);
  }

  private rebucket(bits: number): void {
    this.bits = bits;
    this.buckets = Array.from({ length: this.tables }, () => new Map<number, number[]>());
    for (let position = 0; position < this.ids.length; position += 1) this.bucket(position);
  }

  private bucket(position: number): void {
    for (let t = 0; t < this.tables; t += 1) {
      const key = this.keyOf(this.codes[position * this.tables + t] as number);
      const table = this.buckets[t] as Map<number, number[]>;
      const members = table.get(key);
      if (members) members.push(position);
      else table.set(key, [position]);
    }
  }

  /** Cosine similarity with the vector at `position`, its squared norm kept from when it was added. */
  private similarityAt(embedding: Float32Array, queryNorm: number, position: number): number {
    const d = this.dimensions;
    const offset = position * d;
    const vectors = this.vectors;
    // Four running sums: independent additions pipeline, about twice as fast as one chain.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < d; i += 4) {
      s0 += (embedding[i] as number) * (vectors[offset + i] as number);
      s1 += (embedding[i + 1] as number) * (vectors[offset + i + 1] as number);
      s2 += (embedding[i + 2] as number) * (vectors[offset + i + 2] as number);
      s3 += (embedding[i + 3] as number) * (vectors[offset + i + 3] as number);
    }
    for (; i < d; i += 1) s0 += (embedding[i] as number) * (vectors[offset + i] as number);
    const dot = s0 + s1 + (s2 + s3);
    const norm = this.norms[position] as number;
    if (queryNorm === 0 || norm === 0) return 0;
    return dot / Math.sqrt(queryNorm * norm);
  }

  private scanAll(embedding: Float32Array, excludeId: string | undefined): number[] {
    const nearest: number[] = [];
    if (embedding.length !== this.dimensions) {
      // A vector of another size: compare the shared length, as cosineSimilarity does.
      for (let i = 0; i < this.ids.length; i += 1) {
        if (this.ids[i] === excludeId) continue;
        insertTopK(nearest, cosineSimilarity(embedding, this.vectors.subarray(i * this.dimensions, (i + 1) * this.dimensions)), this.k);
      }
      return nearest;
    }
    const queryNorm = squaredNorm(embedding, 0, this.dimensions);
    for (let i = 0; i < this.ids.length; i += 1) {
      if (this.ids[i] === excludeId) continue;
      insertTopK(nearest, this.similarityAt(embedding, queryNorm, i), this.k);
    }
    return nearest;
  }

  private scanBuckets(embedding: Float32Array, excludeId: string | undefined): number[] {
    if (embedding.length !== this.dimensions) return this.scanAll(embedding, excludeId);
    const query = new Uint16Array(this.tables);
    this.codesOf(embedding, 0, query, 0);
    this.lastQuery = { embedding, codes: query };
    const queryNorm = squaredNorm(embedding, 0, this.dimensions);
    this.stamp += 1;
    const excluded = excludeId === undefined ? -1 : (this.positions.get(excludeId) ?? -1);
    const nearest: number[] = [];
    let found = 0;
    for (let t = 0; t < this.tables; t += 1) {
      const members = (this.buckets[t] as Map<number, number[]>).get(this.keyOf(query[t] as number));
      if (!members) continue;
      for (const position of members) {
        if (this.seen[position] === this.stamp || position === excluded) continue;
        this.seen[position] = this.stamp;
        found += 1;
        insertTopK(nearest, this.similarityAt(embedding, queryNorm, position), this.k);
      }
    }
    // Too few neighbours shared a bucket: this one is far from everything, measure it exactly.
    return found < this.k ? this.scanAll(embedding, excludeId) : nearest;
  }
}

function squaredNorm(vector: Float32Array, offset: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i += 1) {
    const x = vector[offset + i] as number;
    sum += x * x;
  }
  return sum;
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
