import { setTimeout as delay } from 'node:timers/promises';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { BatonError } from '../errors.js';

/**
 * Limits per provider, so that many concurrent moves do not flood one provider: calls in flight at
 * once (a semaphore) and, when configured, requests per minute. `ProviderGates` is the port: the
 * registry asks it for one gate per provider id, and every call's attempt passes through it.
 * `ProviderLimits` is the in-process adapter (one for the whole process unless given another); the
 * team's workers use one kept in Postgres (`src/team/shared-limits.ts`), so the limits hold across
 * all of them together and a 429's Retry-After pauses every worker.
 */

export const DEFAULT_CONCURRENCY = 8;

/** What the user config (or the environment) sets for one provider. */
export interface ProviderLimitSettings {
  /** Calls in flight at once. */
  concurrency: number;
  /** Requests sent per minute, retries included; no limit when not set. */
  requestsPerMinute?: number | undefined;
}

/** What a call's attempt passes through before it is sent. */
export interface ProviderGate {
  /** Runs `task` once the limits allow it; gives up waiting (without running it) if `signal` aborts. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * The provider asked to wait `ms` (Retry-After). Resolves true when the gate itself now holds
   * every caller sharing it for that long — the caller then need not sleep on its own.
   */
  pause?(ms: number): Promise<boolean>;
}

/** The port: one gate per provider id; the latest configured limits win. */
export interface ProviderGates {
  for(provider: string, settings: ProviderLimitSettings | number): ProviderGate;
}

export function settingsOf(settings: ProviderLimitSettings | number): ProviderLimitSettings {
  return typeof settings === 'number' ? { concurrency: settings } : settings;
}

/**
 * A fixed-window rate for `requestsPerMinute`, in windows short enough that a burst at a window's
 * edge stays small: a window of one second holding rpm/60 requests, or, below 60 a minute, a
 * window holding one. Any span of time then sees at most one window's worth above the rate.
 */
export function rateWindow(requestsPerMinute: number): { points: number; duration: number } {
  if (requestsPerMinute >= 60) return { points: Math.floor(requestsPerMinute / 60), duration: 1 };
  return { points: 1, duration: 60 / requestsPerMinute };
}

/**
 * Takes one request from a rate-limiter-flexible limiter, waiting out each full window (the
 * library answers how long); `key` is the provider id.
 */
export async function takeRequest(limiter: RateLimiterAbstract, key: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      await limiter.consume(key, 1);
      return;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      await delay(Math.max(5, rejection.msBeforeNext), undefined, signal ? { signal } : {});
    }
  }
}

/** A counting semaphore whose limit can be changed while it is in use. */
export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  /** Calls holding a slot right now. */
  get active(): number {
    return this.#active;
  }

  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#drain();
  }

  /** Runs `task` once a slot is free; gives up waiting (without running it) if `signal` aborts. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#active -= 1;
      this.#drain();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#active < this.#limit && this.#waiting.length === 0) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const next = this.#waiting.shift();
      if (!next) return;
      this.#active += 1;
      next();
    }
  }
}

/** A semaphore and, when a rate is set, a request limiter, in this process. */
class LocalGate implements ProviderGate {
  readonly semaphore: Semaphore;
  #rate: { rpm: number; limiter: RateLimiterMemory } | undefined;

  constructor(
    readonly provider: string,
    settings: ProviderLimitSettings,
  ) {
    this.semaphore = new Semaphore(settings.concurrency);
    this.configure(settings);
  }

  configure(settings: ProviderLimitSettings): void {
    if (this.semaphore.limit !== settings.concurrency) this.semaphore.setLimit(settings.concurrency);
    const rpm = settings.requestsPerMinute;
    if (rpm === undefined) this.#rate = undefined;
    else if (this.#rate?.rpm !== rpm) this.#rate = { rpm, limiter: new RateLimiterMemory(rateWindow(rpm)) };
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.semaphore.run(async () => {
      if (this.#rate) await takeRequest(this.#rate.limiter, this.provider, signal);
      return task();
    }, signal);
  }
}

/** The in-process adapter of `ProviderGates`: one gate per provider id. */
export class ProviderLimits implements ProviderGates {
  readonly #gates = new Map<string, LocalGate>();

  /** The provider's gate, created on first use; the latest configured limits win. */
  for(provider: string, settings: ProviderLimitSettings | number): ProviderGate {
    const wanted = settingsOf(settings);
    const existing = this.#gates.get(provider);
    if (existing) {
      existing.configure(wanted);
      return existing;
    }
    const gate = new LocalGate(provider, wanted);
    this.#gates.set(provider, gate);
    return gate;
  }
}

/** `BATON_OPENAI_CONCURRENCY`, `BATON_OPENAI_COMPATIBLE_CONCURRENCY`, … */
export function concurrencyVariable(provider: string): string {
  return `BATON_${provider.toUpperCase().replace(/[^A-Z0-9]+/gu, '_')}_CONCURRENCY`;
}

/** `BATON_OPENAI_REQUESTS_PER_MINUTE`, … */
export function rateVariable(provider: string): string {
  return `BATON_${provider.toUpperCase().replace(/[^A-Z0-9]+/gu, '_')}_REQUESTS_PER_MINUTE`;
}

/** The request rate for a provider: its environment variable when set, else `fallback` (none). */
export function rateFromEnv(provider: string, env: Readonly<Record<string, string | undefined>>, fallback?: number): number | undefined {
  const variable = rateVariable(provider);
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/u.test(raw) || Number(raw) < 1) {
    throw new BatonError('invalid_input', `${variable} must be a whole number of requests per minute, 1 or more (it is "${raw}")`);
  }
  return Number(raw);
}

/** The limit for a provider: its environment variable when set, else `fallback`. Refuses a value that is not a positive integer. */
export function concurrencyFromEnv(provider: string, env: Readonly<Record<string, string | undefined>>, fallback = DEFAULT_CONCURRENCY): number {
  const variable = concurrencyVariable(provider);
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/u.test(raw) || Number(raw) < 1) {
    throw new BatonError('invalid_input', `${variable} must be a whole number of concurrent calls, 1 or more (it is "${raw}")`);
  }
  return Number(raw);
}
