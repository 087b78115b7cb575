import type { Criterion } from '../../src/brief/schema.js';
import type { CandidateNode, ExplorationState } from '../../src/explore/state.js';
import { sensitiveAcknowledged } from '../../src/explore/policy.js';
import { judgedNodes } from '../../src/explore/state.js';
import type { Judgment } from '../../src/explore/types.js';
import type { TriggerKind, TriggerSignal } from '../../src/steer/types.js';
import { TRIGGER_KINDS } from '../../src/steer/types.js';

/**
 * REFERENCE for tests: trigger detection as it was before the incremental trigger index, a full
 * pass over every judged candidate on each call. `src/steer/trigger-index.test.ts` checks that
 * the indexed detection computes exactly the same signals. Do not optimise this file.
 *
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
  /** Quality within which the judge cannot tell two directions apart (and a new `met` is no news). */
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
}

const TERMINAL: ReadonlySet<string> = new Set(['exhausted', 'budget:spent']);

/** Every signal that holds now and has not been shown to the person yet, highest priority first. */
export function detectSignals(input: TriggerInput, rules: TriggerRules = DEFAULT_TRIGGERS): TriggerSignal[] {
  const { state } = input;
  const nodes = judgedNodes(state);
  const signals: TriggerSignal[] = [];

  for (const node of nodes) {
    // Flags first: walking the lineage for every candidate on every wave would grow with the tree.
    if (!(node.judgment?.flags ?? []).some((f) => f.kind === 'sensitive') || sensitiveAcknowledged(state, node)) continue;
    for (const flag of node.judgment?.flags ?? []) {
      if (flag.kind === 'sensitive') {
        signals.push(signal('sensitive', `sensitive:${node.candidate.id}`, [node.candidate.id], `The judge flagged sensitive content: ${flag.reason}`));
      }
    }
  }

  // Ambiguity is about the brief, not one candidate: raise each distinct reason once.
  const unclear = new Map<string, string[]>();
  for (const node of nodes) {
    for (const flag of node.judgment?.flags ?? []) {
      if (flag.kind === 'unclear') unclear.set(flag.reason, [...(unclear.get(flag.reason) ?? []), node.candidate.id]);
    }
  }
  for (const [reason, ids] of unclear) {
    signals.push(signal('unclear', `unclear:${reason}`, ids.slice(0, 3), `The intent needs clarifying: ${reason}`));
  }

  if (input.budgetSpent) {
    signals.push(signal('budget', 'budget:spent', [], 'The budget is spent: accept a result, or redirect with a larger budget.'));
  } else if (input.budgetShare >= rules.budgetWarnShare) {
    signals.push(
      signal('budget', `budget:${rules.budgetWarnShare}`, [], `${Math.round(input.budgetShare * 100)}% of the budget is spent.`),
    );
  }

  const met = metCandidate(state, nodes, input.criteria, rules.closeCall);
  if (met) {
    signals.push(signal('met', `met:${met.candidate.id}`, [met.candidate.id], 'A candidate meets every criterion: accept it, or go on?'));
  }

  const conflict = findConflict(state, nodes, rules);
  if (conflict) signals.push(conflict);

  for (const node of novelCandidates(nodes, rules)) {
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

function metCandidate(state: ExplorationState, nodes: readonly CandidateNode[], criteria: readonly Criterion[], margin: number): CandidateNode | undefined {
  // Only a candidate better than every one already shown as `met` by more than the judge resolves is news.
  let shownBest = -1;
  for (const key of state.raisedKeys) {
    if (!key.startsWith('met:')) continue;
    const shown = state.nodes.get(key.slice(4))?.judgment?.quality;
    if (shown !== undefined && shown > shownBest) shownBest = shown;
  }
  const bar = shownBest < 0 ? shownBest : shownBest + margin;
  let best: CandidateNode | undefined;
  for (const node of nodes) {
    const judgment = node.judgment as Judgment;
    // Cheap tests first: only a candidate better than the best found so far needs its scores read.
    if (judgment.quality <= bar || (best && judgment.quality <= (best.judgment?.quality ?? 0))) continue;
    if (meetsAll(judgment, criteria)) best = node;
  }
  return best;
}

/** Every criterion at or above its `min`, and no constraint failed. */
export function meetsAll(judgment: Judgment, criteria: readonly Criterion[]): boolean {
  if (judgment.failed.length > 0) return false;
  const scores = new Map(judgment.scores.map((s) => [s.criterion, s.score]));
  return criteria.every((c) => (scores.get(c.id) ?? 0) >= c.min);
}

function findConflict(state: ExplorationState, nodes: readonly CandidateNode[], rules: TriggerRules): TriggerSignal | undefined {
  let bestQuality = 0;
  for (const n of nodes) bestQuality = Math.max(bestQuality, n.judgment?.quality ?? 0);
  const contenders = topContenders(nodes, bestQuality - rules.conflictBand, 6);
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
  return closeCall(state, nodes, rules);
}

/** The close call, the plain way: the best, and the best-ranked eligible rival of another lens. */
function closeCall(state: ExplorationState, nodes: readonly CandidateNode[], rules: TriggerRules): TriggerSignal | undefined {
  const quality = (n: CandidateNode): number => n.judgment?.quality ?? 0;
  const before = (a: CandidateNode, b: CandidateNode): boolean => quality(a) > quality(b) || (quality(a) === quality(b) && a.index < b.index);
  let best: CandidateNode | undefined;
  for (const n of nodes) if (!best || before(n, best)) best = n;
  if (!best || (best.judgment?.failed.length ?? 0) > 0) return undefined;
  const seen = new Set<string>();
  for (const checkpoint of state.checkpoints) for (const card of checkpoint.board.cards) {
    const lens = state.nodes.get(card.candidateId)?.candidate.lensId;
    if (lens !== undefined) seen.add(lens);
  }
  const top = best;
  let rival: CandidateNode | undefined;
  for (const n of nodes) {
    if (n === top || n.candidate.lensId === top.candidate.lensId || (n.judgment?.failed.length ?? 0) > 0) continue;
    if (quality(n) < quality(top) - rules.closeCall) continue;
    if ((seen.has(n.candidate.lensId) && seen.has(top.candidate.lensId)) || onSamePath(state, top, n)) continue;
    if (!rival || before(n, rival)) rival = n;
  }
  if (!rival) return undefined;
  const ids = [top.candidate.id, rival.candidate.id];
  const gap = Math.round((quality(top) - quality(rival)) * 1000) / 10;
  return signal(
    'conflict',
    `conflict:${[...ids].sort().join('+')}`,
    ids,
    `A close call between two directions: the judge rates them within ${gap} points of each other, too close for it to tell. Only your taste can decide which to follow.`,
  );
}

/**
 * The `count` best candidates at or above `floor` with no failed constraint (ties: earliest),
 * in one pass: sorting every contender on every wave would grow with the exploration.
 */
function topContenders(nodes: readonly CandidateNode[], floor: number, count: number): CandidateNode[] {
  const top: CandidateNode[] = [];
  const quality = (n: CandidateNode): number => n.judgment?.quality ?? 0;
  const before = (a: CandidateNode, b: CandidateNode): boolean => quality(a) > quality(b) || (quality(a) === quality(b) && a.index < b.index);
  for (const node of nodes) {
    if (quality(node) < floor || node.judgment?.failed.length !== 0) continue;
    if (top.length === count && !before(node, top[count - 1] as CandidateNode)) continue;
    let at = top.length;
    while (at > 0 && before(node, top[at - 1] as CandidateNode)) at -= 1;
    top.splice(at, 0, node);
    if (top.length > count) top.pop();
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
 * candidates judged with enough neighbours to compare against count.
 */
function novelCandidates(nodes: readonly CandidateNode[], rules: TriggerRules): CandidateNode[] {
  if (nodes.length < rules.noveltyMinCandidates) return [];
  // Runs after every wave over every judged candidate: one pass per kind into typed arrays,
  // no intermediate lists.
  const qualities = new Float64Array(nodes.length);
  nodes.forEach((n, i) => (qualities[i] = n.judgment?.quality ?? 0));
  const typicalQuality = median(qualities);
  const novel: CandidateNode[] = [];
  for (const kind of ['open', 'deepen', 'combine'] as const) {
    const peers: CandidateNode[] = [];
    for (const n of nodes) if (n.index >= NOVELTY_NEIGHBOURS && n.candidate.kind === kind) peers.push(n);
    if (peers.length < 4) continue;
    // Median and MAD, not mean and deviation: the outliers must not raise their own bar.
    const scratch = new Float64Array(peers.length);
    peers.forEach((n, i) => (scratch[i] = n.judgment?.novelty ?? 0));
    const center = median(scratch);
    for (let i = 0; i < scratch.length; i += 1) scratch[i] = Math.abs((scratch[i] as number) - center);
    const spread = 1.4826 * median(scratch);
    const threshold = Math.max(rules.noveltyFloor, center + rules.noveltySpread * spread);
    for (const node of peers) {
      if ((node.judgment?.novelty ?? 0) >= threshold && (node.judgment?.quality ?? 0) >= typicalQuality) novel.push(node);
    }
  }
  return novel.sort((a, b) => a.index - b.index);
}

/** Median of the values (sorted in place: callers pass a scratch array). Typed-array sort is numeric and fast. */
function median(values: Float64Array): number {
  const sorted = values.sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Neighbours a candidate needs at judgment time for its novelty to mean something. */
const NOVELTY_NEIGHBOURS = 3;

function signal(kind: TriggerKind, key: string, candidateIds: string[], reason: string): TriggerSignal {
  return { kind, key, candidateIds, reason };
}

function byPriority(a: TriggerSignal, b: TriggerSignal): number {
  return TRIGGER_KINDS.indexOf(a.kind) - TRIGGER_KINDS.indexOf(b.kind);
}
