import type { Criterion } from '../brief/schema.js';
import type { CandidateNode, DerivedIndexes, ExplorationState } from '../explore/state.js';
import { insertRanked } from '../explore/state.js';
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
  meeting: CandidateNode[];
  /** Candidates with a `sensitive` or `unclear` flag. */
  flagged: CandidateNode[];
  /** Per kind, the novelty of the candidates old enough to be compared, ascending. */
  novelty: Record<MoveKind, SortedNovelty>;
}

export interface SortedNovelty {
  values: number[];
  nodes: CandidateNode[];
}

/** Neighbours a candidate needs at judgment time for its novelty to mean something. */
export const NOVELTY_NEIGHBOURS = 3;

const indexes = new WeakMap<ExplorationState, TriggerIndex>();

/** The trigger index of a state, brought up to date. */
export function triggerIndex(state: ExplorationState, criteria: readonly Criterion[]): TriggerIndex {
  const key = criteria.map((c) => `${c.id}\u0000${c.min}`).join('\u0001');
  let index = indexes.get(state);
  if (!index || index.source !== state.indexes || index.criteriaKey !== key) {
    index = {
      source: state.indexes,
      criteriaKey: key,
      cursor: 0,
      meeting: [],
      flagged: [],
      novelty: { open: emptyNovelty(), deepen: emptyNovelty(), combine: emptyNovelty() },
    };
    indexes.set(state, index);
  }
  const feed = state.indexes.judged;
  for (; index.cursor < feed.length; index.cursor += 1) fold(index, feed[index.cursor] as CandidateNode, criteria);
  return index;
}

function emptyNovelty(): SortedNovelty {
  return { values: [], nodes: [] };
}

function fold(index: TriggerIndex, node: CandidateNode, criteria: readonly Criterion[]): void {
  const judgment = node.judgment as Judgment;
  if (meetsAll(judgment, criteria)) insertRanked(index.meeting, node);
  if (judgment.flags.length > 0) index.flagged.push(node);
  if (node.index >= NOVELTY_NEIGHBOURS) {
    const sorted = index.novelty[node.candidate.kind];
    const value = judgment.novelty;
    const at = lowerBound(sorted.values, value);
    sorted.values.splice(at, 0, value);
    sorted.nodes.splice(at, 0, node);
  }
}

/** Every criterion at or above its `min`, and no constraint failed. */
export function meetsAll(judgment: Judgment, criteria: readonly Criterion[]): boolean {
  if (judgment.failed.length > 0) return false;
  const scores = new Map(judgment.scores.map((s) => [s.criterion, s.score]));
  return criteria.every((c) => (scores.get(c.id) ?? 0) >= c.min);
}

/** First position whose value is at least `value` in an ascending list. */
export function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median of `n` values read in ascending order by `at` (the mean of the two middle ones for an even `n`). */
export function medianAt(n: number, at: (i: number) => number): number {
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * Median absolute deviation from `center` of an ascending list, without building the list of
 * deviations: they form two ascending runs (below the center, read downwards; at or above it,
 * read upwards), and the k-th smallest of two sorted runs is found by binary search.
 */
export function medianDeviation(values: readonly number[], center: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const split = lowerBound(values, center);
  const below = (t: number): number => Math.abs((values[split - 1 - t] as number) - center);
  const above = (t: number): number => Math.abs((values[split + t] as number) - center);
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
