import { setTimeout as delay } from 'node:timers/promises';
import { BatonError } from '../errors.js';
import type { ProviderGate } from './concurrency.js';
import { isProviderFault, ProviderFault } from './faults.js';
import type { ModelPort, ModelRequest, ModelResponse } from './port.js';
import { markMayHaveBeenBilled } from './port.js';

/**
 * Baton's one retry layer, a `ModelPort` decorator the registry puts around every real provider
 * (the SDK's own retries are off, so there is exactly one). Each attempt holds a slot of the
 * provider's semaphore and has its own timeout; between attempts it waits — exponential backoff
 * with full jitter, or exactly what the provider asked for in Retry-After — and gives up when the
 * attempts or the total wait run out. What is retried is decided by the fault's kind (`faults.ts`):
 * rate limits, server errors, timeouts, cut or refused connections, garbled answers and empty
 * answers are; a refusal is retried once; a refused key, an unknown model or a rejected request
 * is not.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The backoff before the second attempt is drawn from [0, baseDelayMs); it doubles each time. */
  baseDelayMs: number;
  /** A cap on one backoff (not on a Retry-After the provider asks for). */
  maxDelayMs: number;
  /** The most time spent waiting between attempts, in all; a longer Retry-After gives up at once. */
  maxTotalWaitMs: number;
  /** How long one attempt may take before it is abandoned and counted as a timeout. */
  timeoutMs: number;
  /** How many times a refusal is asked again before it is final. */
  refusalRetries: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 120_000,
  timeoutMs: 300_000,
  refusalRetries: 1,
};

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  fault: ProviderFault;
  /** How long the layer waits before the next attempt. */
  delayMs: number;
}

export interface RetryOptions extends Partial<RetryPolicy> {
  /** In [0, 1): the jitter's source. `Math.random` by default (so that callers do not retry in step). */
  random?: () => number;
  /** Waits between attempts; tests inject one that records the delay and returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The provider's gate (its concurrency and rate limits); each attempt passes through it and holds
   * one slot (none is held while waiting). A gate that takes a Retry-After on itself (`pause`) holds
   * every caller sharing it, and this loop then waits in the gate rather than on its own.
   */
  limiter?: ProviderGate;
  /** Told about every retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
}

/** Full jitter: a uniform draw below the capped exponential bound for this retry (attempt ≥ 1). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * bound);
}

/** The wait after a failed attempt: the provider's Retry-After when it gave one, else the backoff. */
export function retryDelay(fault: ProviderFault, attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  return fault.retryAfterMs ?? backoffDelay(attempt, policy, random);
}

const realSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : {});
};

/**
 * Wraps a model with Baton's retry policy and its provider's concurrency limit.
 *
 * @example
 * const model = withRetries(createSdkModel(spec, 'gpt-4o-mini', env), { maxAttempts: 3, limiter });
 */
export function withRetries(port: ModelPort, options: RetryOptions = {}): ModelPort {
  const retry = retrier(options);
  return {
    info: port.info,
    complete: (request: ModelRequest): Promise<ModelResponse> =>
      retry(port.info.id, request.signal, (signal) => port.complete({ ...request, signal })),
  };
}

/**
 * The retry loop itself, for any kind of provider call (completions, embeddings): `attempt` is
 * called with a signal that aborts it at the per-try timeout or when `signal` aborts.
 */
export type Retrier = <T>(id: string, signal: AbortSignal | undefined, attempt: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export function retrier(options: RetryOptions = {}): Retrier {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedPolicy(options) };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;

  return async <T>(id: string, signal: AbortSignal | undefined, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    // Whether the gate took the last attempt's Retry-After on itself (so every caller waits it out there).
    let paused = false;
    const once = async (): Promise<T> => {
      try {
        return await withTimeout(attempt, signal, policy.timeoutMs);
      } catch (error) {
        // Still holding the slot: the pause is in place before anyone else can take it.
        if (isProviderFault(error) && error.retryAfterMs !== undefined && options.limiter?.pause) {
          paused = await options.limiter.pause(error.retryAfterMs).catch(() => false);
        }
        throw error;
      }
    };
    const limited = (): Promise<T> => {
      paused = false;
      return options.limiter ? options.limiter.run(once, signal) : once();
    };
    let waited = 0;
    let refusals = 0;
    let billed = false;
    const fail = (fault: ProviderFault, outcome: Outcome): BatonError => {
      const error = failure(id, fault, outcome);
      return billed ? markMayHaveBeenBilled(error) : error;
    };
    for (let tries = 1; ; tries += 1) {
      let fault: ProviderFault;
      try {
        return await limited();
      } catch (error) {
        if (signal?.aborted || !isProviderFault(error)) throw error;
        fault = error;
      }
      billed ||= fault.mayBeBilled;
      if (!fault.retryable) throw fail(fault, { attempts: tries, waited, retryable: false });
      if (fault.kind === 'refusal' && (refusals += 1) > policy.refusalRetries) {
        throw fail(fault, { attempts: tries, waited, retryable: false });
      }
      if (tries >= policy.maxAttempts) throw fail(fault, { attempts: tries, waited, retryable: true });
      const wait = retryDelay(fault, tries, policy, random);
      if (waited + wait > policy.maxTotalWaitMs) {
        throw fail(fault, { attempts: tries, waited, retryable: true, askedMs: fault.retryAfterMs });
      }
      options.onRetry?.({ attempt: tries, fault, delayMs: wait });
      // A shared pause is waited out in the gate, with every other caller of this provider.
      if (!paused) await sleep(wait, signal);
      waited += wait;
    }
  };
}

function definedPolicy(options: RetryOptions): Partial<RetryPolicy> {
  const out: Partial<RetryPolicy> = {};
  for (const key of Object.keys(DEFAULT_RETRY_POLICY) as (keyof RetryPolicy)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** One attempt, abandoned as a `timeout` fault after `timeoutMs`; the caller's abort passes through. */
async function withTimeout<T>(attempt: (signal: AbortSignal) => Promise<T>, parent: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  try {
    return await attempt(controller.signal);
  } catch (error) {
    if (timedOut && !parent?.aborted) {
      throw new ProviderFault({
        kind: 'timeout',
        explanation: `no answer within ${seconds(timeoutMs)} — the server may be overloaded or the model slow to load; try again later`,
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

interface Outcome {
  attempts: number;
  waited: number;
  retryable: boolean;
  /** A Retry-After longer than the wait budget allows. */
  askedMs?: number | undefined;
}

/** The one error a caller sees: which model, what happened, what to try. Never a key (faults are redacted). */
function failure(id: string, fault: ProviderFault, outcome: Outcome): BatonError {
  const tries = outcome.attempts === 1 ? '' : ` (gave up after ${outcome.attempts} attempts${outcome.waited > 0 ? ` and ${seconds(outcome.waited)} of waiting` : ''})`;
  const asked = outcome.askedMs !== undefined ? ` The provider asked to wait ${seconds(outcome.askedMs)} before trying again, longer than Baton waits.` : '';
  const again = outcome.retryable ? ' Run the command again later: calls that completed are not paid for twice.' : '';
  const what = `${fault.message}${tries}`;
  const sentence = /[.?!]$/u.test(what) ? what : `${what}.`;
  return new BatonError('provider_failure', `${id}: ${sentence}${asked}${again}`, { cause: fault, retryable: outcome.retryable });
}
