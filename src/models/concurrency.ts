import { BatonError } from '../errors.js';

/**
 * A concurrency limit per provider, so that many concurrent moves do not flood one provider: each
 * provider id has one small semaphore, shared by every model of that provider resolved through the
 * same `ProviderLimits` (the registry uses one for the whole process unless given another).
 */

export const DEFAULT_CONCURRENCY = 8;

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

/** One semaphore per provider id. */
export class ProviderLimits {
  readonly #semaphores = new Map<string, Semaphore>();

  /** The provider's semaphore, created on first use; the latest configured limit wins. */
  for(provider: string, limit: number): Semaphore {
    const existing = this.#semaphores.get(provider);
    if (existing) {
      if (existing.limit !== limit) existing.setLimit(limit);
      return existing;
    }
    const semaphore = new Semaphore(limit);
    this.#semaphores.set(provider, semaphore);
    return semaphore;
  }
}

/** `BATON_OPENAI_CONCURRENCY`, `BATON_OPENAI_COMPATIBLE_CONCURRENCY`, … */
export function concurrencyVariable(provider: string): string {
  return `BATON_${provider.toUpperCase().replace(/[^A-Z0-9]+/gu, '_')}_CONCURRENCY`;
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
