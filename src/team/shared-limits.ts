import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { BatonError } from '../errors.js';
import type { ProviderGate, ProviderGates, ProviderLimitSettings } from '../models/concurrency.js';
import { rateWindow, Semaphore, settingsOf, takeRequest } from '../models/concurrency.js';
import { openPool, parsePostgresLocation } from '../store/postgres/connection.js';

/**
 * Provider limits shared by every worker on one team store, so a team does not cause a 429 storm:
 *
 * - **Request rate** and **Retry-After pauses**: rate-limiter-flexible's Postgres store (a
 *   maintained library; its table `baton_provider_limits` lives beside the store's). The rate is a
 *   fixed window (see `rateWindow`); a pause is the library's `block` of the provider's key, which
 *   every worker reads before it sends.
 * - **Calls in flight**: a distributed semaphore of N slots made of Postgres session advisory
 *   locks, `pg_try_advisory_lock(provider, slot)` for slot 0…N−1, all held on one connection of
 *   this process. rate-limiter-flexible has no semaphore whose slots come back when a holder dies
 *   (its points would stay taken until their window expires); an advisory lock is released by
 *   Postgres itself when the session ends, so a worker killed with `kill -9` frees its slots at
 *   once. A release is announced with NOTIFY so waiters elsewhere try again without polling hard.
 *
 * Each process also keeps a local semaphore of the same size in front, so it never asks Postgres
 * for more slots than the limit. A session lock is re-entrant, so the slots this process holds are
 * remembered and never asked for twice.
 */

const CHANNEL = 'baton_provider_limits';
const TABLE = 'baton_provider_limits';
/** How often a waiter looks again when no release was announced (a holder that died says nothing). */
const POLL_MS = 200;

export interface SharedLimitsOptions {
  /** How often waiters look again without an announcement; 200 ms by default. */
  pollMs?: number;
}

/** A 32-bit key for the advisory lock of a provider's slots, namespaced by the store's schema. */
function lockKey(schema: string | undefined, provider: string): number {
  return createHash('sha256').update(`baton-provider-slots\0${schema ?? ''}\0${provider}`).digest().readInt32BE(0);
}

export class SharedProviderLimits implements ProviderGates {
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #display: string;
  readonly #pollMs: number;
  readonly #gates = new Map<string, SharedGate>();
  #session: Promise<pg.PoolClient> | undefined;
  /** Slots this process holds, per lock key (the session's locks). */
  readonly held = new Map<number, Set<number>>();
  readonly #waiters = new Map<number, Set<() => void>>();
  #limiters: Promise<{ pause: RateLimiterPostgres }> | undefined;
  #closed = false;

  /** `location`: the team store's postgres:// URL (its `schema` parameter included). */
  constructor(location: string, options: SharedLimitsOptions = {}) {
    const parsed = parsePostgresLocation(location);
    this.#schema = parsed.schema;
    this.#display = parsed.display;
    this.#pool = openPool(parsed, 4);
    this.#pollMs = options.pollMs ?? POLL_MS;
  }

  for(provider: string, settings: ProviderLimitSettings | number): ProviderGate {
    const wanted = settingsOf(settings);
    let gate = this.#gates.get(provider);
    if (!gate) {
      gate = new SharedGate(this, provider, lockKey(this.#schema, provider), wanted);
      this.#gates.set(provider, gate);
    } else gate.configure(wanted);
    return gate;
  }

  get pollMs(): number {
    return this.#pollMs;
  }

  /** Ends a provider's pause for every worker (an operator who knows better; tests). */
  async clearPause(provider: string): Promise<void> {
    const { pause } = await this.limiters();
    await pause.delete(provider);
  }

  /** A rate limiter on the shared table; the table is created on first use. */
  async rateLimiter(points: number, duration: number): Promise<RateLimiterPostgres> {
    await this.limiters();
    return this.#limiter({ keyPrefix: `baton_rate_${points}_${duration}`, points, duration, tableCreated: true });
  }

  limiters(): Promise<{ pause: RateLimiterPostgres }> {
    this.#limiters ??= new Promise<RateLimiterPostgres>((resolve, reject) => {
      const limiter: RateLimiterPostgres = this.#limiter({ keyPrefix: 'baton_pause', points: 1, duration: 1 }, (error?: unknown) =>
        error ? reject(this.#unavailable(error)) : resolve(limiter),
      );
    }).then((pause) => ({ pause }));
    return this.#limiters;
  }

  #limiter(options: { keyPrefix: string; points: number; duration: number; tableCreated?: boolean }, ready?: (error?: unknown) => void): RateLimiterPostgres {
    return new RateLimiterPostgres(
      { storeClient: this.#pool, storeType: 'pool', tableName: TABLE, ...(this.#schema !== undefined ? { schemaName: this.#schema } : {}), ...options },
      ready,
    );
  }

  /** The connection that holds this process's slots and listens for releases. */
  session(): Promise<pg.PoolClient> {
    if (this.#closed) return Promise.reject(new BatonError('internal', 'The shared provider limits are closed.'));
    this.#session ??= (async () => {
      const client = await this.#pool.connect().catch((error: unknown) => {
        this.#session = undefined;
        throw this.#unavailable(error);
      });
      client.on('notification', (message) => this.#wake(Number(message.payload)));
      client.on('error', () => {
        // The session is gone, and Postgres released its locks with it: forget them, reconnect on next use.
        this.held.clear();
        this.#session = undefined;
        client.release(true);
      });
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    })();
    return this.#session;
  }

  /** Takes a free slot below `limit`, or returns undefined when all are taken. */
  async tryTake(key: number, limit: number): Promise<number | undefined> {
    const client = await this.session();
    const mine = this.held.get(key) ?? new Set<number>();
    this.held.set(key, mine);
    const start = Math.floor(Math.random() * limit);
    for (let i = 0; i < limit; i += 1) {
      const slot = (start + i) % limit;
      if (mine.has(slot)) continue;
      // Claimed here before asking, so that a concurrent call in this process never asks for it too.
      mine.add(slot);
      const ok = await client
        .query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [key, slot])
        .then(({ rows }) => rows[0]?.ok === true)
        .catch((error: unknown) => {
          mine.delete(slot);
          throw error;
        });
      if (ok) return slot;
      mine.delete(slot);
    }
    return undefined;
  }

  async release(key: number, slot: number): Promise<void> {
    const mine = this.held.get(key);
    if (!mine?.delete(slot)) return;
    const client = await this.session();
    await client.query('SELECT pg_advisory_unlock($1, $2), pg_notify($3, $4)', [key, slot, CHANNEL, String(key)]);
  }

  /** Resolves when a slot of `key` may have come free (announced here or elsewhere), or after the poll interval. */
  async released(key: number, signal?: AbortSignal): Promise<void> {
    const waiters = this.#waiters.get(key) ?? new Set<() => void>();
    this.#waiters.set(key, waiters);
    const controller = new AbortController();
    const wake = (): void => controller.abort();
    waiters.add(wake);
    const both = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    try {
      await delay(this.#pollMs * (0.5 + Math.random()), undefined, { signal: both });
    } catch {
      signal?.throwIfAborted();
    } finally {
      waiters.delete(wake);
    }
  }

  #wake(key: number): void {
    for (const wake of this.#waiters.get(key) ?? []) wake();
  }

  #unavailable(error: unknown): BatonError {
    return new BatonError('storage_unavailable', `The shared provider limits in ${this.#display} cannot be reached: ${error instanceof Error ? error.message : String(error)}.`, {
      cause: error,
      retryable: true,
    });
  }

  /** Frees this process's slots (by ending its session) and closes the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.#session?.catch(() => undefined);
    session?.release(true);
    this.held.clear();
    await this.#pool.end().catch(() => undefined);
  }
}

/** One provider's gate: local slots, then a shared slot, then the pause and the rate, then the call. */
class SharedGate implements ProviderGate {
  readonly #local: Semaphore;
  #settings: ProviderLimitSettings;
  #rate: { key: string; limiter: Promise<RateLimiterPostgres> } | undefined;

  constructor(
    readonly limits: SharedProviderLimits,
    readonly provider: string,
    readonly key: number,
    settings: ProviderLimitSettings,
  ) {
    this.#settings = settings;
    this.#local = new Semaphore(settings.concurrency);
    this.configure(settings);
  }

  configure(settings: ProviderLimitSettings): void {
    this.#settings = settings;
    if (this.#local.limit !== settings.concurrency) this.#local.setLimit(settings.concurrency);
    const rpm = settings.requestsPerMinute;
    if (rpm === undefined) this.#rate = undefined;
    else if (this.#rate?.key !== String(rpm)) {
      const { points, duration } = rateWindow(rpm);
      this.#rate = { key: String(rpm), limiter: this.limits.rateLimiter(points, duration) };
    }
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#local.run(async () => {
      const slot = await this.#takeSlot(signal);
      try {
        await this.#waitPause(signal);
        if (this.#rate) await takeRequest(await this.#rate.limiter, this.provider, signal);
        return await task();
      } finally {
        await this.limits.release(this.key, slot).catch(() => undefined);
      }
    }, signal);
  }

  async pause(ms: number): Promise<boolean> {
    const { pause } = await this.limits.limiters();
    const current = await pause.get(this.provider);
    if (current && current.consumedPoints > 1 && current.msBeforeNext >= ms) return true;
    await pause.block(this.provider, ms / 1000);
    return true;
  }

  async #takeSlot(signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const slot = await this.limits.tryTake(this.key, this.#settings.concurrency);
      if (slot !== undefined) return slot;
      await this.limits.released(this.key, signal);
    }
  }

  async #waitPause(signal?: AbortSignal): Promise<void> {
    const { pause } = await this.limits.limiters();
    for (;;) {
      signal?.throwIfAborted();
      const state = await pause.get(this.provider);
      if (!state || state.consumedPoints <= 1 || state.msBeforeNext <= 0) return;
      await delay(Math.min(state.msBeforeNext, this.limits.pollMs), undefined, signal ? { signal } : {});
    }
  }
}
