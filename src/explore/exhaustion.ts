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
  /** Quality at which there is nothing left to gain. */
  ceiling: number;
  /** Deepest a path may go on its own. */
  maxDepth: number;
}

export const DEFAULT_EXHAUSTION: ExhaustionRules = {
  plateauWindow: 2,
  minGain: 0.03,
  nearDuplicate: 0.95,
  ceiling: 0.97,
  maxDepth: 8,
};

/** Returns the reason the leaf's path is exhausted, or null while deepening may still pay. */
export function exhaustionReason(path: readonly CandidateNode[], rules: ExhaustionRules = DEFAULT_EXHAUSTION): string | null {
  const leaf = path[path.length - 1];
  const judgment = leaf?.judgment;
  if (!leaf || !judgment) return null;
  if (judgment.quality >= rules.ceiling) return `ceiling: quality ${pct(judgment.quality)} leaves nothing to gain`;
  if (leaf.candidate.depth >= rules.maxDepth) return `ceiling: depth ${leaf.candidate.depth} is the deepest a path goes on its own`;
  if (leaf.candidate.kind === 'deepen' && judgment.parentSimilarity !== null && judgment.parentSimilarity >= rules.nearDuplicate) {
    return `near-duplicate of its parent (similarity ${judgment.parentSimilarity.toFixed(2)})`;
  }
  // A plateau is judged over deepenings only: the window's start must be on this path too.
  const start = path.length - 1 - rules.plateauWindow;
  const base = path[start]?.judgment;
  if (start >= 0 && base && path.slice(start + 1).every((n) => n.candidate.kind === 'deepen')) {
    const gain = judgment.quality - base.quality;
    if (gain < rules.minGain) {
      return `plateau: ${signedPct(gain)} over the last ${rules.plateauWindow} deepenings`;
    }
  }
  return null;
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function signedPct(value: number): string {
  const points = Math.round(value * 1000) / 10;
  return `${points >= 0 ? '+' : ''}${points} points`;
}
