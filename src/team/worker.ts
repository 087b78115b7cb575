import { Baton } from '../baton.js';
import type { BatonOptions } from '../baton.js';
import { BatonError } from '../errors.js';
import { isPostgresUrl } from '../store/postgres/connection.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SharedProviderLimits } from './shared-limits.js';
import { DEFAULT_LEASE_SECONDS, TeamQueue } from './queue.js';
import type { TeamQueueOptions } from './queue.js';

/**
 * A worker: takes waves to run from the team queue and runs them in this process, on the team
 * store. Any number of workers, on any machines, share one store; the queue gives each
 * exploration to one of them at a time, and a killed worker's wave to another once its lease
 * (`leaseSeconds`) runs out. Nothing is lost with it: completed calls and decisions are in the
 * store, and the wave resumes from there without asking a model again for what it answered.
 */
export interface WorkerOptions extends TeamQueueOptions {
  /** The team store: a postgres:// URL. */
  db: string;
  /** Explorations advanced at once by this process (default 8). */
  slots?: number;
  /** Options for the Baton the waves run in (model latency for the rehearsal model, …). */
  baton?: Omit<BatonOptions, 'db' | 'store' | 'drive'>;
  log?: (line: string) => void;
  /** Stops taking work when aborted; the waves in hand finish first. */
  signal?: AbortSignal;
}

export interface RunningWorker {
  /** Resolves once the worker stopped (after `signal` aborted and the waves in hand finished). */
  done: Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  // The exploration's lease (taken by `run`) counts as abandoned after the same --lease as the
  // queue's job: a killed worker's exploration goes to another once either runs out.
  const staleMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  // The providers' limits (user config) hold across every worker on this store together.
  const limits = isPostgresUrl(options.db) ? new SharedProviderLimits(options.db) : undefined;
  const baton = Baton.open({ ...options.baton, lease: { staleMs, ...options.baton?.lease }, db: options.db, drive: 'in-process', ...(limits ? { limits } : {}) });
  const store = baton.store;
  if (!(store instanceof PostgresStore) || !limits) {
    await baton.close();
    await limits?.close();
    throw new BatonError('invalid_input', `baton worker needs a team store: --db postgres://…, not ${options.db}.`, { location: { field: '--db' } });
  }
  const log = options.log ?? (() => undefined);
  const queue = new TeamQueue(store, options);
  const sliceMs = Math.round(((options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000) / 3);
  try {
    await queue.start();
  } catch (error) {
    await baton.close();
    await limits.close();
    throw error;
  }
  await queue.work(options.slots ?? 8, async (job) => {
    const id = job.data.explorationId;
    const record = await store.getExploration(id);
    if (record?.status !== 'running') return;
    // Waves until a checkpoint, or until a third of the lease has passed: a wave begun then still
    // ends well within the lease, and the engine is loaded once per slice, not once per wave.
    const outcome = await baton.run(id, { signal: AbortSignal.timeout(sliceMs) }).catch((error: unknown) => {
      // The queue retries the slice (with backoff); say why here, where the operator looks.
      log(`${id}: ${error instanceof Error ? error.message : String(error)} (will be retried)`);
      throw error;
    });
    if (outcome.status === 'running') {
      await queue.completeAndContinue(job);
      return;
    }
    log(`${id}: ${outcome.status}${outcome.checkpoint ? ` at checkpoint ${outcome.checkpoint.id}` : ''}`);
  });
  log(`worker ${process.pid} taking explorations from ${store.location}`);
  const done = new Promise<void>((resolve) => {
    const stop = (): void => {
      void (async () => {
        await queue.stop(true);
        await baton.close();
        await limits.close();
        resolve();
      })();
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
  return { done };
}
