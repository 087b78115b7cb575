import type { Criterion } from '../brief/schema.js';
export { meetsAll } from './trigger-index.js';
import type { CandidateNode, ExplorationState } from '../explore/state.js';
import { sensitiveAcknowledged } from '../explore/policy.js';
import type { Judgment } from '../explore/types.js';
import type { TriggerIndex } from './trigger-index.js';
import { medianAt, medianDeviation, noveltyOf, triggerIndex } from './trigger-index.js';
import type { SortedList } from '../util/sorted-list.js';
import type { TriggerKind, TriggerSignal } from './types.js';
import { TRIGGER_KINDS } from './types.js';

/**
 * Triggers: the situations in which human judgment is needed. Detection is pure and recomputed
 * from the state after every wave of moves; a signal's `key` is never raised twice. Whether a
 * signal stops the exploration now, or waits to be batched into the next checkpoint, is decided
 * by `chooseCheckpoint` from the person's attention budget.
 */

export interface TriggerRules {
  /** Share of any budget at which the `budget` trigger warns. */
  budgetWarnShare: number;
  /** Points (0–10) by which each side of a trade-off must win its criterion. */
  conflictMargin: number;
  /** Quality (0–1) within which of the best both sides of a trade-off must be. */
  conflictBand: number;
  /** Minimum novelty for the `novelty` trigger, and how many (robust) deviations above its peers' median. */
  noveltyFloor: number;
  noveltySpread: number;
  /** Judged candidates needed before novelty can be told apart from noise. */
  noveltyMinCandidates: number;
  /** Moves completed before the first checkpoint (besides terminal ones). */
  minAutonomousMoves: number;
  /**
   * Quality (0–1) within which the judge cannot tell the best of two directions apart: a close
   * call between directions the person has not seen is theirs to make (a `conflict` of taste).
   */
  closeCall: number;
}

export const DEFAULT_TRIGGERS: TriggerRules = {
  budgetWarnShare: 0.8,
  conflictMargin: 1.5,
  conflictBand: 0.08,
  noveltyFloor: 0.45,
  noveltySpread: 3,
  noveltyMinCandidates: 6,
  minAutonomousMoves: 6,
  closeCall: 0.05,
};

export interface TriggerInput {
  state: ExplorationState;
  criteria: readonly Criterion[];
  /** Largest share of any budget spent, 0–1. */
  budgetShare: number;
  /** True when the policy found no move worth making (or none affordable). */
  nothingLeft: boolean;
  /** True when the budget forbids any further move. */
  budgetSpent: boolean;
  /** The brief's `pilot`: candidates to open and judge before the `pilot` checkpoint. */
  pilot?: number;
  /** Each limit's true share (and, when a call was refused, what it may have cost), for the budget messages. */
  budgetStatus?: string;
}

const TERMINAL: ReadonlySet<string> = new Set(['exhausted', 'budget:spent']);

/** Every signal that holds now and has not been shown to the person yet, highest priority first. */
export function detectSignals(input: TriggerInput, rules: TriggerRules = DEFAULT_TRIGGERS): TriggerSignal[] {
  const { state } = input;
  // Read from indexes kept up to date as judgments arrive: nothing here scans the exploration.
  const index = triggerIndex(state, input.criteria);
  const ranked = state.indexes.ranked;
  const signals: TriggerSignal[] = [];
  const flagged = [...index.flagged].sort((a, b) => a.index - b.index);
  const pilot = pilotSignal(input);
  if (pilot) signals.push(pilot);

  for (const node of flagged) {
    if (!(node.judgment?.flags ?? []).some((f) => f.kind === 'sensitive') || sensitiveAcknowledged(state, node)) continue;
    for (const flag of node.judgment?.flags ?? []) {
      if (flag.kind === 'sensitive') {
        signals.push(signal('sensitive', `sensitive:${node.candidate.id}`, [node.candidate.id], `The judge flagged sensitive content: ${flag.reason}`));
      }
    }
  }

  // Ambiguity is about the brief, not one candidate: raise each distinct reason once.
  const unclear = new Map<string, string[]>();
  for (const node of flagged) {
    for (const flag of node.judgment?.flags ?? []) {
      if (flag.kind === 'unclear') unclear.set(flag.reason, [...(unclear.get(flag.reason) ?? []), node.candidate.id]);
    }
  }
  for (const [reason, ids] of unclear) {
    signals.push(signal('unclear', `unclear:${reason}`, ids.slice(0, 3), `The intent needs clarifying: ${reason}`));
  }

  // The messages state the true share of each limit: "spent" is said only when it is.
  const status = input.budgetStatus;
  if (input.budgetSpent) {
    const message =
      status === undefined
        ? 'The budget is spent: accept a result, or redirect with a larger budget.'
        : `${input.budgetShare >= 1 ? 'The budget is spent' : 'The budget cannot pay for another move'}: ${status}. Accept a result, or redirect with a larger budget.`;
    signals.push(signal('budget', 'budget:spent', [], message));
  } else if (input.budgetShare >= rules.budgetWarnShare) {
    signals.push(
      signal('budget', `budget:${rules.budgetWarnShare}`, [], `${Math.round(input.budgetShare * 100)}% of the budget is spent${status === undefined ? '' : ` (${status})`}.`),
    );
  }

  const met = metCandidate(state, index.meeting, rules.closeCall);
  if (met) {
    signals.push(signal('met', `met:${met.candidate.id}`, [met.candidate.id], 'A candidate meets every criterion: accept it, or go on?'));
  }

  const conflict = findConflict(state, ranked, rules);
  if (conflict) signals.push(conflict);

  for (const node of novelCandidates(ranked, index, rules)) {
    // Most novel candidates were shown long ago: only the news is worth a message.
    if (state.raisedKeys.has(`novelty:${node.candidate.id}`)) continue;
    signals.push(
      signal(
        'novelty',
        `novelty:${node.candidate.id}`,
        [node.candidate.id],
        `A candidate far from the rest appeared (novelty ${(node.judgment?.novelty ?? 0).toFixed(2)}) and it is not bad: follow it?`,
      ),
    );
  }

  if (input.nothingLeft && !input.budgetSpent) {
    signals.push(
      signal('exhausted', 'exhausted', [], 'Every path is exhausted and no lens is left worth trying: nothing more pays without you.'),
    );
  }

  return signals.filter((s) => !state.raisedKeys.has(s.key) || TERMINAL.has(s.key)).sort(byPriority);
}

export interface AttentionInput {
  signals: readonly TriggerSignal[];
  /** Checkpoints the person is willing to see (the brief's `attention`). */
  attention: number;
  checkpointsSoFar: number;
  movesSoFar: number;
  /** True when at least one path has been exhausted. */
  anyPathExhausted: boolean;
  /** Moves made since the person was last asked (default: `movesSoFar`). */
  movesSinceCheckpoint?: number;
  /** Moves the budget still pays for (default: unbounded). */
  movesAffordable?: number;
  /** True when every lens in play has been opened and judged: the breadth is explored. */
  everyLensTried?: boolean;
  /** Share of the budget left, 0–1 (default 1). */
  budgetLeft?: number;
}

/**
 * Whether to stop now, and with which reasons. Terminal signals (nothing left, budget spent)
 * always stop. Others are asked only when the answer is worth the interruption:
 *
 * - after a minimum of autonomous work since the person was last asked — a path run to
 *   exhaustion or every lens tried (depth or breadth exhausted), and `minAutonomousMoves` moves
 *   since the last checkpoint ("let the models exhaust the path before you intervene", after
 *   each answer as before the first): an answer given a few moves ago is not yet worth revising;
 * - while the budget still pays for that much work after the answer: a steer that only a
 *   handful of moves could follow is worth little, and the terminal checkpoint, which shows
 *   everything pending, comes soon;
 * - rationed by the remaining attention and budget: the more of either is left, the lower the
 *   priority that may interrupt on its own (`allowedTier`, `tierForBudget`).
 *
 * A budget warning never interrupts on its own: the budget is what the person set, Baton stops
 * at its end anyway, and an ended exploration can be reopened with more. It joins the next
 * checkpoint. When a checkpoint is raised, every pending signal joins it.
 */
export function chooseCheckpoint(input: AttentionInput, rules: TriggerRules = DEFAULT_TRIGGERS): TriggerSignal[] | null {
  const { signals } = input;
  if (signals.length === 0) return null;
  // The pilot is a stop the person asked for in the brief: it always stops, whatever the attention.
  const terminal = signals.some((s) => TERMINAL.has(s.key) || s.kind === 'pilot');
  if (terminal) return [...signals];
  const since = input.movesSinceCheckpoint ?? input.movesSoFar;
  const explored = input.anyPathExhausted || input.everyLensTried === true;
  const autonomous = input.movesSoFar >= rules.minAutonomousMoves && since >= rules.minAutonomousMoves && explored;
  if (!autonomous) return null;
  if ((input.movesAffordable ?? Number.POSITIVE_INFINITY) < rules.minAutonomousMoves) return null;
  const remaining = input.attention - input.checkpointsSoFar;
  if (remaining <= 0) return null;
  const allowed = Math.min(allowedTier(remaining, input.attention), tierForBudget(input.budgetLeft ?? 1));
  const interrupts = signals.some((s) => s.kind !== 'budget' && tierOf(s.kind) <= allowed);
  return interrupts ? [...signals] : null;
}

/**
 * How many more moves the budget pays for: the calls left over the calls a move costs (a writer
 * call and one per juror), or — with no call limit — the moves so far scaled by the share of the
 * budget left over the share spent.
 */
export function movesAffordable(input: { callsLeft: number; callsPerMove: number; share: number; movesSoFar: number }): number {
  const byCalls = Number.isFinite(input.callsLeft) ? Math.floor(input.callsLeft / Math.max(1, input.callsPerMove)) : Number.POSITIVE_INFINITY;
  const byShare = input.share > 0 && input.movesSoFar > 0 ? Math.floor((input.movesSoFar * (1 - input.share)) / input.share) : Number.POSITIVE_INFINITY;
  return Math.min(byCalls, byShare);
}

/** 1: must be seen soon; 2: a choice of values; 3: an opportunity. */
function tierOf(kind: TriggerKind): number {
  switch (kind) {
    case 'pilot':
    case 'sensitive':
    case 'unclear':
    case 'budget':
    case 'exhausted':
      return 1;
    case 'met':
    case 'conflict':
      return 2;
    case 'novelty':
      return 3;
  }
}

/**
 * What the budget left lets interrupt: an answer is worth what the remaining work can do with
 * it. An opportunity (tier 3) needs at least half the budget to be followed; a choice of values
 * (tier 2) a quarter; below that only what must be seen interrupts — the rest waits for the
 * final checkpoint, which shows everything pending.
 */
export function tierForBudget(budgetLeft: number): number {
  if (budgetLeft < 0.25) return 1;
  if (budgetLeft < 0.5) return 2;
  return 3;
}

/** With all attention left any tier may interrupt; the last checkpoint is kept for tier 1. */
function allowedTier(remaining: number, attention: number): number {
  if (remaining <= 1) return 1;
  if (remaining <= Math.max(2, Math.floor(attention / 2))) return 2;
  return 3;
}

/**
 * The best candidate meeting every criterion, if it beats every one already shown as `met` by
 * more than the judge can resolve (`margin`): the person who chose to go on past one met
 * candidate learns nothing from being asked again about one the judge cannot tell apart from it.
 */
function metCandidate(state: ExplorationState, meeting: SortedList<CandidateNode>, margin: number): CandidateNode | undefined {
  let bar = -1;
  for (const key of state.raisedKeys) {
    if (!key.startsWith('met:')) continue;
    const shown = state.nodes.get(key.slice(4))?.judgment?.quality;
    if (shown !== undefined && shown > bar) bar = shown;
  }
  const best = meeting.first();
  return best && (best.judgment?.quality ?? 0) > (bar < 0 ? bar : bar + margin) ? best : undefined;
}

function findConflict(state: ExplorationState, ranked: SortedList<CandidateNode>, rules: TriggerRules): TriggerSignal | undefined {
  const bestQuality = Math.max(0, ranked.first()?.judgment?.quality ?? 0);
  const contenders = topContenders(ranked, bestQuality - rules.conflictBand, 6);
  for (let i = 0; i < contenders.length; i += 1) {
    for (let j = i + 1; j < contenders.length; j += 1) {
      const a = contenders[i] as CandidateNode;
      const b = contenders[j] as CandidateNode;
      if (onSamePath(state, a, b)) continue;
      const { aWins, bWins } = tradeOff(a.judgment as Judgment, b.judgment as Judgment, rules.conflictMargin);
      if (aWins.length === 0 || bWins.length === 0) continue;
      const ids = [a.candidate.id, b.candidate.id];
      return signal(
        'conflict',
        `conflict:${[...ids].sort().join('+')}`,
        ids,
        `A real trade-off: one is stronger on ${aWins.join(', ')}, the other on ${bWins.join(', ')}. Only your values can decide.`,
      );
    }
  }
  return closeCall(state, rules);
}

/**
 * A close call between directions: the best and the best of another direction (another lens,
 * not on its path) within `closeCall` of each other, one of the two directions never shown to the
 * person. The judge cannot separate them, so which to follow is a matter of the person's taste —
 * and asking is worth something only while the person has not seen one of the directions: once
 * they have, their decisions (and the taste learned from them) already say which they prefer.
 */
export function closeCall(state: ExplorationState, rules: TriggerRules = DEFAULT_TRIGGERS): TriggerSignal | undefined {
  const ranked = state.indexes.ranked;
  const best = ranked.first();
  if (!best?.judgment || best.judgment.failed.length > 0) return undefined;
  const floor = best.judgment.quality - rules.closeCall;
  let seen: Set<string> | undefined;
  // Best first: the walk stops at the first candidate the judge can tell apart from the best.
  for (const rival of ranked) {
    const quality = rival.judgment?.quality ?? 0;
    if (quality < floor) break;
    if (rival === best || rival.candidate.lensId === best.candidate.lensId || (rival.judgment?.failed.length ?? 0) > 0) continue;
    seen ??= directionsSeen(state);
    if ((seen.has(rival.candidate.lensId) && seen.has(best.candidate.lensId)) || onSamePath(state, best, rival)) continue;
    const ids = [best.candidate.id, rival.candidate.id];
    const gap = Math.round((best.judgment.quality - quality) * 1000) / 10;
    return signal(
      'conflict',
      `conflict:${[...ids].sort().join('+')}`,
      ids,
      `A close call between two directions: the judge rates them within ${gap} points of each other, too close for it to tell. Only your taste can decide which to follow.`,
    );
  }
  return undefined;
}

/** Directions (lenses) of which the person has been shown a candidate on a checkpoint's board. */
function directionsSeen(state: ExplorationState): Set<string> {
  const seen = new Set<string>();
  for (const checkpoint of state.checkpoints) {
    for (const card of checkpoint.board.cards) {
      const lensId = state.nodes.get(card.candidateId)?.candidate.lensId;
      if (lensId !== undefined) seen.add(lensId);
    }
  }
  return seen;
}

/** The `count` best candidates at or above `floor` with no failed constraint (ties: earliest). */
function topContenders(ranked: SortedList<CandidateNode>, floor: number, count: number): CandidateNode[] {
  const top: CandidateNode[] = [];
  for (const node of ranked) {
    if (top.length === count || (node.judgment?.quality ?? 0) < floor) break;
    if (node.judgment?.failed.length === 0) top.push(node);
  }
  return top;
}

/** Criteria on which each of two judgments beats the other by at least `margin` points. */
export function tradeOff(a: Judgment, b: Judgment, margin: number): { aWins: string[]; bWins: string[] } {
  const bScores = new Map(b.scores.map((s) => [s.criterion, s.score]));
  const aWins: string[] = [];
  const bWins: string[] = [];
  for (const score of a.scores) {
    const other = bScores.get(score.criterion);
    // A criterion not scored on either side is no evidence of a trade-off.
    if (other === undefined || other === null || score.score === null) continue;
    if (score.score - other >= margin) aWins.push(score.criterion);
    if (other - score.score >= margin) bWins.push(score.criterion);
  }
  return { aWins, bWins };
}

function onSamePath(state: ExplorationState, a: CandidateNode, b: CandidateNode): boolean {
  return isAncestor(state, a.candidate.id, b) || isAncestor(state, b.candidate.id, a);
}

function isAncestor(state: ExplorationState, ancestorId: string, node: CandidateNode): boolean {
  const stack = [...node.candidate.parentIds];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === ancestorId) return true;
    stack.push(...(state.nodes.get(id)?.candidate.parentIds ?? []));
  }
  return false;
}

/**
 * Candidates far outside the rest: novelty well above that of their peers (openings are compared
 * with openings, deepenings with deepenings — a deepening is close to its parent by nature), and
 * not bad (quality at least the median). Novelty is measured when a candidate is judged, so only
 * candidates judged with enough neighbours to compare against count. Median and deviation come
 * from the sorted novelty lists of the trigger index, the candidates above the bar are a suffix.
 */
function novelCandidates(ranked: SortedList<CandidateNode>, index: TriggerIndex, rules: TriggerRules): CandidateNode[] {
  if (ranked.length < rules.noveltyMinCandidates) return [];
  // `ranked` is best first: the median quality is read from its middle.
  const n = ranked.length;
  const typicalQuality = medianAt(n, (i) => ranked.at(n - 1 - i)?.judgment?.quality ?? 0);
  const novel: CandidateNode[] = [];
  for (const kind of ['open', 'deepen', 'combine'] as const) {
    const peers = index.novelty[kind];
    if (peers.length < 4) continue;
    const value = (i: number): number => noveltyOf(peers.at(i) as CandidateNode);
    // Median and MAD, not mean and deviation: the outliers must not raise their own bar.
    const center = medianAt(peers.length, value);
    const spread = 1.4826 * medianDeviation(peers.length, value, center);
    const threshold = Math.max(rules.noveltyFloor, center + rules.noveltySpread * spread);
    for (const node of peers.from(peers.firstIndex((n) => noveltyOf(n) >= threshold))) {
      if ((node.judgment?.quality ?? 0) >= typicalQuality) novel.push(node);
    }
  }
  return novel.sort((a, b) => a.index - b.index);
}

/** The pilot's stop: once its candidates are all judged, raised once per exploration. */
function pilotSignal(input: TriggerInput): TriggerSignal | undefined {
  const { state, pilot } = input;
  if (pilot === undefined || state.raisedKeys.has('pilot') || state.checkpoints.length > 0) return undefined;
  if (state.indexes.judgedCount < Math.min(pilot, state.order.length) || state.order.length < pilot) return undefined;
  const ids = state.order.slice(0, pilot);
  return signal(
    'pilot',
    'pilot',
    ids,
    `Pilot: ${ids.length} candidates opened and judged. See how each criterion scored and why; sharpen the criteria (redirect) before the rest of the budget is spent, or continue.`,
  );
}

function signal(kind: TriggerKind, key: string, candidateIds: string[], reason: string): TriggerSignal {
  return { kind, key, candidateIds, reason };
}

function byPriority(a: TriggerSignal, b: TriggerSignal): number {
  return TRIGGER_KINDS.indexOf(a.kind) - TRIGGER_KINDS.indexOf(b.kind);
}
