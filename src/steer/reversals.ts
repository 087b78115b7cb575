import { BatonError } from '../errors.js';
import type { ExplorationEngine } from '../explore/engine.js';
import type { ExplorationEvent } from '../explore/events.js';
import type { ExplorationState } from '../explore/state.js';
import { madeByAssumption } from '../explore/state.js';
import type { Reversal } from './types.js';

/**
 * Reversing an assumption: the person looked at a checkpoint Baton skipped and disagrees with
 * what was assumed. The assumed deepening is undone as far as it can be — moves not yet run are
 * dropped, candidates it produced (and their descendants) are pruned — and the reversal is
 * recorded in the ledger with its reason. Taste learns from it (see `tasteFromLedger`).
 */

export interface ReverseInput {
  /** The assumption: its full id, or its short form `a2`. */
  assumption: string;
  reason?: string;
}

/** Finds an assumption by full id, by its short form `a2`, or by a unique suffix. */
export function resolveAssumptionId(state: ExplorationState, ref: string): string {
  const ids = state.assumptions.map((a) => a.id);
  if (ids.includes(ref)) return ref;
  const matches = ids.filter((id) => id === `${state.id}.${ref}` || id.endsWith(`.${ref}`));
  if (matches.length === 1) return matches[0] as string;
  const known = ids.length > 0 ? `; assumptions: ${ids.map((id) => id.slice(state.id.length + 1)).join(', ')}` : '; nothing has been assumed';
  throw new BatonError('invalid_input', `no assumption "${ref}" in exploration ${state.id}${known}`, { location: { field: 'assumption' } });
}

/** Checks a reversal against the state and turns it into the event that records it. Pure. */
export function planReversal(state: ExplorationState, input: ReverseInput, id: string, at: string): ExplorationEvent[] {
  if (state.status !== 'running' && state.status !== 'awaiting') {
    throw new BatonError('conflict', `exploration ${state.id} has ended (${state.status}); its assumptions can no longer be reversed`);
  }
  const assumptionId = resolveAssumptionId(state, input.assumption);
  if (state.reversals.some((r) => r.assumptionId === assumptionId)) {
    throw new BatonError('conflict', `assumption ${assumptionId} was already reversed`, { location: { field: 'assumption' } });
  }
  const reversal: Reversal = { id, explorationId: state.id, assumptionId, prunedIds: madeByAssumption(state, assumptionId), createdAt: at };
  if (input.reason?.trim()) reversal.reason = input.reason.trim();
  return [{ type: 'assumption.reversed', reversal }];
}

/**
 * Records a reversal durably.
 *
 * @example
 * await reverse(engine, { assumption: 'a1', reason: 'I would have followed the quieter one' });
 */
export async function reverse(engine: ExplorationEngine, input: ReverseInput, now: () => Date = () => new Date()): Promise<Reversal> {
  const id = `${engine.state.id}.r${engine.state.reversals.length + 1}`;
  await engine.commit(planReversal(engine.state, input, id, now().toISOString()));
  const reversal = engine.state.reversals[engine.state.reversals.length - 1];
  if (!reversal || reversal.id !== id) throw new Error(`reversal ${id} was not recorded`);
  return reversal;
}
