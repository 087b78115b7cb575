import { BatonError } from '../errors.js';

/**
 * How a candidate's embedding is stored. A 256-dimension float32 vector is 1 KB, half the size
 * of a typical candidate's text; as 8-bit integers and one scale it is 256 bytes.
 *
 * Quantizing changes the vector, so the store never does it on its own: the engine quantizes a
 * new embedding (`quantizeEmbedding`) before using it, and the store keeps whatever it is given
 * exactly. A quantized vector is recognised (`encodeEmbedding`) and kept as integers; any other is
 * kept as float32, as before. Either way `decodeEmbedding` gives back the very same float32 values,
 * so an exploration resumed from the database computes exactly what the live one did.
 *
 * Quantized form: v[i] = q[i] * scale with q[i] an integer in [-127, 127], max |q[i]| = 127, and
 * `scale` a float32 with at most 17 significant bits, so that every product q[i] * scale (7 + 17
 * bits) is exact in float32 — no rounding anywhere, and the scale is recovered exactly from the
 * largest component (127 * scale).
 */

const LEVELS = 127;
const SCALE_BITS = 17;

/**
 * The embedding as the store keeps it compactly: every component a multiple (−127…127) of one
 * scale. Deterministic and idempotent; a vector with a non-finite component, or too close to the
 * float32 limits to be quantized exactly, is returned as an unchanged copy (stored as float32).
 *
 * @example
 * const embedding = quantizeEmbedding(await port.embed([text]).then(([v]) => v));
 */
export function quantizeEmbedding(v: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < v.length; i += 1) {
    const a = Math.abs(v[i] as number);
    if (!(a <= Number.MAX_VALUE)) return Float32Array.from(v);
    if (a > max) max = a;
  }
  if (max === 0) return new Float32Array(v.length);
  const scale = roundUpToBits(max / LEVELS, SCALE_BITS);
  if (!(scale > 0) || Math.fround(scale) !== scale) return Float32Array.from(v);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 1) {
    const q = Math.max(-LEVELS, Math.min(LEVELS, Math.round((v[i] as number) / scale)));
    // `+ 0` turns a -0 (from rounding a small negative) into 0, as decoding gives.
    out[i] = q * scale + 0;
  }
  // Exactness cannot hold for a scale deep in the subnormal range: keep the vector as it was.
  return isQuantized(out) ? out : Float32Array.from(v);
}

/** The smallest number ≥ x with at most `bits` significant bits (x > 0, finite). */
function roundUpToBits(x: number, bits: number): number {
  let exponent = Math.floor(Math.log2(x));
  // log2 can be off by one near powers of two.
  if (2 ** exponent > x) exponent -= 1;
  else if (2 ** (exponent + 1) <= x) exponent += 1;
  const unit = 2 ** (exponent - bits + 1);
  return Math.ceil(x / unit) * unit;
}

/** The integers and scale of a quantized vector, or undefined when `v` is not one exactly. */
function integerForm(v: Float32Array): { q: Int8Array; scale: number } | undefined {
  let max = 0;
  for (let i = 0; i < v.length; i += 1) {
    const a = Math.abs(v[i] as number);
    if (!(a <= Number.MAX_VALUE)) return undefined;
    if (a > max) max = a;
  }
  const q = new Int8Array(v.length);
  if (max === 0) {
    // All zeros; a -0 would not come back as -0.
    for (let i = 0; i < v.length; i += 1) if (Object.is(v[i], -0)) return undefined;
    return { q, scale: 0 };
  }
  const scale = max / LEVELS;
  if (Math.fround(scale) !== scale) return undefined;
  for (let i = 0; i < v.length; i += 1) {
    const x = v[i] as number;
    const n = x / scale;
    if (!Number.isInteger(n) || Object.is(x, -0) || Math.fround(n * scale) !== x) return undefined;
    q[i] = n;
  }
  return { q, scale };
}

function isQuantized(v: Float32Array): boolean {
  return integerForm(v) !== undefined;
}

/** An embedding as stored: `blob` with `scale` null is float32 bytes; with a scale, int8 components. */
export interface EncodedEmbedding {
  blob: Buffer;
  scale: number | null;
}

/** The stored form of an embedding: int8 when it is quantized, float32 otherwise; lossless either way. */
export function encodeEmbedding(embedding: Float32Array): EncodedEmbedding {
  const form = integerForm(embedding);
  if (form) return { blob: Buffer.from(form.q.buffer, form.q.byteOffset, form.q.byteLength), scale: form.scale };
  return { blob: Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength), scale: null };
}

/**
 * The embedding a row holds. `scale` null: float32 bytes in machine order (every row written
 * before int8 embeddings, and vectors that were not quantized); otherwise int8 components.
 */
export function decodeEmbedding(bytes: Uint8Array, scale: number | null, candidateId: string, slab?: EmbeddingSlab): Float32Array {
  if (scale === null) {
    if (bytes.byteLength % Float32Array.BYTES_PER_ELEMENT !== 0) {
      throw new BatonError('internal', `The database holds a malformed embedding for candidate ${candidateId}.`);
    }
    // Copied so the array owns an aligned buffer.
    const copy = new Uint8Array(bytes);
    return new Float32Array(copy.buffer, 0, copy.byteLength / Float32Array.BYTES_PER_ELEMENT);
  }
  if (typeof scale !== 'number' || !(scale >= 0) || Math.fround(scale) !== scale) {
    throw new BatonError('internal', `The database holds a malformed embedding scale (${String(scale)}) for candidate ${candidateId}.`);
  }
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = slab ? slab.take(q.length) : new Float32Array(q.length);
  for (let i = 0; i < q.length; i += 1) out[i] = (q[i] as number) * scale + 0;
  return out;
}

/**
 * Room for many decoded embeddings in a few large buffers: reading a whole exploration decodes
 * one per candidate, and ten thousand small buffers cost the garbage collector far more than a
 * few large ones. Each embedding is a view of its own range; the views keep their slab alive.
 */
export class EmbeddingSlab {
  #buffer = new Float32Array(0);
  #used = 0;

  take(length: number): Float32Array {
    if (this.#used + length > this.#buffer.length) {
      this.#buffer = new Float32Array(Math.max(length, SLAB_FLOATS));
      this.#used = 0;
    }
    const view = this.#buffer.subarray(this.#used, this.#used + length);
    this.#used += length;
    return view;
  }
}

/** 1 MB: 1,024 embeddings of 256 dimensions. */
const SLAB_FLOATS = 256 * 1024;
