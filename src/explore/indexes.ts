import type { Lens } from '../brief/schema.js';
import type { Candidate } from './types.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { SortedList } from '../util/sorted-list.js';

/**
 * The indexes derived from an exploration's state, which the policy, the triggers and the board
 * read on every wave: kept up to date by `applyEvent` as events arrive (these helpers), and
 * recomputed from the nodes alone by `deriveIndexes` after bulk changes (prune, redirect) and
 * in the property tests, which check that both always agree.
 */

export interface DerivedIndexes {
  /** Best judged, unpruned candidate by quality (ties: earliest). */
  bestId: string | null;
  /**
   * Judged, unpruned, unexhausted leaves: the paths still open, in the order they opened (a set
   * keeps that order, and adding, removing and looking one up do not scan the others).
   */
  openLeaves: Set<string>;
  /** Per lens: how many candidates, how many of them openings, and the best quality. */
  lensStats: Map<string, LensStats>;
  judgedCount: number;
  /**
   * Judged, unpruned candidates by quality, best first (ties: earliest). The policy and the
   * triggers read the top of it on every wave; scanning the whole exploration instead would make
   * each move cost more as the exploration grows.
   */
  ranked: SortedList<CandidateNode>;
  /**
   * Judged, unpruned candidates in the order their judgments arrived: a change feed for readers
   * that keep indexes of their own (see `triggerIndex`). It only grows; a bulk change (prune,
   * redirect, a second judgment) replaces the whole `indexes` object, so a reader holding the
   * old one knows to start over.
   */
  judged: CandidateNode[];
  /** Per lens, its best judged, unpruned candidate (ties: earliest): the board's directions. */
  lensBest: Map<string, CandidateNode>;
  /** Candidates whose path is marked exhausted. */
  exhaustedCount: number;
  /** Candidates made by a decision's (or an assumption's) move, in the order they were added. */
  directed: CandidateNode[];
  /** Parent pairs already combined: their ids, sorted, joined with `+`. */
  combined: Set<string>;
  /** Per lens, its openings in the order they were made (a new opening is shown the latest few). */
  opensByLens: Map<string, string[]>;
  /** Openings made, all lenses together: a lens's count of openings changes only with this one. */
  openings: number;
}

export interface LensStats {
  count: number;
  opens: number;
  best: number;
}

export function emptyIndexes(): DerivedIndexes {
  return {
    bestId: null,
    openLeaves: new Set(),
    lensStats: new Map(),
    judgedCount: 0,
    ranked: new SortedList(ranksBefore),
    judged: [],
    lensBest: new Map(),
    exhaustedCount: 0,
    directed: [],
    combined: new Set(),
    opensByLens: new Map(),
    openings: 0,
  };
}

export function countCandidate(indexes: DerivedIndexes, candidate: Candidate): void {
  const stats = indexes.lensStats.get(candidate.lensId) ?? { count: 0, opens: 0, best: 0 };
  stats.count += 1;
  if (candidate.kind === 'open') {
    stats.opens += 1;
    indexes.openings += 1;
    const opens = indexes.opensByLens.get(candidate.lensId);
    if (opens) opens.push(candidate.id);
    else indexes.opensByLens.set(candidate.lensId, [candidate.id]);
  }
  indexes.lensStats.set(candidate.lensId, stats);
  if (candidate.kind === 'combine') indexes.combined.add(pairKey(candidate.parentIds));
}

interface OpenableLenses {
  lenses: readonly Lens[];
  length: number;
  indexes: DerivedIndexes;
  openings: number;
  max: number;
  list: Lens[];
}

const openable = new WeakMap<Pick<ExplorationState, 'lenses' | 'indexes'>, OpenableLenses>();

/**
 * The lenses with fewer than `max` openings made, in the order of `state.lenses`: the only ones
 * an opening may still be planned for. The list is kept until a lens or an opening is added (or
 * the indexes are rebuilt), so planning does not walk every lens on every move — an exploration
 * of 100,000 candidates has thousands of lenses, nearly all opened as often as they may be.
 */
export function lensesOpenedFewerThan(state: Pick<ExplorationState, 'lenses' | 'indexes'>, max: number): readonly Lens[] {
  const { lenses, indexes } = state;
  const under = (lens: Lens): boolean => (indexes.lensStats.get(lens.id)?.opens ?? 0) < max;
  const kept = openable.get(state);
  let list: Lens[];
  if (kept && kept.lenses === lenses && kept.indexes === indexes && kept.max === max) {
    if (kept.length === lenses.length && kept.openings === indexes.openings) return kept.list;
    // Within one list of lenses and one set of indexes, lenses are only appended and openings only
    // added: a lens at its limit stays there, so only the lenses kept and the new ones are looked at.
    list = kept.list.filter(under);
    for (let i = kept.length; i < lenses.length; i += 1) if (under(lenses[i] as Lens)) list.push(lenses[i] as Lens);
  } else {
    list = lenses.filter(under);
  }
  openable.set(state, { lenses, length: lenses.length, indexes, openings: indexes.openings, max, list });
  return list;
}

/** The key of a combination's parents, whatever their order. */
export function pairKey(parentIds: readonly string[]): string {
  const [a, b] = parentIds;
  if (parentIds.length === 2 && a !== undefined && b !== undefined) return a < b ? `${a}+${b}` : `${b}+${a}`;
  return [...parentIds].sort().join('+');
}

export function noteLensBest(indexes: DerivedIndexes, node: CandidateNode): void {
  const current = indexes.lensBest.get(node.candidate.lensId);
  if (!current || ranksBefore(node, current)) indexes.lensBest.set(node.candidate.lensId, node);
}

/** Ranking order: higher quality first, then the earlier candidate. */
export function ranksBefore(a: CandidateNode, b: CandidateNode): boolean {
  const qa = a.judgment?.quality ?? 0;
  const qb = b.judgment?.quality ?? 0;
  return qa > qb || (qa === qb && a.index < b.index);
}

export function isBetter(state: Pick<ExplorationState, 'nodes'>, id: string, than: string | null): boolean {
  const node = state.nodes.get(id);
  if (!node?.judgment) return false;
  const other = than === null ? undefined : state.nodes.get(than);
  if (!other?.judgment) return true;
  if (node.judgment.quality !== other.judgment.quality) return node.judgment.quality > other.judgment.quality;
  return node.index < other.index;
}

export function addOpenLeaf(indexes: DerivedIndexes, id: string): void {
  indexes.openLeaves.add(id);
}

export function removeOpenLeaf(indexes: DerivedIndexes, id: string): void {
  indexes.openLeaves.delete(id);
}

/**
 * `steeredLeaves` (policy.ts), read from the indexes: the open leaves under the latest unpruned
 * candidate a decision's move made. The policy asks on every move, and looking for that candidate
 * among all of them would cost a scan of the exploration each time (the property tests hold the
 * two to the same answer).
 */
export function steeredOpenLeaves(state: Pick<ExplorationState, 'nodes' | 'indexes'>): Set<string> {
  const leaves = new Set<string>();
  const { directed, openLeaves } = state.indexes;
  let root: CandidateNode | undefined;
  for (let i = directed.length - 1; i >= 0 && root === undefined; i -= 1) {
    const node = directed[i] as CandidateNode;
    if (!node.pruned) root = node;
  }
  if (!root) return leaves;
  const stack = [root.candidate.id];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = state.nodes.get(id);
    if (!node || node.pruned) continue;
    if (openLeaves.has(id)) leaves.add(id);
    stack.push(...node.children);
  }
  return leaves;
}

/**
 * Recomputes the derived indexes from the nodes alone. Used after bulk changes (prune,
 * redirect) and by the property tests as the reference for the incremental updates.
 */
export function deriveIndexes(state: Pick<ExplorationState, 'nodes' | 'order'>): DerivedIndexes {
  const indexes = emptyIndexes();
  for (const id of state.order) {
    const node = state.nodes.get(id);
    if (!node) continue;
    countCandidate(indexes, node.candidate);
    if (node.directive !== undefined) indexes.directed.push(node);
    if (node.exhausted !== null) indexes.exhaustedCount += 1;
    const judgment = node.judgment;
    if (!judgment) continue;
    indexes.judgedCount += 1;
    const stats = indexes.lensStats.get(node.candidate.lensId) as LensStats;
    if (judgment.quality > stats.best) stats.best = judgment.quality;
    if (node.pruned) continue;
    if (isBetter(state, id, indexes.bestId)) indexes.bestId = id;
    if (node.children.length === 0 && node.exhausted === null) indexes.openLeaves.add(id);
    indexes.judged.push(node);
    noteLensBest(indexes, node);
  }
  indexes.ranked = SortedList.fromSorted(ranksBefore, [...indexes.judged].sort((a, b) => (ranksBefore(a, b) ? -1 : 1)));
  return indexes;
}

