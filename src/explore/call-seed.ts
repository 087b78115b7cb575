import { createHash } from 'node:crypto';

/**
 * The seed a call asks with: derived from the exploration's seed and the call's own key (the
 * move's identity), never from time or chance — so each move asks for a take of its own, a resumed
 * run asks exactly what the interrupted one did, and a retry of a recorded call (`key~n`) is the
 * same request.
 */
export function callSeed(seed: number, key: string): number {
  const base = key.replace(/~\d+$/u, '');
  return createHash('sha256').update(`${seed}:${base}`).digest().readUInt32BE(0) & 0x7fffffff;
}
