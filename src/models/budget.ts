import type { Budget } from '../brief/schema.js';
import type { ChatMessage, ModelInfo } from './port.js';

/**
 * Budget accounting: spent (completed calls) plus in flight (reserved before each call), checked
 * before a call is made. A call whose reservation would cross a limit is not made. Pure and
 * in-memory; the spend it starts from is read from the store's call records.
 */

export interface Amounts {
  calls: number;
  tokens: number;
  usd: number;
}

export interface Reservation extends Amounts {
  readonly id: number;
}

export class BudgetGuard {
  private readonly limits: Budget;
  private readonly spent: Amounts;
  /** Of `spent`, what calls cut off by a crash may have cost: enforced, but not planned on. */
  private readonly lost: Amounts;
  private readonly inFlight = new Map<number, Reservation>();
  private nextId = 1;

  constructor(limits: Budget, spent: Amounts, lost: Amounts = { calls: 0, tokens: 0, usd: 0 }) {
    this.limits = limits;
    this.spent = { ...spent };
    this.lost = { ...lost };
  }

  /** Reserves a call's worst case; `null` when it would cross a limit (counting calls in flight). */
  reserve(estimate: { tokens: number; usd: number }): Reservation | null {
    const flying = this.flying();
    const after = {
      calls: this.spent.calls + flying.calls + 1,
      tokens: this.spent.tokens + flying.tokens + estimate.tokens,
      usd: this.spent.usd + flying.usd + estimate.usd,
    };
    if (this.limits.calls !== undefined && after.calls > this.limits.calls) return null;
    if (this.limits.tokens !== undefined && after.tokens > this.limits.tokens) return null;
    if (this.limits.usd !== undefined && after.usd > this.limits.usd) return null;
    const reservation: Reservation = { id: this.nextId++, calls: 1, ...estimate };
    this.inFlight.set(reservation.id, reservation);
    return reservation;
  }

  /** The call finished (or failed after reaching the provider): count what it really used. */
  settle(reservation: Reservation, actual: { tokens: number; usd: number }): void {
    this.inFlight.delete(reservation.id);
    this.spent.calls += 1;
    this.spent.tokens += actual.tokens;
    this.spent.usd += actual.usd;
  }

  release(reservation: Reservation): void {
    this.inFlight.delete(reservation.id);
  }

  totals(): Amounts {
    return { ...this.spent };
  }

  /** Largest share of any limit spent (in flight included), 0–1; 0 with no limits. */
  share(): number {
    return this.shareOf(this.spent);
  }

  /**
   * As `share`, leaving out what crashes may have cost: the share the work itself has used. Plans
   * rest on it, so an exploration resumed after a crash makes the moves it would have made.
   */
  workShare(): number {
    return this.shareOf({ calls: this.spent.calls - this.lost.calls, tokens: this.spent.tokens - this.lost.tokens, usd: this.spent.usd - this.lost.usd });
  }

  private shareOf(spent: Amounts): number {
    const flying = this.flying();
    let share = 0;
    if (this.limits.calls) share = Math.max(share, (spent.calls + flying.calls) / this.limits.calls);
    if (this.limits.tokens) share = Math.max(share, (spent.tokens + flying.tokens) / this.limits.tokens);
    if (this.limits.usd) share = Math.max(share, (spent.usd + flying.usd) / this.limits.usd);
    return Math.min(1, Math.max(0, share));
  }

  /** Calls that may still be started (Infinity without a call limit). */
  callsLeft(): number {
    if (this.limits.calls === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.limits.calls - this.spent.calls - this.flying().calls);
  }

  private flying(): Amounts {
    const total = { calls: 0, tokens: 0, usd: 0 };
    for (const r of this.inFlight.values()) {
      total.calls += r.calls;
      total.tokens += r.tokens;
      total.usd += r.usd;
    }
    return total;
  }
}

/** A rough token count (4 characters a token): enough to reserve budget before a call. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface CallEstimate {
  inputTokens: number;
  outputTokens: number;
  /** Input and output together. */
  tokens: number;
  usd: number;
}

/** A call's worst case: its prompt and every output token it may write. */
export function estimateCall(info: ModelInfo, messages: readonly ChatMessage[], maxOutputTokens = info.maxOutputTokens): CallEstimate {
  const input = messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  return {
    inputTokens: input,
    outputTokens: maxOutputTokens,
    tokens: input + maxOutputTokens,
    usd: costOf(info, { inputTokens: input, outputTokens: maxOutputTokens }),
  };
}

export function costOf(info: ModelInfo, usage: { inputTokens: number; outputTokens: number }): number {
  return (usage.inputTokens * info.pricing.inputPerMTok + usage.outputTokens * info.pricing.outputPerMTok) / 1_000_000;
}
