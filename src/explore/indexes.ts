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
  /** Judged, unpruned, unexhausted leaves: the paths still open. */
  openLeaves: string[];
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
  /** Parent pairs already combined: their ids, sorted, joined with `+`. */
  combined: Set<string>;
  /** Per lens, its openings in the order they were made (a new opening is shown the latest few). */
  opensByLens: Map<string, string[]>;
}

export interface LensStats {
  count: number;
  opens: number;
  best: number;
}

export function emptyIndexes(): DerivedIndexes {
  return { bestId: null, openLeaves: [], lensStats: new Map(), judgedCount: 0, ranked: new SortedList(ranksBefore), judged: [], lensBest: new Map(), exhaustedCount: 0, combined: new Set(), opensByLens: new Map() };
}

export function countCandidate(indexes: DerivedIndexes, candidate: Candidate): void {
  const stats = indexes.lensStats.get(candidate.lensId) ?? { count: 0, opens: 0, best: 0 };
  stats.count += 1;
  if (candidate.kind === 'open') {
    stats.opens += 1;
    const opens = indexes.opensByLens.get(candidate.lensId);
    if (opens) opens.push(candidate.id);
    else indexes.opensByLens.set(candidate.lensId, [candidate.id]);
  }
  indexes.lensStats.set(candidate.lensId, stats);
  if (candidate.kind === 'combine') indexes.combined.add(pairKey(candidate.parentIds));
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
  if (!indexes.openLeaves.includes(id)) indexes.openLeaves.push(id);
}

export function removeOpenLeaf(indexes: DerivedIndexes, id: string): void {
  const leaves = indexes.openLeaves;
  const at = leaves.indexOf(id);
  if (at >= 0) leaves.splice(at, 1);
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
    if (node.exhausted !== null) indexes.exhaustedCount += 1;
    const judgment = node.judgment;
    if (!judgment) continue;
    indexes.judgedCount += 1;
    const stats = indexes.lensStats.get(node.candidate.lensId) as LensStats;
    if (judgment.quality > stats.best) stats.best = judgment.quality;
    if (node.pruned) continue;
    if (isBetter(state, id, indexes.bestId)) indexes.bestId = id;
    if (node.children.length === 0 && node.exhausted === null) indexes.openLeaves.push(id);
    indexes.judged.push(node);
    noteLensBest(indexes, node);
  }
  indexes.ranked = SortedList.fromSorted(ranksBefore, [...indexes.judged].sort((a, b) => (ranksBefore(a, b) ? -1 : 1)));
  return indexes;
}

