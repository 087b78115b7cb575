import { mulberry32 } from '../../util/mulberry32.js';

/**
 * Seeded randomness for the taste model. The embedding projection must be the same in every
 * process (a model restored from the ledger has to see the same features it was trained on), so
 * it comes from a fixed seed, never from `Math.random`.
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * A mulberry32 generator: small, fast, and good enough for projections and synthetic data.
 *
 * @example
 * const random = seededRandom(42);
 * random.next(); // the same number for seed 42, on any machine
 */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    normal(): number {
      // 1 - next() lies in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
  };
}
