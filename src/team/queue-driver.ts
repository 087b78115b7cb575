import { setTimeout as sleep } from 'node:timers/promises';
import { BatonError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { TeamQueue } from './queue.js';

/**
 * Driving an exploration through the team queue, for the shells (CLI, server, MCP) on a team
 * store: the work is queued for the workers, and the caller waits until the exploration stops
 * running (a checkpoint, or its end), as it would have waited for an in-process run.
 */

/** How often the waiting side looks at the exploration's status. */
const POLL_MS = 200;

/** Queues the exploration (a no-op if already queued) and waits until it is no longer running. */
export async function runThroughQueue(queue: TeamQueue, store: Store, explorationId: string, signal?: AbortSignal): Promise<void> {
  const record = await store.getExploration(explorationId);
  if (record?.status !== 'running') return;
  await queue.enqueue(explorationId);
  await waitUntilSettled(queue, store, explorationId, signal);
}

/**
 * Waits while the exploration is running. Gives up, with the engine's reason, when no job for it
 * is queued or active any more (its last one failed for good: a provider down, say), and when
 * `signal` aborts (the work stays queued: the workers go on without the caller).
 */
export async function waitUntilSettled(queue: TeamQueue, store: Store, explorationId: string, signal?: AbortSignal): Promise<void> {
  let idleChecks = 0;
  for (;;) {
    if (signal?.aborted) throw new BatonError('internal', `Stopped waiting for ${explorationId}; it stays queued for the workers.`, { cause: signal.reason });
    const record = await store.getExploration(explorationId);
    if (record?.status !== 'running') return;
    const job = await queue.lastJob(explorationId);
    const live = job !== undefined && (job.state === 'created' || job.state === 'retry' || job.state === 'active');
    // Twice in a row, so that a job between its completion and its successor is not mistaken.
    idleChecks = live ? 0 : idleChecks + 1;
    if (idleChecks >= 2) {
      const again = await store.getExploration(explorationId);
      if (again?.status !== 'running') return;
      const why = job ? describeOutput(job.output) : 'no job was queued';
      throw new BatonError('provider_failure', `The workers could not advance ${explorationId}: ${why}. Run it again to retry.`, { retryable: true });
    }
    await sleep(POLL_MS, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}

function describeOutput(output: unknown): string {
  if (typeof output === 'object' && output !== null) {
    const value = (output as { value?: unknown; message?: unknown }).value ?? output;
    const message = typeof value === 'object' && value !== null ? (value as { message?: unknown }).message : value;
    if (typeof message === 'string' && message !== '') return message;
  }
  return 'its last job failed';
}
