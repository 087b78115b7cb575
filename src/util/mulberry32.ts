/**
 * mulberry32: a tiny, fast seeded generator of uniform numbers in [0, 1). Everything in Baton
 * that must be reproducible (the rehearsal model, the taste model's projection, seeded tests)
 * draws from it, never from `Math.random`.
 *
 * @example
 * const next = mulberry32(42);
 * next(); // the same number for seed 42, on any machine
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
