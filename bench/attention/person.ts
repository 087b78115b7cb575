import type { Latent, SimWorld } from './sim.js';
import { normal } from './sim.js';

/**
 * The simulated person: values a candidate by its true quality and by how well its hidden style
 * matches their taste. They see style (they read the text); the judge does not.
 *
 * utility = (1 − share) · quality + share · match, with
 * quality = the criterion-weighted mean true score / 10, and
 * match = clamp(0.5 + Σ taste_j · (style_j − 0.5), 0, 1).
 *
 * The world may make the person less tidy than that:
 * - **drifting taste**: each weight moves linearly over the exploration (from the first model call
 *   to the last of the budget) by a per-seed amount drawn with standard deviation `person.drift`;
 *   the result is valued with the taste they hold at the end;
 * - **noisy choices** (Thurstonian): whenever they choose among options, each option's utility is
 *   perceived with fresh normal noise of standard deviation `person.choiceNoise`;
 * - **sensitive content**: accepting a candidate the judge would flag `sensitive` without having
 *   seen it (on a board they were shown) costs them `sensitive.cost`.
 */
export class SimPerson {
  private readonly sim: SimWorld;
  /** Change of each taste weight from the first call to the last. */
  private readonly drift: number[];
  private readonly noise: () => number;
  private readonly seen = new Set<string>();

  constructor(sim: SimWorld) {
    this.sim = sim;
    const random = sim.random('person:drift');
    this.drift = sim.world.taste.weights.map(() => sim.world.person.drift * normal(random));
    this.noise = sim.random('person:choices');
  }

  /** How far through the exploration the person is, 0–1, by model calls spent. */
  private now(): number {
    return Math.min(1, this.sim.calls / this.sim.world.budget.calls);
  }

  /** The person's utility of a latent, 0–1, with their taste at time `at` (0–1; default: the end). */
  utilityOf(latent: Latent, at = 1): number {
    const { criteria, taste } = this.sim.world;
    const total = criteria.reduce((sum, c) => sum + c.weight, 0);
    const quality = criteria.reduce((sum, c, i) => sum + c.weight * (latent.quality[i] ?? 0), 0) / (10 * total);
    let match = 0.5;
    taste.weights.forEach((w, j) => {
      match += (w + at * (this.drift[j] ?? 0)) * ((latent.style[j] ?? 0.5) - 0.5);
    });
    return (1 - taste.share) * quality + taste.share * Math.min(1, Math.max(0, match));
  }

  /** The person's utility of a candidate, from its text, with the taste they hold at the end. */
  utility(text: string): number {
    return this.utilityOf(this.sim.latentOf(text));
  }

  /** The utility of a candidate with the taste the person holds now. */
  utilityNow(text: string): number {
    return this.utilityOf(this.sim.latentOf(text), this.now());
  }

  /** The person reads these texts (a board they were shown). */
  see(texts: Iterable<string>): void {
    for (const text of texts) this.seen.add(text.trim());
  }

  /** What accepting this text is worth to them: its utility, less the cost of unseen sensitive content. */
  acceptedUtility(text: string): number {
    const latent = this.sim.latentOf(text);
    const unseenSensitive = latent.sensitive && !this.seen.has(text.trim());
    return this.utilityOf(latent) - (unseenSensitive ? (this.sim.world.sensitive?.cost ?? 0) : 0);
  }

  /**
   * The index of the person's favourite among texts they are shown (ties: the first), chosen with
   * their taste of the moment and, in a world with choice noise, with each utility perceived
   * through fresh noise. Choosing among them is reading them: they count as seen.
   */
  favourite(texts: readonly string[]): number {
    this.see(texts);
    const sd = this.sim.world.person.choiceNoise;
    let best = -1;
    let bestUtility = Number.NEGATIVE_INFINITY;
    texts.forEach((text, i) => {
      const u = this.utilityNow(text) + (sd > 0 ? sd * normal(this.noise) : 0);
      if (u > bestUtility) {
        bestUtility = u;
        best = i;
      }
    });
    return best;
  }
}
