/**
 * Bradley–Terry: each item i has a strength p_i, and i beats j with probability p_i / (p_i + p_j).
 * Fitted exactly (to convergence) by the minorization–maximization updates of Hunter (2004):
 * p_i ← W_i / Σ_j n_ij / (p_i + p_j). A tie counts half a win to each side. A small prior — a
 * virtual half-win each way on every compared pair — keeps a strength finite when an item won or
 * lost every comparison, and leaves the order of the wins intact. Pure.
 */

export interface Comparison {
  /** Indexes into the items. */
  a: number;
  b: number;
  /** 1: a won; 0: b won; 0.5: a tie. */
  outcome: 1 | 0 | 0.5;
}

export interface BradleyTerryFit {
  /** Strengths summing to 1, in item order. */
  strengths: number[];
  /** Wins per item (ties as halves, prior excluded). */
  wins: number[];
  /** Comparisons each item took part in. */
  comparisons: number[];
  iterations: number;
}

const PRIOR = 0.5;

/**
 * Fits strengths to pairwise outcomes.
 *
 * @example
 * fitBradleyTerry(2, [{ a: 0, b: 1, outcome: 1 }, { a: 1, b: 0, outcome: 0 }, { a: 0, b: 1, outcome: 0 }]).strengths
 * // → [0.625, 0.375]: wins 2 and 1, each with the prior's half win, in the ratio 2.5 : 1.5
 */
export function fitBradleyTerry(count: number, outcomes: readonly Comparison[], options: { tolerance?: number; maxIterations?: number } = {}): BradleyTerryFit {
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10_000;
  const wins = new Array<number>(count).fill(0);
  const played = new Array<number>(count).fill(0);
  // n[i][j]: comparisons between i and j; w[i]: wins of i with the prior.
  const n = Array.from({ length: count }, () => new Array<number>(count).fill(0));
  for (const { a, b, outcome } of outcomes) {
    if (a === b || a < 0 || b < 0 || a >= count || b >= count) continue;
    (n[a] as number[])[b] = ((n[a] as number[])[b] as number) + 1;
    (n[b] as number[])[a] = ((n[b] as number[])[a] as number) + 1;
    wins[a] = (wins[a] as number) + outcome;
    wins[b] = (wins[b] as number) + (1 - outcome);
    played[a] = (played[a] as number) + 1;
    played[b] = (played[b] as number) + 1;
  }
  const w = wins.slice();
  for (let i = 0; i < count; i += 1) {
    for (let j = i + 1; j < count; j += 1) {
      if (((n[i] as number[])[j] as number) === 0) continue;
      (n[i] as number[])[j] = ((n[i] as number[])[j] as number) + 2 * PRIOR;
      (n[j] as number[])[i] = ((n[j] as number[])[i] as number) + 2 * PRIOR;
      w[i] = (w[i] as number) + PRIOR;
      w[j] = (w[j] as number) + PRIOR;
    }
  }
  let p = new Array<number>(count).fill(count > 0 ? 1 / count : 0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations += 1) {
    const next = p.map((pi, i) => {
      let denominator = 0;
      for (let j = 0; j < count; j += 1) {
        const nij = (n[i] as number[])[j] as number;
        if (nij > 0) denominator += nij / (pi + (p[j] as number));
      }
      return denominator === 0 ? pi : (w[i] as number) / denominator;
    });
    const total = next.reduce((s, v) => s + v, 0) || 1;
    const normalised = next.map((v) => v / total);
    const change = Math.max(...normalised.map((v, i) => Math.abs(v - (p[i] as number))));
    p = normalised;
    if (change < tolerance) break;
  }
  return { strengths: p, wins, comparisons: played, iterations };
}
