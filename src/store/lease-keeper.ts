import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { BatonError } from '../errors.js';
import type { Lease, Store } from './store.js';

/**
 * Holding an exploration's lease from this process: taking it (or waiting for it), renewing it on
 * a heartbeat while the work goes on, noticing when another process asks for it (a decision
 * waiting) or took it over, and giving it up. The store keeps the row; this keeps the clock.
 */

export interface LeaseSettings {
  /** How often the holder renews its heartbeat (and looks for a request to yield). */
  heartbeatMs: number;
  /** A heartbeat older than this is a holder that stopped without releasing: its lease may be taken over. */
  staleMs: number;
  /** How long a decision waits for the holder's next safe point before giving up (exit 5). */
  waitMs: number;
  /** How often a waiting decision asks again. */
  pollMs: number;
}

export const DEFAULT_LEASE_SETTINGS: Readonly<LeaseSettings> = {
  heartbeatMs: 2_000,
  staleMs: 30_000,
  waitMs: 10 * 60_000,
  pollMs: 100,
};

/** Why a holder stopped before its work was done. */
export type LeaseLoss = { kind: 'yield'; requestedAt: string } | { kind: 'lost'; by: Lease | undefined };

/** "exploration X is being explored by pid N on HOST since T" */
export function describeLease(lease: Lease): string {
  return `exploration ${lease.explorationId} is being explored by pid ${lease.pid} on ${lease.host} since ${lease.since}`;
}

/** Whether a process with this id runs on this machine (one we may not signal still runs). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Holdings of this process still in force: a lease of our own pid that is not among them was left by work that failed. */
const LIVE_HOLDERS = new Set<string>();

/**
 * A lease whose holder is gone: its heartbeat is older than `staleMs`, or it was taken on this
 * host by a process that no longer runs (killed, crashed) — or by this process, in work that
 * has ended without giving it back (its store failed) — safe to take over at once.
 */
export function leaseAbandoned(lease: Lease, now: number, staleMs: number, host = hostname()): boolean {
  const beat = Date.parse(lease.heartbeat);
  if (!Number.isFinite(beat) || now - beat > staleMs) return true;
  if (lease.host !== host) return false;
  return lease.pid === process.pid ? !LIVE_HOLDERS.has(lease.holder) : !processAlive(lease.pid);
}

export interface TakeLeaseOptions {
  settings?: Partial<LeaseSettings>;
  /** Wait for the holder's next safe point (asking it to yield) instead of refusing at once. */
  wait?: boolean;
  /** Told once, when the lease is held elsewhere and this waits for it. */
  onWaiting?: (lease: Lease) => void;
  /** While waiting: throws (e.g. a conflict) when waiting has become pointless. */
  stillWanted?: () => Promise<void>;
  signal?: AbortSignal;
}

export class LeaseKeeper {
  readonly store: Store;
  readonly explorationId: string;
  readonly holder: string;
  /** True when the lease was held elsewhere first and this waited for it. */
  readonly waited: boolean;
  readonly #settings: LeaseSettings;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #released = false;
  #loss: LeaseLoss | undefined;

  private constructor(store: Store, explorationId: string, holder: string, waited: boolean, settings: LeaseSettings) {
    this.store = store;
    this.explorationId = explorationId;
    this.holder = holder;
    this.waited = waited;
    this.#settings = settings;
  }

  /**
   * Takes the lease of `explorationId`: at once when it is free, ours, or abandoned; otherwise
   * refuses with `exploration_busy` — or, with `wait`, asks the holder to yield and waits.
   */
  static async take(store: Store, explorationId: string, options: TakeLeaseOptions = {}): Promise<LeaseKeeper> {
    const settings = { ...DEFAULT_LEASE_SETTINGS, ...options.settings };
    const holder = randomUUID();
    const host = hostname();
    const started = Date.now();
    // Live from before the claim: another claimant in this process must never see our fresh row as left behind.
    LIVE_HOLDERS.add(holder);
    try {
      return await LeaseKeeper.#claim(store, explorationId, holder, host, settings, options, started);
    } catch (error) {
      LIVE_HOLDERS.delete(holder);
      throw error;
    }
  }

  static async #claim(
    store: Store,
    explorationId: string,
    holder: string,
    host: string,
    settings: LeaseSettings,
    options: TakeLeaseOptions,
    started: number,
  ): Promise<LeaseKeeper> {
    let waited = false;
    for (;;) {
      const attempt = await store.acquireLease(
        explorationId,
        { holder, pid: process.pid, host, at: new Date().toISOString() },
        { takeOver: (held) => leaseAbandoned(held, Date.now(), settings.staleMs, host), askToYield: options.wait === true },
      );
      if (attempt.acquired) {
        const keeper = new LeaseKeeper(store, explorationId, holder, waited, settings);
        keeper.#beat();
        return keeper;
      }
      const busy = (extra: string): BatonError =>
        new BatonError('exploration_busy', `${describeLease(attempt.lease)}${extra}`, { retryable: true, details: [describeLease(attempt.lease)] });
      if (!options.wait) throw busy(': wait for its next checkpoint (a decision waits for it by itself), or stop that process first');
      if (!waited) options.onWaiting?.(attempt.lease);
      waited = true;
      if (Date.now() - started > settings.waitMs) throw busy(`; it did not reach a safe point within ${Math.round(settings.waitMs / 1000)} s. Try again later.`);
      await options.stillWanted?.();
      if (options.signal?.aborted) throw new BatonError('interrupted', `stopped waiting for ${describeLease(attempt.lease)}`);
      await delay(settings.pollMs);
    }
  }

  /** Aborts when the holder should stop at its next safe point: someone asked for the lease, or took it over. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Why the holder was asked to stop, once it was. */
  get loss(): LeaseLoss | undefined {
    return this.#loss;
  }

  /** Renews the heartbeat now; marks a loss (and aborts `signal`) when the lease is wanted or gone. */
  async renew(): Promise<void> {
    if (this.#released) return;
    let lease: Lease | undefined;
    try {
      lease = await this.store.renewLease(this.explorationId, this.holder, new Date().toISOString());
    } catch {
      // A storage hiccup is not a loss: the next heartbeat tries again (the work itself reports storage errors).
      return;
    }
    if (this.#loss) return;
    if (!lease) {
      this.#loss = { kind: 'lost', by: await this.store.getLease(this.explorationId).catch(() => undefined) };
      this.#abort.abort(this.#loss);
    } else if (lease.yieldRequested !== null) {
      this.#loss = { kind: 'yield', requestedAt: lease.yieldRequested };
      this.#abort.abort(this.#loss);
    }
  }

  #beat(): void {
    this.#timer = setTimeout(() => {
      void this.renew().finally(() => {
        if (!this.#released) this.#beat();
      });
    }, this.#settings.heartbeatMs);
    this.#timer.unref();
  }

  /** Gives the lease up (idempotent); a lease taken over by someone else is left to them. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    LIVE_HOLDERS.delete(this.holder);
    clearTimeout(this.#timer);
    await this.store.releaseLease(this.explorationId, this.holder);
  }
}
