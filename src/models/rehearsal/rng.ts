import { fnv1a, mix32 } from '../local-embedding.js';
import { mulberry32 } from '../../util/mulberry32.js';

/**
 * Deterministic randomness for the rehearsal model. Every choice is derived from a hash of the
 * inputs that matter, never from hidden state, so the same request gives the same answer in any
 * process — after a crash, on another machine, in a test.
 */

type Part = string | number;

const SEPARATOR = '\u241f';

/** A well-mixed 32-bit hash of the parts. */
export function hash32(...parts: Part[]): number {
  return mix32(fnv1a(parts.join(SEPARATOR)));
}

/** A number in [0, 1) derived from the parts. */
export function unit(...parts: Part[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** A number in [-1, 1) derived from the parts. */
export function signedUnit(...parts: Part[]): number {
  return unit(...parts) * 2 - 1;
}

/** Six lowercase hex digits derived from the parts. */
export function hex6(...parts: Part[]): string {
  return (hash32(...parts) >>> 8).toString(16).padStart(6, '0');
}

export interface Rng {
  /** [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(list: readonly T[]): T;
  /** A shuffled copy. */
  shuffle<T>(list: readonly T[]): T[];
}

/** A seeded generator (mulberry32) whose seed is the hash of the parts. */
export function createRng(...parts: Part[]): Rng {
  const next = mulberry32(hash32(...parts));
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick<T>(list: readonly T[]): T {
      if (list.length === 0) throw new RangeError('cannot pick from an empty list');
      return list[int(list.length)] as T;
    },
    shuffle<T>(list: readonly T[]): T[] {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
  };
}
