import { fitBradleyTerry } from '../../src/explore/pairwise.js';
import type { Comparison } from '../../src/explore/pairwise.js';
import { mulberry32 } from '../../src/util/mulberry32.js';

/**
 * Simulated worlds whose judges are biased, to compare two ways of picking the best of a board's
 * candidates at an equal number of judge calls:
 *
 * - single absolute: one judge scores every candidate 0–10, as many times as the calls allow, and
 *   the highest mean score wins;
 * - jury + pairwise: three jurors score every candidate once (median per candidate), then the top
 *   four are compared in pairs, both orders, by the lead juror, and the Bradley–Terry best wins.
 *
 * A candidate has a true quality (what the person would judge), a length and a lens. A judge sees
 * a compressed, noisy quality plus its biases: a length bias (score grows with words), a favoured
 * lens, and in comparisons a position bias (the text shown first wins more). Jurors are different
 * models: each bias is part shared by all judges (`shared`) and part the juror's own.
 */

export type BiasKind = 'none' | 'length' | 'lens' | 'position';

export interface WorldOptions {
  candidates: number;
  lenses: number;
  /** Bias strength in score points (0–10) at one standard unit. */
  strength: number;
  /** Share of a bias all judges have in common (0: independent jurors, 1: identical biases). */
  shared: number;
  /** Noise of one absolute score, in points. */
  noise: number;
  /** How much of the true quality's spread an absolute score keeps (LLM judges compress). */
  compression: number;
}

export const DEFAULT_WORLD: WorldOptions = { candidates: 8, lenses: 4, strength: 1.5, shared: 0.5, noise: 1, compression: 0.6 };

interface Candidate {
  quality: number;
  /** Length in standard units (mean 0, sd 1). */
  length: number;
  lens: number;
}

interface Judge {
  lengthBias: number;
  favoured: number;
  lensBias: number;
  positionBias: number;
}

function normal(random: () => number): number {
  const u = Math.max(1e-12, random());
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function judgesFor(kind: BiasKind, count: number, options: WorldOptions, random: () => number): Judge[] {
  const s = options.strength;
  const sharedFavoured = Math.floor(random() * options.lenses);
  const sharedLength = s * (0.5 + random());
  return Array.from({ length: count }, () => {
    const own = random() < options.shared;
    return {
      lengthBias: kind === 'length' ? (own ? sharedLength : s * (random() * 2 - 0.5)) : 0,
      favoured: own ? sharedFavoured : Math.floor(random() * options.lenses),
      lensBias: kind === 'lens' ? s * 1.5 : 0,
      // In logits: 1.5 strength ≈ the first shown wins 80% of even pairs.
      positionBias: kind === 'position' ? s * (own ? 1 : 0.5 + random()) : 0,
    };
  });
}

/** What a judge sees of a candidate, before noise. */
function perceived(judge: Judge, c: Candidate, options: WorldOptions): number {
  return 5 + options.compression * (c.quality - 5) + judge.lengthBias * c.length + (c.lens === judge.favoured ? judge.lensBias : 0);
}

function absoluteScore(judge: Judge, c: Candidate, options: WorldOptions, random: () => number): number {
  const raw = perceived(judge, c, options) + options.noise * normal(random);
  return Math.round(Math.min(10, Math.max(0, raw)) * 10) / 10;
}

/** Probability that `first` wins when shown first. */
function firstWins(judge: Judge, first: Candidate, second: Candidate, options: WorldOptions): number {
  const diff = (perceived(judge, first, options) - perceived(judge, second, options)) / (options.noise * Math.SQRT2);
  return 1 / (1 + Math.exp(-(1.7 * diff + judge.positionBias)));
}

export interface WorldResult {
  /** True quality of the pick divided by the best true quality. */
  single: number;
  jury: number;
  /** Whether each method picked the truly best candidate. */
  singleHit: boolean;
  juryHit: boolean;
  calls: number;
}

export function runWorld(kind: BiasKind, seed: number, options: WorldOptions = DEFAULT_WORLD): WorldResult {
  const random = mulberry32(seed);
  const candidates: Candidate[] = Array.from({ length: options.candidates }, (_, i) => ({
    quality: 4 + 5 * random(),
    length: normal(random),
    lens: i % options.lenses,
  }));
  const best = Math.max(...candidates.map((c) => c.quality));
  const jurors = judgesFor(kind, 3, options, random);
  const lead = jurors[0] as Judge;
  const top = 4;
  const calls = 3 * candidates.length + top * (top - 1);

  // Jury + pairwise.
  const medians = candidates.map((c) => {
    const scores = jurors.map((j) => absoluteScore(j, c, options, random)).sort((a, b) => a - b);
    return scores[1] as number;
  });
  const contenders = candidates.map((_, i) => i).sort((a, b) => (medians[b] as number) - (medians[a] as number)).slice(0, top);
  const outcomes: Comparison[] = [];
  for (let i = 0; i < contenders.length; i += 1) {
    for (let j = i + 1; j < contenders.length; j += 1) {
      const a = candidates[contenders[i] as number] as Candidate;
      const b = candidates[contenders[j] as number] as Candidate;
      outcomes.push({ a: i, b: j, outcome: random() < firstWins(lead, a, b, options) ? 1 : 0 });
      outcomes.push({ a: j, b: i, outcome: random() < firstWins(lead, b, a, options) ? 1 : 0 });
    }
  }
  const fit = fitBradleyTerry(contenders.length, outcomes);
  let juryPick = 0;
  for (let i = 1; i < contenders.length; i += 1) if ((fit.strengths[i] as number) > (fit.strengths[juryPick] as number)) juryPick = i;
  const jury = candidates[contenders[juryPick] as number] as Candidate;

  // Single absolute judge, the same calls spent on repeated scoring.
  const repeats = Math.floor(calls / candidates.length);
  // The single judge is the jury's lead model: the same biases. It gets as many rounds as the
  // jury's calls allow (rounded down: never more calls than the jury).
  const singleJudge: Judge = { ...lead };
  const means = candidates.map((c) => {
    let sum = 0;
    for (let r = 0; r < repeats; r += 1) sum += absoluteScore(singleJudge, c, options, random);
    return sum / repeats;
  });
  let singlePick = 0;
  for (let i = 1; i < candidates.length; i += 1) if ((means[i] as number) > (means[singlePick] as number)) singlePick = i;
  const single = candidates[singlePick] as Candidate;
  return { single: single.quality / best, jury: jury.quality / best, singleHit: single.quality === best, juryHit: jury.quality === best, calls };
}
