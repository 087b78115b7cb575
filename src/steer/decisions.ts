import type { Lens } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import type { ExplorationEngine } from '../explore/engine.js';
import type { ExplorationEvent, Reopening } from '../explore/events.js';
import type { ExplorationState } from '../explore/state.js';
import type { Decision, DecisionAction, DecisionInput } from './types.js';

/**
 * Decisions: the person's answer at a checkpoint (or between checkpoints), validated against
 * the state, recorded in the ledger with the checkpoint whose board was shown, and folded into
 * the state — a deepen or combine becomes a move the next wave runs first, a prune closes a
 * subtree, an accept ends the exploration, a redirect switches to a new brief version.
 */

export interface DecideInput extends DecisionInput {
  /** For `lens`: the lens, resolved from the person's words by the caller. */
  lensSpec?: Lens;
  /** For `redirect`: the lenses of the new brief version. */
  redirectLenses?: Lens[];
  /** Who decides (a person's name on a shared server); absent for the store's owner. */
  actor?: string;
}

const ARITY: Record<DecisionAction, { min: number; max: number; hint: string }> = {
  deepen: { min: 1, max: 20, hint: 'name the candidate(s) to deepen' },
  prune: { min: 1, max: 100, hint: 'name the candidate(s) to prune' },
  combine: { min: 2, max: 2, hint: 'name exactly two candidates to combine' },
  accept: { min: 1, max: 1, hint: 'name the one candidate to accept' },
  lens: { min: 0, max: 0, hint: 'a lens decision takes a lens, not candidates' },
  redirect: { min: 0, max: 0, hint: 'a redirect takes a new brief, not candidates' },
  continue: { min: 0, max: 0, hint: 'continue takes no candidates' },
};

/** Finds a candidate by full id, by its short form `c12`, or by a unique suffix. */
export function resolveCandidateId(state: ExplorationState, ref: string): string {
  if (state.nodes.has(ref)) return ref;
  const short = `${state.id}.${ref}`;
  if (state.nodes.has(short)) return short;
  const matches = state.order.filter((id) => id.endsWith(`.${ref}`) || id.endsWith(ref));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length > 1) {
    throw new BatonError('invalid_input', `candidate "${ref}" is ambiguous: ${matches.slice(0, 5).join(', ')}`, { location: { field: 'candidate' } });
  }
  throw new BatonError('invalid_input', `no candidate "${ref}" in exploration ${state.id}`, { location: { field: 'candidate' } });
}

/** Checks a decision against the state and turns it into the events that record it. Pure. */
export function planDecision(state: ExplorationState, input: DecideInput, id: string, at: string): ExplorationEvent[] {
  if (state.status === 'accepted') {
    throw new BatonError('conflict', `exploration ${state.id} is accepted (${state.acceptedId ?? 'a candidate'}); reopen it to explore on: baton reopen ${state.id}`);
  }
  // An ended exploration's best can still be taken: what it found is not lost because it stopped.
  if (state.status !== 'running' && state.status !== 'awaiting' && input.action !== 'accept') {
    throw new BatonError('conflict', `exploration ${state.id} has ended (${state.status}): accept a candidate, or reopen it to explore on: baton reopen ${state.id} --budget 40`);
  }
  const arity = ARITY[input.action];
  const refs = input.candidateIds ?? [];
  if (refs.length < arity.min || refs.length > arity.max) {
    throw new BatonError('invalid_input', `${input.action}: ${arity.hint} (got ${refs.length})`, { location: { field: 'candidates' } });
  }
  const candidateIds = refs.map((ref) => resolveCandidateId(state, ref));
  if (input.action === 'combine' && candidateIds[0] === candidateIds[1]) {
    throw new BatonError('invalid_input', 'combine: the two candidates must differ', { location: { field: 'candidates' } });
  }
  for (const candidateId of candidateIds) {
    if (input.action !== 'prune' && state.nodes.get(candidateId)?.pruned) {
      throw new BatonError('invalid_input', `${input.action}: candidate ${candidateId} was pruned`, { location: { field: 'candidates' } });
    }
  }

  const events: ExplorationEvent[] = [];
  const decision: Decision = {
    id,
    explorationId: state.id,
    checkpointId: state.openCheckpoint?.id ?? null,
    action: input.action,
    candidateIds,
    createdAt: at,
  };
  if (input.reason?.trim()) decision.reason = input.reason.trim();
  if (input.feedback?.trim()) decision.feedback = input.feedback.trim();
  if (input.actor !== undefined) decision.actor = input.actor;

  if (input.action === 'lens') {
    const lens = input.lensSpec;
    if (!lens) throw new BatonError('invalid_input', 'lens: say which lens to try (a built-in id or the text of a new lens)', { location: { field: 'lens' } });
    if (!state.lenses.some((l) => l.id === lens.id)) events.push({ type: 'lens.added', lens });
    decision.lens = lens.id;
  }
  if (input.action === 'redirect') {
    if (!input.briefId) throw new BatonError('invalid_input', 'redirect: a new brief is needed', { location: { field: 'brief' } });
    decision.briefId = input.briefId;
  }

  events.push({ type: 'decision.made', decision });
  if (input.action === 'accept') {
    events.push({
      type: 'exploration.ended',
      status: 'accepted',
      candidateId: candidateIds[0] as string,
      reason: decision.reason ?? 'accepted',
    });
  }
  if (input.action === 'redirect' && input.briefId) {
    events.push({ type: 'brief.redirected', briefId: input.briefId, lenses: input.redirectLenses ?? [] });
  }
  return events;
}

/** Records a decision durably (it survives `kill -9` once this resolves). */
export async function decide(engine: ExplorationEngine, input: DecideInput, now: () => Date = () => new Date()): Promise<Decision> {
  const id = `${engine.state.id}.d${engine.state.decisions.length + 1}`;
  const events = planDecision(engine.state, input, id, now().toISOString());
  // `continue` at an `exhausted` checkpoint tries what is left; when nothing is, it says so and
  // the checkpoint stays open (nothing is recorded) rather than ending the exploration.
  const exhaustedHere = engine.state.openCheckpoint?.reasons.some((r) => r.kind === 'exhausted') ?? false;
  if (input.action === 'continue' && exhaustedHere && !engine.hasMoveLeft()) {
    throw new BatonError(
      'conflict',
      `nothing is left for the models to try on their own in ${engine.state.id}; the checkpoint stays open: deepen or combine candidates, try a lens, redirect with an edited brief, or accept one`,
      { location: { field: 'action' } },
    );
  }
  await engine.commit(events);
  const decision = engine.state.decisions[engine.state.decisions.length - 1];
  if (!decision || decision.id !== id) throw new Error(`decision ${id} was not recorded`);
  return decision;
}

export interface ReopenInput {
  /** Budget added to what the brief allows; each dimension must be positive. */
  budget?: { calls?: number; tokens?: number; usd?: number };
  reason?: string;
}

/** Checks a reopening against the state and turns it into the event that records it. Pure. */
export function planReopen(state: ExplorationState, input: ReopenInput, id: string, at: string): ExplorationEvent[] {
  if (state.status !== 'accepted' && state.status !== 'exhausted' && state.status !== 'stopped') {
    throw new BatonError('conflict', `exploration ${state.id} has not ended (${state.status}): there is nothing to reopen; run or decide instead`);
  }
  const budget: Reopening['budget'] = {};
  for (const key of ['calls', 'tokens', 'usd'] as const) {
    const value = input.budget?.[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0 || (key !== 'usd' && !Number.isInteger(value))) {
      throw new BatonError('invalid_input', `--budget: ${key} must be a positive ${key === 'usd' ? 'amount' : 'whole number'} (got ${value})`, { location: { field: 'budget' } });
    }
    budget[key] = value;
  }
  const reopening: Reopening = { id, from: state.status, budget, createdAt: at };
  if (input.reason?.trim()) reopening.reason = input.reason.trim();
  return [{ type: 'exploration.reopened', reopening }];
}

/**
 * Reopens an ended exploration (recorded in the ledger), with more budget when given. Refused
 * when even the added budget would leave no move affordable: it would only end again at once.
 */
export async function reopen(engine: ExplorationEngine, input: ReopenInput, now: () => Date = () => new Date()): Promise<Reopening> {
  const state = engine.state;
  const id = `${state.id}.o${state.reopenings.length + 1}`;
  const events = planReopen(state, input, id, now().toISOString());
  const added = (events[0] as Extract<ExplorationEvent, { type: 'exploration.reopened' }>).reopening.budget;
  const short = engine.budgetShortAfter(added);
  if (short !== null) {
    throw new BatonError('invalid_input', `the budget of ${state.id} is spent (${short}): reopen it with more, e.g. --budget 40 (calls) or --budget usd=0.5`, {
      location: { field: 'budget' },
    });
  }
  await engine.commit(events);
  return state.reopenings[state.reopenings.length - 1] as Reopening;
}
