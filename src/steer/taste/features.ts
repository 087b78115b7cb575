import type { CriterionScore, FlagKind, MoveKind } from '../../explore/types.js';
import type { BoardCard } from '../types.js';
import { seededRandom } from './random.js';

/**
 * Candidate features for the taste model: a fixed-length vector built only from what Baton
 * already knows about a candidate. Every feature is scaled to roughly [0, 1] (or, for the
 * embedding projection, to roughly unit size) so that one prior on the weights fits them all.
 * The layout is fixed by a schema, so a vector means the same thing when the model is restored.
 */

const KINDS: readonly MoveKind[] = ['open', 'deepen', 'combine'];
const FLAGS: readonly FlagKind[] = ['sensitive', 'unclear'];
/** Seed of the embedding projection. Changing it changes every taste model's features. */
const PROJECTION_SEED = 0x7a57e;
/** Word count that maps to 1 on the length feature. */
const LENGTH_SCALE = 1000;

export interface FeatureSchema {
  criteria: readonly string[];
  lenses: readonly string[];
  embeddingDims: number;
  /** One name per feature, in vector order: `score:clarity`, `lens:invert`, `embedding:3`… */
  names: readonly string[];
}

export interface CandidateFeatureInput {
  /** Per criterion id, 0–10. */
  scores: Readonly<Record<string, number>>;
  /** 0–1. */
  novelty: number;
  lensId: string;
  words: number;
  kind: MoveKind;
  depth: number;
  flags?: readonly FlagKind[] | undefined;
  /** Whether a constraint failed. */
  failed?: boolean | undefined;
  embedding?: Float32Array | undefined;
}

/**
 * The feature layout for an exploration's criteria and lenses.
 *
 * @example
 * const schema = featureSchema(['clarity', 'surprise'], ['invert', 'extreme'], 8);
 * schema.names.length; // 2 scores + novelty + 2 lenses + length + 3 kinds + depth + 2 flags + failed + 8 = 21
 */
export function featureSchema(criteria: readonly string[], lenses: readonly string[], embeddingDims = 8): FeatureSchema {
  if (!Number.isInteger(embeddingDims) || embeddingDims < 0) {
    throw new RangeError(`embeddingDims must be a non-negative integer, got ${embeddingDims}`);
  }
  const names = [
    ...criteria.map((c) => `score:${c}`),
    'novelty',
    ...lenses.map((l) => `lens:${l}`),
    'log-words',
    ...KINDS.map((k) => `kind:${k}`),
    'depth',
    ...FLAGS.map((f) => `flag:${f}`),
    'failed',
    ...Array.from({ length: embeddingDims }, (_, i) => `embedding:${i}`),
  ];
  return { criteria: [...criteria], lenses: [...lenses], embeddingDims, names };
}

/**
 * The feature vector of one candidate, laid out by `schema`. Pure.
 *
 * A missing criterion score counts as the midpoint (5/10): unknown should not look like bad.
 * A lens outside the schema gets no lens feature; a missing embedding projects to zeros.
 *
 * @example
 * const schema = featureSchema(['clarity'], ['invert'], 0);
 * candidateFeatures({ scores: { clarity: 8 }, novelty: 0.3, lensId: 'invert', words: 120, kind: 'open', depth: 0 }, schema);
 * // Float64Array [0.8, 0.3, 1, 0.69…, 1, 0, 0, 0, 0, 0, 0]
 */
export function candidateFeatures(input: CandidateFeatureInput, schema: FeatureSchema): Float64Array {
  const out = new Float64Array(schema.names.length);
  let i = 0;
  for (const criterion of schema.criteria) {
    const score = input.scores[criterion];
    out[i++] = score === undefined || !Number.isFinite(score) ? 0.5 : unit(score / 10);
  }
  out[i++] = unit(input.novelty);
  for (const lens of schema.lenses) out[i++] = lens === input.lensId ? 1 : 0;
  out[i++] = Math.log1p(Math.max(0, finite(input.words))) / Math.log1p(LENGTH_SCALE);
  for (const kind of KINDS) out[i++] = kind === input.kind ? 1 : 0;
  // Saturates: the step from depth 0 to 1 matters more than from 7 to 8.
  const depth = Math.max(0, finite(input.depth));
  out[i++] = depth / (1 + depth);
  for (const flag of FLAGS) out[i++] = input.flags?.includes(flag) ? 1 : 0;
  out[i++] = input.failed ? 1 : 0;
  if (schema.embeddingDims > 0 && input.embedding && input.embedding.length > 0) {
    out.set(project(input.embedding, schema.embeddingDims), i);
  }
  return out;
}

/**
 * The feature input of a board card — what the person saw when they decided.
 *
 * @example
 * const vector = candidateFeatures(cardFeatureInput(board.cards[0], candidate.embedding), schema);
 */
/** Scores by criterion, leaving out the criteria that were not scored (the model reads those as missing, not as 0). */
export function scoredOnly(scores: readonly CriterionScore[]): Record<string, number> {
  return Object.fromEntries(scores.flatMap((s) => (s.score === null ? [] : [[s.criterion, s.score]])));
}

export function cardFeatureInput(card: BoardCard, embedding?: Float32Array): CandidateFeatureInput {
  return {
    scores: scoredOnly(card.scores),
    novelty: card.novelty,
    lensId: card.lensId,
    words: card.words,
    kind: card.kind,
    depth: card.depth,
    flags: card.flags.map((f) => f.kind),
    failed: card.failed.length > 0,
    embedding,
  };
}

/**
 * A fixed random projection (Achlioptas: ±1/√k entries). It keeps distances between embeddings
 * roughly intact in k dimensions, so a handful of weights can learn "more like these" without
 * one weight per embedding dimension — far more than a person's few decisions could fit.
 */
function project(embedding: Float32Array, k: number): Float64Array {
  const matrix = projectionMatrix(embedding.length, k);
  const out = new Float64Array(k);
  const d = embedding.length;
  for (let row = 0; row < k; row++) {
    let sum = 0;
    for (let col = 0; col < d; col++) sum += (matrix[row * d + col] as number) * (embedding[col] as number);
    out[row] = sum;
  }
  return out;
}

// A memo, not state: the matrix is a pure function of its shape.
const matrices = new Map<string, Float64Array>();

function projectionMatrix(d: number, k: number): Float64Array {
  const key = `${d}x${k}`;
  const cached = matrices.get(key);
  if (cached) return cached;
  // Seeded by the shape, so a matrix does not depend on which shapes were built before it.
  const random = seededRandom(PROJECTION_SEED ^ Math.imul(d, 0x9e3779b1) ^ k);
  const scale = 1 / Math.sqrt(k);
  const matrix = new Float64Array(k * d);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random.next() < 0.5 ? -scale : scale;
  matrices.set(key, matrix);
  return matrix;
}

function unit(x: number): number {
  return Math.min(1, Math.max(0, finite(x)));
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
