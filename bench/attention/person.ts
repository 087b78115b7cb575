import type { Latent, SimWorld } from './sim.js';

/**
 * The simulated person: values a candidate by its true quality and by how well its hidden style
 * matches their taste. They see style (they read the text); the judge does not.
 *
 * utility = (1 − share) · quality + share · match, with
 * quality = the criterion-weighted mean true score / 10, and
 * match = clamp(0.5 + Σ taste_j · (style_j − 0.5), 0, 1).
 */
export class SimPerson {
  private readonly sim: SimWorld;

  constructor(sim: SimWorld) {
    this.sim = sim;
  }

  /** The person's utility of a latent, 0–1. */
  utilityOf(latent: Latent): number {
    const { criteria, taste } = this.sim.world;
    const total = criteria.reduce((sum, c) => sum + c.weight, 0);
    const quality = criteria.reduce((sum, c, i) => sum + c.weight * (latent.quality[i] ?? 0), 0) / (10 * total);
    let match = 0.5;
    taste.weights.forEach((w, j) => {
      match += w * ((latent.style[j] ?? 0.5) - 0.5);
    });
    return (1 - taste.share) * quality + taste.share * Math.min(1, Math.max(0, match));
  }

  /** The person's utility of a candidate, from its text. */
  utility(text: string): number {
    return this.utilityOf(this.sim.latentOf(text));
  }

  /** The index of the person's favourite among texts (ties: the first). */
  favourite(texts: readonly string[]): number {
    let best = -1;
    let bestUtility = Number.NEGATIVE_INFINITY;
    texts.forEach((text, i) => {
      const u = this.utility(text);
      if (u > bestUtility) {
        bestUtility = u;
        best = i;
      }
    });
    return best;
  }
}
