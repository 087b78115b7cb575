import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/mulberry32.js';
import { decodeEmbedding, encodeEmbedding, quantizeEmbedding } from './embedding-codec.js';

function bits(v: Float32Array): number[] {
  return Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
}

function randomVector(next: () => number, dimensions: number, magnitude: number): Float32Array {
  return Float32Array.from({ length: dimensions }, () => (next() - 0.5) * magnitude);
}

function roundTrip(v: Float32Array): Float32Array {
  const { blob, scale } = encodeEmbedding(v);
  return decodeEmbedding(new Uint8Array(blob), scale, 'c');
}

describe('embedding codec', () => {
  it('a quantized vector is stored as one byte per dimension and decodes to exactly the same bits', () => {
    const next = mulberry32(7);
    for (const [dimensions, magnitude] of [[256, 2], [256, 1e-3], [384, 40], [3, 1], [1, 5e3], [1536, 1e-20]] as const) {
      for (let i = 0; i < 20; i += 1) {
        const q = quantizeEmbedding(randomVector(next, dimensions, magnitude));
        const encoded = encodeEmbedding(q);
        expect(encoded.scale).not.toBeNull();
        expect(encoded.blob.byteLength).toBe(dimensions);
        expect(bits(roundTrip(q))).toEqual(bits(q));
      }
    }
  });

  it('quantizing stays close to the vector and is idempotent', () => {
    const next = mulberry32(11);
    const v = randomVector(next, 256, 2);
    const q = quantizeEmbedding(v);
    const max = Math.max(...Array.from(v, Math.abs));
    for (let i = 0; i < v.length; i += 1) expect(Math.abs((q[i] as number) - (v[i] as number))).toBeLessThanOrEqual((max / 127) * 0.5 * 1.0001);
    expect(bits(quantizeEmbedding(q))).toEqual(bits(q));
    expect(q).not.toBe(v);
  });

  it('keeps a vector that is not quantized as float32 bytes, losslessly', () => {
    const v = new Float32Array([0.5, -0.25, 3, 1e-7, Math.PI]);
    const encoded = encodeEmbedding(v);
    expect(encoded.scale).toBeNull();
    expect(encoded.blob.byteLength).toBe(v.length * 4);
    expect(bits(roundTrip(v))).toEqual(bits(v));
  });

  it('handles zeros, negative zero and non-finite components without losing a bit', () => {
    for (const v of [new Float32Array(4), new Float32Array([-0, 0, 0]), new Float32Array([1, Number.NaN]), new Float32Array([Infinity, 1]), new Float32Array([1e-44, 2e-45])]) {
      expect(bits(roundTrip(v))).toEqual(bits(v));
      const q = quantizeEmbedding(v);
      expect(bits(roundTrip(q))).toEqual(bits(q));
    }
    expect(bits(quantizeEmbedding(new Float32Array([-0, 0])))).toEqual([0, 0]);
    expect(encodeEmbedding(new Float32Array([-0, 0])).scale).toBeNull();
  });

  it('decodes float32 bytes written before int8 embeddings, and refuses malformed ones clearly', () => {
    const old = new Float32Array([0.5, -0.25, 1.5]);
    expect(decodeEmbedding(new Uint8Array(old.buffer), null, 'c1')).toEqual(old);
    expect(() => decodeEmbedding(new Uint8Array(5), null, 'c1')).toThrow(/malformed embedding for candidate c1/);
    expect(() => decodeEmbedding(new Uint8Array(4), -1, 'c2')).toThrow(/malformed embedding scale .* candidate c2/);
    expect(() => decodeEmbedding(new Uint8Array(4), 0.1, 'c3')).toThrow(/malformed embedding scale/);
  });
});
