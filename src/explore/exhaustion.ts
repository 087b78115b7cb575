import type { CandidateNode } from './state.js';

/**
 * When a path stops paying. Pure: given the path from its opening to the leaf (each judged),
 * says whether and why the leaf is exhausted.
 */
export interface ExhaustionRules {
  /** Deepenings looked back over for a plateau. */
  plateauWindow: number;
  /** Quality gain (0–1) over the window below which the path has plateaued. */
  minGain: number;
  /** Cosine similarity to the parent at or above which a deepening is a near-duplicate. */
  nearDuplicate: number;
  /** Near-duplicate deepenings in a row that end a path: one is chance, a run of them is evidence. */
  nearDuplicateRun: number;
  /** Quality at which there is nothing left to gain. */
  ceiling: number;
  /** Deepest a path may go on its own. */
  maxDepth: number;
  /**
   * Deepenings looked back over for a plateau on a path the person chose (one a decision's or an
   * assumption's move made): the judge's scores are noisy and its taste is not the person's, so
   * two of them are not enough evidence to give up on the person's own choice.
   */
  chosenPlateauWindow: number;
}

export const DEFAULT_EXHAUSTION: ExhaustionRules = {
  plateauWindow: 2,
  minGain: 0.03,
  nearDuplicate: 0.95,
  nearDuplicateRun: 2,
  ceiling: 0.97,
  maxDepth: 8,
  chosenPlateauWindow: 4,
};

/**
 * Returns the reason the leaf's path is exhausted, or null while deepening may still pay. Only
 * evidence ends a path: a plateau over at least two deepenings, a run of near-duplicates (one alone
 * is chance: the next take may differ), or the ceiling. On a path the person chose, the judge's
 * word weighs less: its quality ceiling is not the person's (a noisy score of 97% says little of
 * what they will make of the next take), and a plateau must hold over `chosenPlateauWindow`
 * deepenings.
 */
export function exhaustionReason(path: readonly CandidateNode[], rules: ExhaustionRules = DEFAULT_EXHAUSTION): string | null {
  const leaf = path[path.length - 1];
  const judgment = leaf?.judgment;
  if (!leaf || !judgment) return null;
  const chosen = isChosenPath(path);
  if (!chosen && judgment.quality >= rules.ceiling) return `ceiling: quality ${pct(judgment.quality)} leaves nothing to gain`;
  if (leaf.candidate.depth >= rules.maxDepth) return `ceiling: depth ${leaf.candidate.depth} is the deepest a path goes on its own`;
  let run = 0;
  for (let i = path.length - 1; i >= 0 && run < rules.nearDuplicateRun; i -= 1) {
    if (!isNearDuplicate(path[i] as CandidateNode, rules)) break;
    run += 1;
  }
  if (run >= rules.nearDuplicateRun) {
    return `${run} near-duplicates of their parents in a row (similarity ${(judgment.parentSimilarity ?? 1).toFixed(2)})`;
  }
  // A plateau is judged over deepenings only: the window's start must be on this path too.
  const window = Math.max(2, chosen ? rules.chosenPlateauWindow : rules.plateauWindow);
  const start = path.length - 1 - window;
  const base = path[start]?.judgment;
  if (start >= 0 && base && path.slice(start + 1).every((n) => n.candidate.kind === 'deepen')) {
    const gain = judgment.quality - base.quality;
    if (gain < rules.minGain) {
      return `plateau: ${signedPct(gain)} over the last ${window} deepenings`;
    }
  }
  return null;
}

/**
 * The person chose this path: a candidate before the leaf was made by a decision's (or an
 * assumption's) move. The leaf's own mark is left out, so the answer depends only on the lineage
 * and is the same when the leaf is folded and when its mark is recomputed.
 */
function isChosenPath(path: readonly CandidateNode[]): boolean {
  return path.slice(0, -1).some((n) => n.directive !== undefined);
}

/** A deepening that barely changed its parent (an exact copy included). */
function isNearDuplicate(node: CandidateNode, rules: ExhaustionRules): boolean {
  const similarity = node.judgment?.parentSimilarity;
  return node.candidate.kind === 'deepen' && similarity !== null && similarity !== undefined && similarity >= rules.nearDuplicate;
}

/**
 * A copy of a candidate on another path ends its own path there: the path it copies carries that
 * text on. (A copy of its own ancestor is only a near-duplicate: the rule above applies.)
 */
export function duplicateEnd(path: readonly CandidateNode[]): string | null {
  const leaf = path[path.length - 1];
  const original = leaf?.duplicateOf;
  if (original === undefined || path.some((n) => n.candidate.id === original)) return null;
  return `duplicate of ${original}: that path carries the same text on`;
}

/** Why the path ending at the path's leaf is over, or null: a duplicate's end, then the rules. */
export function pathEnd(path: readonly CandidateNode[], rules: ExhaustionRules = DEFAULT_EXHAUSTION): string | null {
  return duplicateEnd(path) ?? exhaustionReason(path, rules);
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function signedPct(value: number): string {
  const points = Math.round(value * 1000) / 10;
  return `${points >= 0 ? '+' : ''}${points} points`;
}
