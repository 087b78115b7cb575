import type { Lens } from '../brief/schema.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { DEFAULT_EXHAUSTION } from './exhaustion.js';
import { lensesOpenedFewerThan, pairKey, steeredOpenLeaves } from './indexes.js';
import { lensById } from './state.js';
import type { MoveKind } from './types.js';

/**
 * The policy: which moves to make next. Pure — it reads the state and returns proposals ranked
 * by value; the engine turns the top ones into planned moves. Moves a person asked for (via a
 * decision) always come first.
 *
 * Value of a move, roughly "expected quality gain" on a 0–1 scale:
 * - deepen a leaf: remaining headroom × how much of the headroom the last deepening captured
 *   (a first deepening is assumed to capture 45%), plus a little for promise and novelty;
 * - open a lens: high while the lens is uncovered; a second opening only for a lens that is
 *   competitive with the best, and worth less when the budget runs low;
 * - combine two candidates from different lenses: how much better a candidate taking the best
 *   of both per criterion would be than either.
 *
 * A promising leaf whose last step paid well is deepened into several children at once, each
 * working on a different criterion (Tree-of-Thoughts breadth where it pays); the branch factor
 * follows the returns the path shows. When no move is worth its value any more but budget is
 * left, the untried moves come next — another child of a strong candidate, a new variation of a
 * lens, the best two directions combined, a lens not yet in play (`lenses: auto`) — so an
 * exploration is only exhausted when nothing at all is left to try.
 */

export interface PolicyOptions {
  /** How many moves may be planned now. */
  slots: number;
  /** Model calls left in the budget (Infinity when unbounded). Each move costs two. */
  callsLeft: number;
  /** Share of the budget still unspent, 0–1. */
  budgetLeft: number;
  /** Below this value a move is not worth making. */
  minValue: number;
  /** Openings per lens at most. */
  maxOpensPerLens: number;
  /** Criterion weights by id, as in the brief; missing ones weigh 1. */
  weights: ReadonlyMap<string, number>;
  /** Most children one candidate gets (branching). */
  maxChildren: number;
  /** Lenses not in play that may be taken up once the exploration's own run dry (`lenses: auto`). */
  spareLenses?: readonly Lens[] | undefined;
  /**
   * The person's preference for a candidate (higher: more to their taste), learned by steering
   * from their decisions. Only differences between candidates matter. Absent: no bias.
   */
  preference?: ((candidateId: string) => number | undefined) | undefined;
}

/** At most this much value (0–1 scale) is added to or taken from a deepening for taste. */
export const PREFERENCE_WEIGHT = 0.1;

/**
 * Value added to deepening the path the person last chose, until that path is exhausted. Their
 * choice is evidence the judge cannot see (it was made against the judge's ranking as often as
 * with it), so the models exhaust the chosen path before the judge's favourites take over again:
 * the seed's rule "let the models exhaust the path", applied to the person's path. Large enough
 * to put it ahead of any other deepening (a deepening is worth at most about 0.6).
 */
export const STEER_WEIGHT = 0.5;

export const DEFAULT_POLICY: Omit<PolicyOptions, 'slots' | 'callsLeft' | 'budgetLeft' | 'weights'> = {
  minValue: 0.05,
  maxOpensPerLens: 2,
  maxChildren: 3,
};

/** Free slots take further children only while at least this share of the budget is left. */
const BREADTH_BUDGET = 0.5;

/** Each further child of a branching is worth this factor less than the one before. */
const BRANCH_DECAY = 0.7;

export const CALLS_PER_MOVE = 2;

export const COMBINE_LENS: Lens = {
  id: 'combine',
  name: 'Combination',
  text: 'Merge the strengths of both parents into one candidate that keeps what each does best.',
  builtin: true,
};

export interface MoveProposal {
  kind: MoveKind;
  parentIds: string[];
  lens: Lens;
  value: number;
  why: string;
  origin: 'policy' | 'decision';
  feedback?: string;
  directive?: string;
  focus?: string[];
}

/** The moves worth making now, best first, at most `slots` and within the call budget. */
export function planMoves(state: ExplorationState, options: PolicyOptions): MoveProposal[] {
  const affordable = Math.min(options.slots, Math.floor(options.callsLeft / CALLS_PER_MOVE));
  if (affordable <= 0) return [];
  const chosen: MoveProposal[] = [];
  // One move per target in flight for the policy's own moves (a move still running holds its
  // target); a person's requests are all honoured.
  const targets = new Set<string>();
  for (const move of state.pendingMoves.values()) targets.add(targetOf(move));
  const take = (proposals: readonly MoveProposal[]): void => {
    for (const proposal of proposals) {
      if (chosen.length >= affordable) break;
      const target = targetOf(proposal);
      if (proposal.origin === 'policy' && targets.has(target)) continue;
      targets.add(target);
      chosen.push(proposal);
    }
  };
  take(directiveMoves(state));
  const ranked = rankMoves(state, options);
  take(ranked);
  // Slots still free: more breadth where the value is, rather than idle slots.
  if (chosen.length < affordable) take(breadthMoves(state, ranked, options));
  // Nothing pays on its own value any more: what has not been tried yet comes before "exhausted" —
  // once the moves in flight have returned, since what they make may still pay.
  if (chosen.length === 0 && state.pendingMoves.size === 0) take(untriedMoves(state, options));
  return chosen;
}

/** What a move works on: a lens to open, or parents with a focus. */
function targetOf(move: { kind: MoveKind; parentIds: readonly string[]; lens: Lens; focus?: readonly string[] | undefined }): string {
  return move.kind === 'open' ? `open:${move.lens.id}` : `${move.parentIds.join('+')}|${(move.focus ?? []).join(',')}`;
}

/** True when some move is left to make (a person's, one worth its value, or an untried one). */
export function hasMoveLeft(state: ExplorationState, options: PolicyOptions): boolean {
  return planMoves(state, { ...options, slots: 1 }).length > 0;
}

/** Every policy move worth making, best first (ties broken by candidate order for determinism). */
export function rankMoves(state: ExplorationState, options: PolicyOptions): MoveProposal[] {
  const proposals = [...deepenMoves(state, options), ...openMoves(state, options), ...combineMoves(state, options.weights)];
  return proposals.filter((p) => p.value >= options.minValue).sort((a, b) => b.value - a.value);
}

function directiveMoves(state: ExplorationState): MoveProposal[] {
  const moves: MoveProposal[] = [];
  for (const directive of state.directives) {
    const parents = directive.parentIds.map((id) => state.nodes.get(id));
    if (parents.some((p) => p === undefined)) continue;
    const first = parents[0];
    const lens =
      directive.kind === 'combine'
        ? COMBINE_LENS
        : directive.lens ?? (first ? lensOf(state, first) : undefined);
    if (!lens) continue;
    const move: MoveProposal = {
      kind: directive.kind,
      parentIds: directive.parentIds,
      lens,
      value: Number.POSITIVE_INFINITY,
      why: 'asked for by a decision',
      origin: 'decision',
      directive: directive.key,
    };
    if (directive.feedback !== undefined) move.feedback = directive.feedback;
    moves.push(move);
  }
  return moves;
}

function deepenMoves(state: ExplorationState, options: PolicyOptions): MoveProposal[] {
  const preference = options.preference;
  const bestId = state.indexes.bestId;
  const bestQuality = bestId ? state.nodes.get(bestId)?.judgment?.quality ?? 0 : 0;
  const moves: MoveProposal[] = [];
  const leaves: string[] = [];
  for (const id of state.indexes.openLeaves) {
    const node = state.nodes.get(id);
    if (node?.judgment !== undefined && !node.pruned && !isQuarantined(state, node)) leaves.push(id);
  }
  const tilt = tasteTilt(leaves, preference);
  const steered = steeredOpenLeaves(state);
  for (const id of leaves) {
    const node = state.nodes.get(id);
    if (!node?.judgment) continue;
    const quality = node.judgment.quality;
    const headroom = 1 - quality;
    const parentId = node.candidate.parentIds[0];
    const parentQuality = parentId ? state.nodes.get(parentId)?.judgment?.quality : undefined;
    let captured = 0.45;
    if (node.candidate.kind === 'deepen' && parentQuality !== undefined) {
      const parentHeadroom = 1 - parentQuality;
      captured = parentHeadroom > 0 ? clamp01((quality - parentQuality) / parentHeadroom) : 0;
    }
    const taste = tilt.get(id) ?? 0;
    const steer = steered.has(id) ? STEER_WEIGHT : 0;
    const value = headroom * captured + 0.1 * quality + 0.05 * node.judgment.novelty + taste + steer;
    const lens = lensById(state, node.candidate.lensId);
    if (!lens) continue;
    const move: MoveProposal = {
      kind: 'deepen',
      parentIds: [id],
      lens,
      value,
      why: `deepen: ${Math.round(headroom * 100)}% headroom, last step captured ${Math.round(captured * 100)}%${taste === 0 ? '' : `, taste ${taste > 0 ? '+' : ''}${Math.round(taste * 100)}`}${steer === 0 ? '' : ', the path you chose'}`,
      origin: 'policy',
    };
    if (node.feedback !== undefined) move.feedback = node.feedback;
    moves.push(move);
    const children = branchFactor(quality, bestQuality, captured, options.maxChildren);
    const weakest = weakestFirst(node, options.weights);
    for (let k = 1; k < children && weakest.length > 0; k += 1) {
      const focus = [weakest[k % weakest.length] as string];
      moves.push({ ...move, value: value * BRANCH_DECAY ** k, focus, why: `branch ${k + 1} of ${children}: the path pays (last step captured ${Math.round(captured * 100)}%), this child works on ${focus[0]}` });
    }
  }
  return moves;
}

/**
 * Moves for slots the ranked moves leave free: further children of the leaves worth deepening
 * (up to `maxChildren`, each with a focus of its own, each worth `BRANCH_DECAY` less than the one
 * before), best first — the next-best moves, never one below its value. The less budget is left,
 * the more a filler must be worth (`minValue / budgetLeft`), and past half the budget there are
 * none: breadth is bought while it is cheap, and the rest goes to moves worth making on their own.
 */
export function breadthMoves(state: ExplorationState, ranked: readonly MoveProposal[], options: PolicyOptions): MoveProposal[] {
  const moves: MoveProposal[] = [];
  // Past half the budget, every call goes to moves worth making on their own.
  if (options.budgetLeft < BREADTH_BUDGET) return moves;
  const threshold = options.minValue / options.budgetLeft;
  for (const plain of ranked) {
    if (plain.kind !== 'deepen' || plain.focus !== undefined) continue;
    const node = state.nodes.get(plain.parentIds[0] as string);
    if (!node) continue;
    const weakest = weakestFirst(node, options.weights);
    for (let k = 1; k < options.maxChildren && weakest.length > 0; k += 1) {
      const value = plain.value * BRANCH_DECAY ** k;
      if (value < threshold) break;
      const focus = [weakest[k % weakest.length] as string];
      moves.push({ ...plain, value, focus, why: `breadth: a free slot takes child ${k + 1} of a path worth deepening, working on ${focus[0]}` });
    }
  }
  return moves.sort((a, b) => b.value - a.value);
}

/**
 * The open leaves of the path the person chose last: the descendants (itself included) of the
 * latest candidate a decision's (or an assumption's) move made, while it is not pruned. Empty
 * before any decision, and once that path is exhausted (it has no open leaf left).
 */
export function steeredLeaves(state: ExplorationState): Set<string> {
  const leaves = new Set<string>();
  let root: CandidateNode | undefined;
  for (let i = state.order.length - 1; i >= 0 && root === undefined; i -= 1) {
    const node = state.nodes.get(state.order[i] as string);
    if (node?.directive !== undefined && !node.pruned) root = node;
  }
  if (!root) return leaves;
  const open = new Set(state.indexes.openLeaves);
  const stack = [root.candidate.id];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = state.nodes.get(id);
    if (!node || node.pruned) continue;
    if (open.has(id)) leaves.add(id);
    stack.push(...node.children);
  }
  return leaves;
}

/**
 * How many children a leaf gets at once: one, unless it is among the best and its last step
 * captured much of its headroom — then breadth is where the returns are.
 */
export function branchFactor(quality: number, bestQuality: number, captured: number, maxChildren: number): number {
  if (quality < bestQuality - 0.1) return 1;
  const factor = captured >= 0.5 ? 3 : captured >= 0.25 ? 2 : 1;
  return Math.max(1, Math.min(maxChildren, factor));
}

/** A candidate's criteria, weakest first (weighted gap to 10), for giving each child its own focus. */
function weakestFirst(node: CandidateNode, weights: ReadonlyMap<string, number>): string[] {
  const scores = node.judgment?.scores ?? [];
  return scores
    .flatMap((s) => (s.score === null ? [] : [{ id: s.criterion, gap: (10 - s.score) * (weights.get(s.criterion) ?? 1) }]))
    .filter((s) => s.gap > 0)
    .sort((a, b) => b.gap - a.gap)
    .map((s) => s.id);
}

/**
 * What has not been tried yet, once nothing pays on its own value: another child of one of the
 * best candidates (each with a focus of its own), a new variation of a lens, the best two
 * directions combined, a lens not yet in play. Each is bounded, so an exploration with budget
 * left still comes to an end — but only when there is truly nothing left.
 */
export function untriedMoves(state: ExplorationState, options: PolicyOptions): MoveProposal[] {
  const moves: MoveProposal[] = [];
  for (const node of bestNodes(state, 3)) {
    const quality = node.judgment?.quality ?? 0;
    if (node.children.length >= options.maxChildren || quality >= DEFAULT_EXHAUSTION.ceiling || node.candidate.depth >= DEFAULT_EXHAUSTION.maxDepth) continue;
    const lens = lensOf(state, node);
    if (!lens) continue;
    const weakest = weakestFirst(node, options.weights);
    const move: MoveProposal = {
      kind: 'deepen',
      parentIds: [node.candidate.id],
      lens,
      value: 0.04 * (1 + quality),
      why: `untried: another take on a strong candidate (child ${node.children.length + 1})`,
      origin: 'policy',
    };
    if (weakest.length > 0) move.focus = [weakest[node.children.length % weakest.length] as string];
    if (node.feedback !== undefined) move.feedback = node.feedback;
    moves.push(move);
  }
  for (const lens of state.lenses) {
    if (lens.id === COMBINE_LENS.id) continue;
    const opens = state.indexes.lensStats.get(lens.id)?.opens ?? 0;
    if (opens >= options.maxOpensPerLens + 1) continue;
    moves.push({ kind: 'open', parentIds: [], lens, value: 0.03, why: `untried: a new variation of the ${lens.name} lens`, origin: 'policy' });
  }
  const top = bestNodes(state, 6);
  outer: for (let i = 0; i < top.length; i += 1) {
    for (let j = i + 1; j < top.length; j += 1) {
      const a = top[i] as CandidateNode;
      const b = top[j] as CandidateNode;
      if (a.candidate.lensId === b.candidate.lensId || state.indexes.combined.has(pairKey([a.candidate.id, b.candidate.id]))) continue;
      moves.push({ kind: 'combine', parentIds: [a.candidate.id, b.candidate.id], lens: COMBINE_LENS, value: 0.02, why: 'untried: the best of two directions combined', origin: 'policy' });
      break outer;
    }
  }
  const spare = (options.spareLenses ?? []).find((lens) => !lensById(state, lens.id));
  if (spare) moves.push({ kind: 'open', parentIds: [], lens: spare, value: 0.01, why: `untried: a lens not yet in play (${spare.name})`, origin: 'policy' });
  return moves.sort((a, b) => b.value - a.value);
}

/**
 * How much the person's taste shifts the value of deepening each open leaf: the preference
 * centred on the leaves' mean and squashed with tanh, so a learned taste reorders paths that are
 * close in value without letting it outweigh a path that plainly pays more. Zero without taste.
 */
export function tasteTilt(leaves: readonly string[], preference: PolicyOptions['preference']): Map<string, number> {
  const tilt = new Map<string, number>();
  if (!preference) return tilt;
  const scored = leaves.flatMap((id) => {
    const score = preference(id);
    return score !== undefined && Number.isFinite(score) ? [[id, score] as const] : [];
  });
  if (scored.length < 2) return tilt;
  const mean = scored.reduce((sum, [, score]) => sum + score, 0) / scored.length;
  for (const [id, score] of scored) tilt.set(id, PREFERENCE_WEIGHT * Math.tanh(score - mean));
  return tilt;
}

function openMoves(state: ExplorationState, options: PolicyOptions): MoveProposal[] {
  // Openings made so far come from the lens index (only lenses opened fewer times than allowed
  // are looked at); only moves still pending are counted here.
  const pending = new Map<string, number>();
  for (const move of state.pendingMoves.values()) {
    if (move.kind === 'open') pending.set(move.lens.id, (pending.get(move.lens.id) ?? 0) + 1);
  }
  const bestId = state.indexes.bestId;
  const best = bestId ? state.nodes.get(bestId)?.judgment?.quality ?? 0 : 0;
  const moves: MoveProposal[] = [];
  for (const lens of lensesOpenedFewerThan(state, options.maxOpensPerLens)) {
    if (lens.id === COMBINE_LENS.id) continue;
    const count = (state.indexes.lensStats.get(lens.id)?.opens ?? 0) + (pending.get(lens.id) ?? 0);
    if (count >= options.maxOpensPerLens) continue;
    let value: number;
    let why: string;
    if (count === 0) {
      value = 0.5;
      why = 'open: lens not yet explored';
    } else {
      const lensBest = state.indexes.lensStats.get(lens.id)?.best ?? 0;
      // A second opening only pays for a lens that competes with the best so far.
      if (lensBest < best - 0.1) continue;
      value = 0.1 * Math.sqrt(options.budgetLeft);
      why = 'open again: a competitive lens';
    }
    moves.push({ kind: 'open', parentIds: [], lens, value, why, origin: 'policy' });
  }
  return moves;
}

function combineMoves(state: ExplorationState, weights: ReadonlyMap<string, number>): MoveProposal[] {
  const top = bestNodes(state, 6);
  const combined = state.indexes.combined;
  const moves: MoveProposal[] = [];
  for (let i = 0; i < top.length; i += 1) {
    for (let j = i + 1; j < top.length; j += 1) {
      const a = top[i] as CandidateNode;
      const b = top[j] as CandidateNode;
      if (a.candidate.lensId === b.candidate.lensId) continue;
      if (combined.has(pairKey([a.candidate.id, b.candidate.id]))) continue;
      const gain = complementarity(a, b, weights);
      if (gain < 0.03) continue;
      moves.push({
        kind: 'combine',
        parentIds: [a.candidate.id, b.candidate.id],
        lens: COMBINE_LENS,
        value: gain,
        why: `combine: taking the best of both would gain ${Math.round(gain * 100)} points`,
        origin: 'policy',
      });
    }
  }
  return moves.sort((x, y) => y.value - x.value).slice(0, 1);
}

/**
 * The `count` best judged, unpruned candidates with no failed constraint and not quarantined
 * (ties: earliest), read from the top of the ranking index.
 */
function bestNodes(state: ExplorationState, count: number): CandidateNode[] {
  const top: CandidateNode[] = [];
  for (const node of state.indexes.ranked) {
    if (top.length === count) break;
    if ((node.judgment?.failed.length ?? 0) > 0 || isQuarantined(state, node)) continue;
    top.push(node);
  }
  return top;
}

/** How much a candidate with the per-criterion best of a and b would beat the better of the two (0–1). */
export function complementarity(a: CandidateNode, b: CandidateNode, weights: ReadonlyMap<string, number>): number {
  const ja = a.judgment;
  const jb = b.judgment;
  if (!ja || !jb || ja.scores.length === 0) return 0;
  const bScores = new Map(jb.scores.map((s) => [s.criterion, s.score]));
  let sum = 0;
  let total = 0;
  for (const score of ja.scores) {
    const weight = weights.get(score.criterion) ?? 1;
    sum += weight * Math.max(score.score ?? 0, bScores.get(score.criterion) ?? 0);
    total += weight;
  }
  const ideal = sum / (10 * total);
  return Math.max(0, ideal - Math.max(ja.quality, jb.quality));
}

/** A candidate flagged sensitive is not developed further until the person has seen it. */
export function isQuarantined(state: ExplorationState, node: CandidateNode): boolean {
  const flags = node.judgment?.flags;
  if (!flags || flags.length === 0) return false;
  return flags.some((f) => f.kind === 'sensitive') && !sensitiveAcknowledged(state, node);
}

/**
 * The person has seen this candidate's sensitive flag, or one on its lineage: once they have let
 * a path go on, its descendants are not raised again for the same reason.
 */
export function sensitiveAcknowledged(state: ExplorationState, node: CandidateNode): boolean {
  const stack = [node.candidate.id];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    if (state.raisedKeys.has(`sensitive:${id}`)) return true;
    stack.push(...(state.nodes.get(id)?.candidate.parentIds ?? []));
  }
  return false;
}

function lensOf(state: ExplorationState, node: CandidateNode): Lens | undefined {
  return lensById(state, node.candidate.lensId);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
