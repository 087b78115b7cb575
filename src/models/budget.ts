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
  /** Calls waiting for calls in flight to settle before their worst case fits. */
  private waiters: Array<() => void> = [];
  /** The worst case of the last call refused because it could never fit: what the budget cannot pay for. */
  private refused: { tokens: number; usd: number } | undefined;

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

  /**
   * Reserves a call's worst case, waiting for calls in flight to settle when only their
   * reservations stand in the way (they usually cost far less than their worst case). `null` only
   * when the call could not fit even with nothing in flight: then the budget is really spent.
   */
  async acquire(estimate: { tokens: number; usd: number }): Promise<Reservation | null> {
    for (;;) {
      const reservation = this.reserve(estimate);
      if (reservation) return reservation;
      if (this.inFlight.size === 0 || !this.fitsAlone(estimate)) {
        this.refused = { ...estimate };
        return null;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Whether a call with this worst case fits on top of what is spent, with nothing in flight. */
  private fitsAlone(estimate: { tokens: number; usd: number }): boolean {
    const l = this.limits;
    if (l.calls !== undefined && this.spent.calls + 1 > l.calls) return false;
    if (l.tokens !== undefined && this.spent.tokens + estimate.tokens > l.tokens) return false;
    if (l.usd !== undefined && this.spent.usd + estimate.usd > l.usd) return false;
    return true;
  }

  /** The call finished (or failed after reaching the provider): count what it really used. */
  settle(reservation: Reservation, actual: { tokens: number; usd: number }): void {
    this.inFlight.delete(reservation.id);
    this.spent.calls += 1;
    this.spent.tokens += actual.tokens;
    this.spent.usd += actual.usd;
    this.wake();
  }

  /** The call was not made, or never reached the provider: it costs nothing and is not counted. */
  release(reservation: Reservation): void {
    this.inFlight.delete(reservation.id);
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * Each limit with its true share, e.g. `calls 12 of 40 (30%), $0.0180 of $0.10 (18%)`, and — when
   * a call was refused — what the next call may cost at worst, which is why nothing more is started.
   */
  describe(): string {
    const l = this.limits;
    const pct = (spent: number, limit: number): string => `${Math.round((spent / limit) * 100)}%`;
    const parts: string[] = [];
    if (l.calls !== undefined) parts.push(`calls ${this.spent.calls} of ${l.calls} (${pct(this.spent.calls, l.calls)})`);
    if (l.tokens !== undefined) parts.push(`tokens ${this.spent.tokens.toLocaleString('en-US')} of ${l.tokens.toLocaleString('en-US')} (${pct(this.spent.tokens, l.tokens)})`);
    if (l.usd !== undefined) parts.push(`$${this.spent.usd.toFixed(4)} of $${l.usd} (${pct(this.spent.usd, l.usd)})`);
    const spent = parts.length > 0 ? `${parts.join(', ')} spent` : 'no limits set';
    const r = this.refused;
    if (!r) return spent;
    const next: string[] = [];
    if (l.tokens !== undefined && this.spent.tokens + r.tokens > l.tokens) next.push(`${r.tokens.toLocaleString('en-US')} tokens`);
    if (l.usd !== undefined && this.spent.usd + r.usd > l.usd) next.push(`$${r.usd.toFixed(4)}`);
    return next.length > 0 ? `${spent}; the next call may cost up to ${next.join(' and ')} (its prompt and every output token it may write), more than is left` : spent;
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

/** A rough token count (4 characters a token): Baton's house estimate, e.g. of usage a provider did not report. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens a chat framing may add per message (role markers, separators), and once per request. */
const PER_MESSAGE_TOKENS = 8;
const PER_REQUEST_TOKENS = 16;

/**
 * The most tokens a prompt can be counted as. A byte-level tokenizer (OpenAI's, Anthropic's,
 * Llama's with byte fallback) never makes more tokens than the text has UTF-8 bytes; the
 * framing adds a few per message. A model that counts tokens as Baton's house estimate does (the
 * rehearsal model, `info.tokenizer === 'estimate'`) is bounded by that estimate.
 */
export function promptTokenBound(info: Pick<ModelInfo, 'tokenizer'>, texts: readonly string[]): number {
  if (info.tokenizer === 'estimate') return texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  return texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + PER_MESSAGE_TOKENS, PER_REQUEST_TOKENS);
}

export interface CallEstimate {
  inputTokens: number;
  outputTokens: number;
  /** Input and output together. */
  tokens: number;
  usd: number;
}

/**
 * A call's worst case: the most its prompt can be counted as, and every output token it may write
 * — the request's own `maxOutputTokens`, which the caller sends with it — at the model's price.
 */
export function estimateCall(info: ModelInfo, messages: readonly ChatMessage[], maxOutputTokens = info.maxOutputTokens): CallEstimate {
  const input = promptTokenBound(info, messages.map((m) => m.content));
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
