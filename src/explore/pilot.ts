import type { MoveProposal } from './policy.js';
import type { ExplorationState } from './state.js';

/**
 * The pilot's moves: while a brief's `pilot: N` is pending (no checkpoint yet, fewer than N
 * candidates), Baton only opens — through its lenses in turn, a second round when N is larger than
 * the lenses — so the `pilot` checkpoint shows N first drafts judged against the criteria before
 * any deepening is paid for. Undefined when no pilot is pending: the policy plans as usual.
 */
export function pilotMoves(state: ExplorationState, pilot: number | undefined, options: { slots: number; callsLeft: number; callsPerMove: number }): MoveProposal[] | undefined {
  if (pilot === undefined || state.checkpoints.length > 0 || state.raisedKeys.has('pilot') || state.lenses.length === 0) return undefined;
  const made = state.order.length + state.pendingMoves.size;
  const count = Math.min(options.slots, pilot - made, Math.floor(options.callsLeft / Math.max(1, options.callsPerMove)));
  const moves: MoveProposal[] = [];
  for (let i = 0; i < count; i += 1) {
    const lens = state.lenses[(made + i) % state.lenses.length];
    if (lens) moves.push({ kind: 'open', parentIds: [], lens, value: 1, why: `pilot: opening ${made + i + 1} of ${pilot}`, origin: 'policy' });
  }
  return moves;
}
