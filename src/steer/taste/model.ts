import { z } from 'zod';

/**
 * The taste model: Bradley–Terry over candidate features. Each candidate has a utility w·x; the
 * person prefers a over b with probability σ(w·(x_a − x_b)) — logistic regression on feature
 * differences, the best-understood model of pairwise choice.
 *
 * It learns online, one Newton step per observed preference, keeping a Gaussian belief over the
 * weights (mean w, covariance S): the online Laplace approximation of Bayesian logistic
 * regression. Why this and not plain SGD:
 * - A person makes a few dozen decisions, not thousands; a Newton step uses each one fully and
 *   needs no learning rate tuned per person.
 * - The L2 regulariser is the prior N(0, I/priorPrecision). The step along a direction shrinks
 *   like 1/n as evidence piles up there — the learning-rate schedule comes from the curvature,
 *   per direction, instead of one global decay. `forgetting` puts a floor under it for tastes
 *   that drift.
 * - S says what the model does not know yet, so early predictions are moderated toward 1/2
 *   instead of being confidently wrong — the calibration that checkpoint skipping relies on.
 *
 * Deterministic: the same observations in the same order give bit-identical weights, so the
 * model can always be rebuilt from the ledger; `toJSON`/`fromJSON` round-trip exactly.
 */

export interface TasteModelOptions {
  /** L2 regularisation: the precision of the prior on every weight. Default 1. */
  priorPrecision?: number;
  /** Share of the accumulated evidence forgotten before each observation, in [0, 1). Default 0. */
  forgetting?: number;
}

export interface Observation {
  preferred: Float64Array;
  other: Float64Array;
  /** How much this preference counts (e.g. less for an assumed, unconfirmed decision). Default 1. */
  weight?: number;
}

const tasteModelJson = z.object({
  version: z.literal(1),
  dims: z.number().int().nonnegative(),
  priorPrecision: z.number().positive(),
  forgetting: z.number().min(0).lt(1),
  observations: z.number().int().nonnegative(),
  totalWeight: z.number().nonnegative(),
  weights: z.array(z.number()),
  /** Row-major dims × dims. */
  covariance: z.array(z.number()),
});

export type TasteModelJSON = z.infer<typeof tasteModelJson>;

export class TasteModel {
  readonly dims: number;
  readonly priorPrecision: number;
  readonly forgetting: number;
  private readonly mean: Float64Array;
  private readonly covariance: Float64Array;
  private observationCount = 0;
  private weightSum = 0;

  private constructor(dims: number, priorPrecision: number, forgetting: number) {
    this.dims = dims;
    this.priorPrecision = priorPrecision;
    this.forgetting = forgetting;
    this.mean = new Float64Array(dims);
    this.covariance = new Float64Array(dims * dims);
    for (let i = 0; i < dims; i++) this.covariance[i * dims + i] = 1 / priorPrecision;
  }

  /** @internal Use `createTasteModel`. */
  static create(dims: number, options: TasteModelOptions = {}): TasteModel {
    if (!Number.isInteger(dims) || dims < 0) throw new RangeError(`dims must be a non-negative integer, got ${dims}`);
    const priorPrecision = options.priorPrecision ?? 1;
    const forgetting = options.forgetting ?? 0;
    if (!(priorPrecision > 0) || !Number.isFinite(priorPrecision)) throw new RangeError('priorPrecision must be positive');
    if (!(forgetting >= 0 && forgetting < 1)) throw new RangeError('forgetting must be in [0, 1)');
    return new TasteModel(dims, priorPrecision, forgetting);
  }

  /**
   * Restores a model saved with `toJSON`. Throws on anything that is not one (the JSON comes
   * from Baton's own store, so a bad one is a bug, not user input).
   *
   * @example
   * const restored = TasteModel.fromJSON(JSON.parse(JSON.stringify(model)));
   * restored.probability(a, b) === model.probability(a, b); // true
   */
  static fromJSON(json: unknown): TasteModel {
    const data = tasteModelJson.parse(json);
    if (data.weights.length !== data.dims || data.covariance.length !== data.dims * data.dims) {
      throw new RangeError(`taste model JSON: ${data.dims} dims but ${data.weights.length} weights, ${data.covariance.length} covariance entries`);
    }
    const model = new TasteModel(data.dims, data.priorPrecision, data.forgetting);
    model.mean.set(data.weights);
    model.covariance.set(data.covariance);
    model.observationCount = data.observations;
    model.weightSum = data.totalWeight;
    return model;
  }

  /** How many preferences have been observed. */
  get observations(): number {
    return this.observationCount;
  }

  /** The sum of their weights. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** A copy of the current weights (the mean of the belief). */
  weights(): Float64Array {
    return this.mean.slice();
  }

  /**
   * Learns from one preference: `preferred` was chosen over `other`.
   *
   * @example
   * model.observe(candidateFeatures(chosen, schema), candidateFeatures(passedOver, schema));
   */
  observe(preferred: Float64Array, other: Float64Array, weight = 1): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be positive, got ${weight}`);
    const d = this.difference(preferred, other);
    const n = this.dims;
    const S = this.covariance;
    if (this.forgetting > 0) {
      const inflate = 1 / (1 - this.forgetting);
      for (let i = 0; i < S.length; i++) S[i] = (S[i] as number) * inflate;
    }
    const u = this.times(d); // S·d
    const q = dot(d, u); // dᵀ·S·d
    const p = sigmoid(dot(this.mean, d));
    const h = weight * p * (1 - p);
    // Newton step on the log posterior, with the updated covariance via Sherman–Morrison:
    // (S⁻¹ + h·d·dᵀ)⁻¹·d = S·d / (1 + h·q).
    const denominator = 1 + h * q;
    const step = (weight * (1 - p)) / denominator;
    for (let i = 0; i < n; i++) this.mean[i] = (this.mean[i] as number) + step * (u[i] as number);
    // Updated through u·uᵀ only, so S stays exactly symmetric in floating point.
    const shrink = h / denominator;
    for (let i = 0; i < n; i++) {
      const ui = u[i] as number;
      for (let j = 0; j < n; j++) S[i * n + j] = (S[i * n + j] as number) - shrink * ui * (u[j] as number);
    }
    this.observationCount += 1;
    this.weightSum += weight;
  }

  /**
   * P(a is preferred over b). Moderated by what the model does not know yet (MacKay's probit
   * approximation of the predictive probability), so it starts near 1/2 and sharpens with data.
   *
   * @example
   * model.probability(featuresOfA, featuresOfB); // 0.5 before any observation
   */
  probability(a: Float64Array, b: Float64Array, extraVariance = 0): number {
    const d = this.difference(a, b);
    // `extraVariance`: the prior variance of features left out of the model because nothing
    // observed ever involved them (independent of the rest, their weights still at zero).
    const variance = Math.max(0, dot(d, this.times(d))) + extraVariance;
    return sigmoid(dot(this.mean, d) / Math.sqrt(1 + (Math.PI * variance) / 8));
  }

  /**
   * The utility of a candidate under the current weights: higher is more to the person's taste.
   * Only differences between scores mean anything.
   *
   * @example
   * cards.sort((x, y) => model.score(y.features) - model.score(x.features));
   */
  score(features: Float64Array): number {
    this.check(features);
    return dot(this.mean, features);
  }

  toJSON(): TasteModelJSON {
    return {
      version: 1,
      dims: this.dims,
      priorPrecision: this.priorPrecision,
      forgetting: this.forgetting,
      observations: this.observationCount,
      totalWeight: this.weightSum,
      weights: Array.from(this.mean),
      covariance: Array.from(this.covariance),
    };
  }

  private difference(a: Float64Array, b: Float64Array): Float64Array {
    this.check(a);
    this.check(b);
    const d = new Float64Array(this.dims);
    for (let i = 0; i < this.dims; i++) d[i] = (a[i] as number) - (b[i] as number);
    return d;
  }

  private check(features: Float64Array): void {
    if (features.length !== this.dims) throw new RangeError(`expected ${this.dims} features, got ${features.length}`);
    // A NaN would poison every weight it touches, silently and for good.
    for (const x of features) if (!Number.isFinite(x)) throw new RangeError('features must be finite numbers');
  }

  private times(d: Float64Array): Float64Array {
    const n = this.dims;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (this.covariance[i * n + j] as number) * (d[j] as number);
      out[i] = sum;
    }
    return out;
  }
}

/**
 * A fresh taste model over `dims` features, knowing nothing yet.
 *
 * @example
 * const model = createTasteModel(schema.names.length);
 * model.observe(chosen, passedOver);
 * model.probability(chosen, passedOver); // > 0.5
 */
export function createTasteModel(dims: number, options: TasteModelOptions = {}): TasteModel {
  return TasteModel.create(dims, options);
}

/**
 * A model rebuilt from a sequence of preferences — e.g. every decision in the ledger, in order.
 * Identical to one that observed them one by one.
 *
 * @example
 * const model = fitTasteModel(schema.names.length, ledgerPreferences);
 */
export function fitTasteModel(dims: number, observations: Iterable<Observation>, options: TasteModelOptions = {}): TasteModel {
  const model = createTasteModel(dims, options);
  for (const o of observations) model.observe(o.preferred, o.other, o.weight ?? 1);
  return model;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** The logistic function, without overflow for large |z|. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
