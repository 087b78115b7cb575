import type { Brief } from '../brief/schema.js';
import type { Amounts, BudgetGuard } from '../models/budget.js';

/**
 * The engine's views of its budget. Moves in flight make their calls at times that depend on
 * the timing; plans and triggers read views that do not, so a seed explores alike however fast
 * the models answer, and a resumed exploration plans what the uninterrupted one did.
 */

/** The brief's budget plus what reopenings added (a dimension the brief leaves open stays open). */
export function withExtra(budget: Brief['budget'], extra: Amounts): Brief['budget'] {
  const limits: Brief['budget'] = { ...budget };
  if (limits.calls !== undefined) limits.calls += extra.calls;
  if (limits.tokens !== undefined) limits.tokens += extra.tokens;
  if (limits.usd !== undefined) limits.usd += extra.usd;
  return limits;
}

/**
 * Which budget would still be spent with `added` on top (e.g. "80 of 80 calls"), or null when a
 * move would be affordable again.
 */
export function shortAfter(limits: Brief['budget'], spent: Amounts, added: { calls?: number; tokens?: number; usd?: number }): string | null {
  if (limits.calls !== undefined && limits.calls + (added.calls ?? 0) - spent.calls < 2) return `${spent.calls} of ${limits.calls} calls`;
  if (limits.tokens !== undefined && limits.tokens + (added.tokens ?? 0) <= spent.tokens) return `${spent.tokens} of ${limits.tokens} tokens`;
  if (limits.usd !== undefined && limits.usd + (added.usd ?? 0) <= spent.usd) return `$${spent.usd.toFixed(4)} of $${limits.usd}`;
  return null;
}

/**
 * The share of the budget the folded work has spent, for the triggers: the `begun` calls of moves
 * still in flight are left out, so a trigger fires on what is folded, whatever the timing.
 */
export function foldedShare(guard: BudgetGuard, limits: Brief['budget'], begun: number): number {
  if (begun === 0 || limits.calls === undefined) return guard.share();
  const spent = guard.totals();
  let share = (limits.calls - guard.callsLeft() - begun) / limits.calls;
  if (limits.tokens) share = Math.max(share, spent.tokens / limits.tokens);
  if (limits.usd) share = Math.max(share, spent.usd / limits.usd);
  return Math.min(1, Math.max(0, share));
}

/**
 * The share of the budget the folded work itself has used (what crashes may have cost, `lost`,
 * left out), for plans: as `foldedShare`, so a plan reads the same whatever the timing.
 */
export function foldedWorkShare(guard: BudgetGuard, limits: Brief['budget'], begun: number, lost: Amounts): number {
  if (begun === 0) return guard.workShare();
  const spent = guard.totals();
  let share = 0;
  if (limits.calls) share = (limits.calls - guard.callsLeft() - begun - lost.calls) / limits.calls;
  if (limits.tokens) share = Math.max(share, (spent.tokens - lost.tokens) / limits.tokens);
  if (limits.usd) share = Math.max(share, (spent.usd - lost.usd) / limits.usd);
  return Math.min(1, Math.max(0, share));
}

/**
 * Calls left to plan with: the `owed` calls of moves in flight (not made yet) count as made, so
 * a plan depends on what is folded, not on how far the moves in flight have got.
 */
export function plannedCallsLeft(guard: BudgetGuard, owed: number): number {
  const left = guard.callsLeft();
  if (!Number.isFinite(left)) return left;
  return Math.max(0, left - owed);
}
