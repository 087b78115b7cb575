import type { Criterion } from '../brief/schema.js';
import type { DerivedIndexes } from '../explore/indexes.js';
import { ranksBefore } from '../explore/indexes.js';
import type { CandidateNode, ExplorationState } from '../explore/state.js';
import { SortedList } from '../util/sorted-list.js';
import type { Judgment, MoveKind } from '../explore/types.js';

/**
 * What the triggers read on every wave, kept up to date incrementally: detection runs after each
 * wave, and a full pass over the exploration each time would make every move cost more as the
 * exploration grows (at 100,000 candidates, most of a move's cost).
 *
 * The index follows the state's judgment feed (`indexes.judged`): each call folds in only the
 * judgments that arrived since the last one. When the state replaced its indexes (a prune, a
 * redirect, a candidate judged twice) or the criteria changed, the index is rebuilt from the
 * feed. It computes exactly what a full pass would: the property tests compare the two.
 */

export interface TriggerIndex {
  /** The state indexes this was built from; another object means: rebuild. */
  source: DerivedIndexes;
  criteriaKey: string;
  /** How much of the judgment feed has been folded in. */
  cursor: number;
  /** Candidates meeting every criterion, in ranking order (best first, ties: earliest). */
  meeting: SortedList<CandidateNode>;
  /** Candidates with a `sensitive` or `unclear` flag. */
  flagged: CandidateNode[];
  /** Per kind, the candidates old enough to be compared, by novelty (ascending). */
  novelty: Record<MoveKind, SortedList<CandidateNode>>;
}

/** Neighbours a candidate needs at judgment time for its novelty to mean something. */
export const NOVELTY_NEIGHBOURS = 3;

const indexes = new WeakMap<ExplorationState, TriggerIndex>();

/** The trigger index of a state, brought up to date. */
export function triggerIndex(state: ExplorationState, criteria: readonly Criterion[]): TriggerIndex {
  const key = criteriaKey(criteria);
  let index = indexes.get(state);
  if (!index || index.source !== state.indexes || index.criteriaKey !== key) {
    index = emptyIndex(state.indexes, key);
    indexes.set(state, index);
  }
  catchUp(index, state.indexes.judged, criteria, BULK_FROM);
  return index;
}

/** A new index of a state (not cached); `bulkFrom`: from how many judgments to sort in one go. */
export function buildTriggerIndex(state: ExplorationState, criteria: readonly Criterion[], bulkFrom = BULK_FROM): TriggerIndex {
  const index = emptyIndex(state.indexes, criteriaKey(criteria));
  catchUp(index, state.indexes.judged, criteria, bulkFrom);
  return index;
}

function criteriaKey(criteria: readonly Criterion[]): string {
  return criteria.map((c) => `${c.id}\u0000${c.min}`).join('\u0001');
}

function emptyIndex(source: DerivedIndexes, key: string): TriggerIndex {
  return {
    source,
    criteriaKey: key,
    cursor: 0,
    meeting: new SortedList(ranksBefore),
    flagged: [],
    novelty: { open: byNovelty(), deepen: byNovelty(), combine: byNovelty() },
  };
}

function catchUp(index: TriggerIndex, feed: readonly CandidateNode[], criteria: readonly Criterion[], bulkFrom: number): void {
  if (index.cursor === 0 && feed.length >= bulkFrom) build(index, feed, criteria);
  for (; index.cursor < feed.length; index.cursor += 1) fold(index, feed[index.cursor] as CandidateNode, criteria);
}

/** A candidate's novelty as the triggers read it. */
export function noveltyOf(node: CandidateNode): number {
  return node.judgment?.novelty ?? 0;
}

function noveltyBefore(a: CandidateNode, b: CandidateNode): boolean {
  return noveltyOf(a) < noveltyOf(b);
}

function byNovelty(): SortedList<CandidateNode> {
  return new SortedList(noveltyBefore);
}

/** Above this many judgments, a fresh index is sorted in one go rather than built insert by insert. */
const BULK_FROM = 1024;

function build(index: TriggerIndex, feed: readonly CandidateNode[], criteria: readonly Criterion[]): void {
  const meeting: CandidateNode[] = [];
  const novelty: Record<MoveKind, CandidateNode[]> = { open: [], deepen: [], combine: [] };
  for (const node of feed) {
    const judgment = node.judgment as Judgment;
    if (meetsAll(judgment, criteria)) meeting.push(node);
    if (judgment.flags.length > 0) index.flagged.push(node);
    if (node.index >= NOVELTY_NEIGHBOURS) novelty[node.candidate.kind].push(node);
  }
  // Stable sorts: equal novelties keep the feed's order, as inserting one by one would.
  index.meeting = SortedList.fromSorted(ranksBefore, meeting.sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0)));
  for (const kind of ['open', 'deepen', 'combine'] as const) {
    index.novelty[kind] = SortedList.fromSorted(noveltyBefore, novelty[kind].sort((a, b) => noveltyOf(a) - noveltyOf(b)));
  }
  index.cursor = feed.length;
}

function fold(index: TriggerIndex, node: CandidateNode, criteria: readonly Criterion[]): void {
  const judgment = node.judgment as Judgment;
  if (meetsAll(judgment, criteria)) index.meeting.insert(node);
  if (judgment.flags.length > 0) index.flagged.push(node);
  if (node.index >= NOVELTY_NEIGHBOURS) index.novelty[node.candidate.kind].insert(node);
}

/** Every criterion at or above its `min`, and no constraint failed. */
export function meetsAll(judgment: Judgment, criteria: readonly Criterion[]): boolean {
  if (judgment.failed.length > 0) return false;
  // A handful of criteria and scores: a search beats building a map per judgment.
  return criteria.every((c) => (judgment.scores.find((s) => s.criterion === c.id)?.score ?? 0) >= c.min);
}

/** Median of `n` values read in ascending order by `at` (the mean of the two middle ones for an even `n`). */
export function medianAt(n: number, at: (i: number) => number): number {
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * Median absolute deviation from `center` of `n` values read in ascending order by `at`, without
 * building the list of deviations: they form two ascending runs (below the center, read
 * downwards; at or above it, read upwards), and the k-th smallest of two sorted runs is found by
 * binary search.
 */
export function medianDeviation(n: number, at: (i: number) => number, center: number): number {
  if (n === 0) return Number.NaN;
  let split = 0;
  let hi = n;
  while (split < hi) {
    const mid = (split + hi) >>> 1;
    if (at(mid) < center) split = mid + 1;
    else hi = mid;
  }
  const below = (t: number): number => Math.abs(at(split - 1 - t) - center);
  const above = (t: number): number => Math.abs(at(split + t) - center);
  return medianAt(n, (k) => kthOfTwo(below, split, above, n - split, k));
}

/** The k-th smallest (from 0) of two ascending runs `a` (length `la`) and `b` (length `lb`). */
export function kthOfTwo(a: (i: number) => number, la: number, b: (j: number) => number, lb: number, k: number): number {
  // Take i from a and k + 1 − i from b: the smallest i with a(i) ≥ b(k − i) is the split.
  let lo = Math.max(0, k + 1 - lb);
  let hi = Math.min(k + 1, la);
  while (lo < hi) {
    const i = (lo + hi) >>> 1;
    if (a(i) < b(k - i)) lo = i + 1;
    else hi = i;
  }
  const j = k + 1 - lo;
  return Math.max(lo > 0 ? a(lo - 1) : Number.NEGATIVE_INFINITY, j > 0 ? b(j - 1) : Number.NEGATIVE_INFINITY);
}
