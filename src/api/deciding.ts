import { resolveLenses } from '../brief/lenses.js';
import type { Lens } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import type { ExplorationEngine } from '../explore/engine.js';
import type { Reopening, StoredEvent } from '../explore/events.js';
import { tracedDecision } from '../explore/tracing.js';
import type { DecideInput, ReopenInput } from '../steer/decisions.js';
import { decide as decideOn, reopen as reopenOn } from '../steer/decisions.js';
import { outcome } from '../steer/steering.js';
import type { Decision } from '../steer/types.js';
import type { LeaseKeeper } from '../store/lease-keeper.js';
import type { TeamQueue } from '../team/queue.js';
import { saveRedirectBrief } from './briefs.js';
import type { BatonCore } from './core.js';
import type { DecideOptions, LeasedOutcome, ReopenOptions, RunOptions } from './options.js';
import { exploreOn, holding, settledThroughQueue, takeLease } from './running.js';
import { lensesFor } from './start.js';

/**
 * Deciding and reopening for the `Baton` facade. Both record durably while holding the lease,
 * then explore on through one path (`recordThenExplore`): here, or by the team's workers.
 */

/** Records a decision, then explores on unless `run: false`; see `Baton.decide`. */
export async function decide(core: BatonCore, idOrPrefix: string, input: DecideOptions): Promise<{ decision: Decision; outcome: LeasedOutcome }> {
  const runOptions: RunOptions = { ...(input.signal ? { signal: input.signal } : {}), ...(typeof input.run === 'object' ? input.run : {}) };
  const id = await core.resolveId(idOrPrefix);
  let engine = await core.engine(id, runOptions.onProgress);
  const seen = { lastSeq: engine.state.lastSeq, decisions: engine.state.decisions.length };
  const lease = await takeLease(core, id, {
    wait: true,
    ...(input.onWaiting ? { onWaiting: input.onWaiting } : {}),
    ...(runOptions.signal ? { signal: runOptions.signal } : {}),
    stillWanted: async () => decidedSince(id, await core.store.readEvents(id, seen.lastSeq)),
  });
  const queue = await core.teamQueue();
  const { recorded: decision, outcome: settled } = await recordThenExplore(core, { id, queue, lease, runOptions, input }, async () => {
    const since = await core.store.readEvents(id, seen.lastSeq);
    if (since.length > 0) {
      decidedSince(id, since);
      engine = await core.engine(id, runOptions.onProgress);
    }
    if (input.checkpointId !== undefined) answers(engine, input.checkpointId);
    return { engine, recorded: await record(core, engine, input) };
  });
  return { decision, outcome: settled };
}

/** Reopens an ended exploration, then explores on unless `run: false`; see `Baton.reopen`. */
export async function reopen(core: BatonCore, idOrPrefix: string, input: ReopenOptions = {}): Promise<{ reopening: Reopening; outcome: LeasedOutcome }> {
  const runOptions = typeof input.run === 'object' ? input.run : {};
  const id = await core.resolveId(idOrPrefix);
  // Reopening writes to the log and explores on: it holds the lease like a decision does.
  const queue = await core.teamQueue();
  const lease = await takeLease(core, id, { wait: true, ...(runOptions.signal ? { signal: runOptions.signal } : {}) });
  const { recorded: reopening, outcome: settled } = await recordThenExplore(core, { id, queue, lease, runOptions, input }, async () => {
    const engine = await core.engine(id, runOptions.onProgress);
    const reopenInput: ReopenInput = {};
    if (input.budget !== undefined) reopenInput.budget = input.budget;
    if (input.reason !== undefined) reopenInput.reason = input.reason;
    return { engine, recorded: await reopenOn(engine, reopenInput, core.options.now) };
  });
  return { reopening, outcome: settled };
}

/**
 * Records (`write`, holding `lease`, which it gives up however it ends), then: on a team store
 * queues the exploration for the workers — also when none is alive now: it waits in the queue —
 * and waits for them to settle it once the lease is given up; in process explores on holding
 * the lease. With `run: false`, or when the exploration no longer runs, the board as it stands.
 */
async function recordThenExplore<R>(
  core: BatonCore,
  context: { id: string; queue: TeamQueue | undefined; lease: LeaseKeeper; runOptions: RunOptions; input: { run?: boolean | RunOptions; onRecorded?: (recorded: R) => void } },
  write: () => Promise<{ engine: ExplorationEngine; recorded: R }>,
): Promise<{ recorded: R; outcome: LeasedOutcome }> {
  const { id, queue, lease, runOptions, input } = context;
  const held = await holding(lease, async () => {
    const { engine, recorded } = await write();
    if (queue && engine.state.status === 'running') await queue.enqueue(id);
    input.onRecorded?.(recorded);
    if (queue || input.run === false || engine.state.status !== 'running') return { recorded, outcome: await outcome(engine) };
    return { recorded, outcome: await exploreOn(core, id, engine, runOptions, lease) };
  });
  if (queue && input.run !== false && held.outcome.status === 'running') return { recorded: held.recorded, outcome: await settledThroughQueue(core, queue, id, runOptions.signal) };
  return held;
}

async function record(core: BatonCore, engine: ExplorationEngine, input: DecideOptions): Promise<Decision> {
  const decideInput: DecideInput = { action: input.action };
  if (input.candidateIds) decideInput.candidateIds = input.candidateIds;
  if (input.reason !== undefined) decideInput.reason = input.reason;
  if (input.feedback !== undefined) decideInput.feedback = input.feedback;
  if (input.actor !== undefined) decideInput.actor = input.actor;
  if (input.action === 'lens') {
    if (!input.lens?.trim()) throw new BatonError('invalid_input', 'lens: say which lens to try (a built-in id or the text of a new lens)', { location: { field: 'lens' } });
    const existing = engine.state.lenses.find((l) => l.id === input.lens);
    decideInput.lensSpec = existing ?? (resolveLenses([input.lens.trim()])[0] as Lens);
  }
  if (input.action === 'redirect') {
    const version = await saveRedirectBrief(core, input, engine.state.briefId);
    decideInput.briefId = version.id;
    decideInput.redirectLenses = lensesFor(version.brief, engine.state.lenses);
  }
  return tracedDecision(engine.state.id, () => decideOn(engine, decideInput, core.options.now));
}

/** A decision (or the end) recorded by someone else since the person looked: theirs stands, this one is refused. */
function decidedSince(id: string, events: readonly StoredEvent[]): void {
  for (const { event } of events) {
    if (event.type === 'decision.made') {
      const d = event.decision;
      throw new BatonError('conflict', `exploration ${id}: another decision was recorded first (${d.id.slice(d.id.lastIndexOf('.') + 1)}: ${d.action}${d.candidateIds.length > 0 ? ` ${d.candidateIds.map((c) => c.slice(c.lastIndexOf('.') + 1)).join(' ')}` : ''}); look at the board again before deciding`);
    }
    if (event.type === 'exploration.ended') throw new BatonError('conflict', `exploration ${id} has ended (${event.status}) meanwhile; there is nothing left to decide`);
  }
}

/** Refuses a decision meant for a checkpoint that is no longer open (answered, or never raised). */
function answers(engine: ExplorationEngine, checkpointId: string): void {
  const state = engine.state;
  const wanted = checkpointId.includes('.') ? checkpointId : `${state.id}.${checkpointId}`;
  const open = state.status === 'awaiting' ? state.openCheckpoint?.id : undefined;
  if (open === wanted) return;
  const answered = state.decisions.find((d) => d.checkpointId === wanted);
  const short = (s: string): string => s.slice(s.lastIndexOf('.') + 1);
  throw new BatonError(
    'conflict',
    answered
      ? `checkpoint ${short(wanted)} was already answered (${short(answered.id)}: ${answered.action}); look at the board again before deciding`
      : `checkpoint ${short(wanted)} is not open${open ? ` (the open one is ${short(open)})` : ''}; look at the board again before deciding`,
    { location: { field: 'checkpointId' } },
  );
}
