import type { ExplorationEngine } from '../explore/engine.js';
import { tracedWorkflow } from '../explore/tracing.js';
import { reverse as reverseAssumption } from '../steer/reversals.js';
import type { RunOutcome, RunUntilOptions } from '../steer/steering.js';
import { outcome, runUntilCheckpoint } from '../steer/steering.js';
import type { Reversal } from '../steer/types.js';
import type { TakeLeaseOptions } from '../store/lease-keeper.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import type { Lease } from '../store/store.js';
import type { TeamQueue } from '../team/queue.js';
import type { BatonCore } from './core.js';
import type { LeasedOutcome, ReverseOptions, RunOptions } from './options.js';
import { board } from './views.js';

/**
 * Running explorations for the `Baton` facade, and the lease every writer holds meanwhile: in
 * this process, or — on a team store — by queueing them for the workers and waiting.
 */

/** Runs (or resumes) an exploration until a checkpoint, the end, or an abort; see `Baton.run`. */
export async function run(core: BatonCore, idOrPrefix: string, options: RunOptions = {}): Promise<LeasedOutcome> {
  const id = await core.resolveId(idOrPrefix);
  const queue = await core.teamQueue();
  if (queue) {
    const { runThroughQueue } = await import('../team/queue-driver.js');
    await runThroughQueue(queue, core.store, id, options.signal);
    return board(core, id);
  }
  const lease = await takeLease(core, id, options.signal ? { signal: options.signal } : {});
  return holding(lease, async () => exploreOn(core, id, await core.engine(id, options.onProgress), options, lease));
}

/** Reverses an assumption, holding the lease, and explores on when asked; see `Baton.reverse`. */
export async function reverse(core: BatonCore, idOrPrefix: string, input: ReverseOptions): Promise<{ reversal: Reversal; outcome: RunOutcome }> {
  const runOptions = typeof input.run === 'object' ? input.run : {};
  const id = await core.resolveId(idOrPrefix);
  const lease = await takeLease(core, id, { wait: true, ...(runOptions.signal ? { signal: runOptions.signal } : {}) });
  return holding(lease, async () => {
    const engine = await core.engine(id, runOptions.onProgress);
    const reversal = await reverseAssumption(engine, input.reason !== undefined ? { assumption: input.assumption, reason: input.reason } : { assumption: input.assumption }, core.options.now);
    if (!input.run || engine.state.status !== 'running') return { reversal, outcome: await outcome(engine) };
    return { reversal, outcome: handover(await runUntilCheckpoint(engine, runUntilOptions(core, runOptions, lease)), lease) };
  });
}

/** The lease of an exploration as it stands (who explores it now), for display; undefined when nobody does. */
export async function currentLease(core: BatonCore, idOrPrefix: string): Promise<Lease | undefined> {
  const id = await core.resolveId(idOrPrefix);
  return core.store.getLease(id);
}

export function takeLease(core: BatonCore, id: string, options: Omit<TakeLeaseOptions, 'settings'> = {}): Promise<LeaseKeeper> {
  return LeaseKeeper.take(core.store, id, { ...options, ...(core.options.lease ? { settings: core.options.lease } : {}) });
}

/** Does `work` holding `lease`, and gives the lease up however it ends. */
export async function holding<T>(lease: LeaseKeeper, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await lease.release().catch(() => undefined);
    throw error;
  }
  await lease.release();
  return result;
}

/** Explores on to the next checkpoint in this process, holding `lease` (traced as the exploration's workflow). */
export async function exploreOn(core: BatonCore, id: string, engine: ExplorationEngine, options: RunOptions, lease: LeaseKeeper): Promise<LeasedOutcome> {
  return handover(await tracedWorkflow(id, () => runUntilCheckpoint(engine, runUntilOptions(core, options, lease))), lease);
}

/** Waits, the lease given up, until the workers bring a queued exploration to a checkpoint or its end. */
export async function settledThroughQueue(core: BatonCore, queue: TeamQueue, id: string, signal: AbortSignal | undefined): Promise<LeasedOutcome> {
  const { waitUntilSettled } = await import('../team/queue-driver.js');
  await waitUntilSettled(queue, core.store, id, signal);
  return board(core, id);
}

function runUntilOptions(core: BatonCore, options: RunOptions, lease?: LeaseKeeper): RunUntilOptions {
  const signals = [options.signal, lease?.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  return {
    ...(signal ? { signal } : {}),
    ...(options.maxWaves !== undefined ? { maxWaves: options.maxWaves } : {}),
    ...(options.assume !== undefined ? { assume: options.assume } : {}),
    ...(core.options.now ? { now: core.options.now } : {}),
  };
}

/** Says why a run stopped early when its lease was wanted by another process. */
function handover(result: RunOutcome, lease: LeaseKeeper): LeasedOutcome {
  const loss = lease.loss;
  if (!loss || result.status !== 'running') return result;
  const why =
    loss.kind === 'yield'
      ? 'another process is recording a decision; it takes the exploration on from here'
      : `the lease was taken over${loss.by ? ` by pid ${loss.by.pid} on ${loss.by.host}` : ''} (this process had stopped renewing it)`;
  return { ...result, handedOver: why };
}
