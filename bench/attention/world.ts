import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * A world for the attention benchmark: what the simulated model can write and how the simulated
 * person values it. Candidates carry hidden latent attributes — a true score per criterion and a
 * position on a few style dimensions. The judge sees the true scores through noise; only the
 * person sees style, through their hidden taste weights. One JSON file per world.
 */

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/u, 'use lowercase letters, digits and dashes');

/** A judge's systematic errors, in score points (0–10): what a real model judge is known to do. */
const JudgeBiasShape = {
  lengthBias: z.number().default(0).describe('Points added to every criterion per 10 words of padding (see `padding`): favours longer texts.'),
  favouredLens: z
    .object({ lens: Id, points: z.number().describe('Points added to every criterion of a candidate of this lens (and its descendants).') })
    .strict()
    .optional()
    .describe('A lens the judge favours whatever the text says.'),
  position: z.number().nonnegative().default(0).describe('In a pairwise comparison, points the text shown first gets (position bias).'),
};

const JuryMemberSchema = z
  .object({ noise: z.number().nonnegative().describe('This juror’s noise (standard deviation, points).'), ...JudgeBiasShape })
  .strict();

export const WorldSchema = z
  .object({
    name: z.string().min(1).describe('Short name, used in the report.'),
    description: z.string().default('').describe('What makes this world easy or hard.'),
    seed: z.number().int().nonnegative().default(1).describe('Mixed into every draw: a different seed, a different world of the same kind.'),
    criteria: z
      .array(z.object({ id: Id, text: z.string().min(1), weight: z.number().positive().default(1) }).strict())
      .min(1)
      .describe('Quality dimensions the judge scores (0–10).'),
    style: z.array(Id).min(1).describe('Hidden style dimensions (0–1), visible only to the person.'),
    taste: z
      .object({
        weights: z.array(z.number()).describe('The person’s weight on each style dimension (one per `style`).'),
        share: z.number().min(0).max(1).describe('Share of the person’s utility that is taste; the rest is true quality.'),
      })
      .strict(),
    judgeNoise: z.number().nonnegative().describe('Standard deviation of the judge’s error, in score points.'),
    judge: z.object(JudgeBiasShape).strict().prefault({}).describe('The judge’s biases (besides its noise); none by default.'),
    jury: z
      .array(JuryMemberSchema)
      .default([])
      .describe('Further judge models, each with its own noise and biases: with them the benchmark measures a jury with pairwise ranking against the single judge at equal calls.'),
    padding: z.number().int().nonnegative().default(0).describe('Most filler words a candidate carries beyond its content (uniform per candidate; worth nothing to the person).'),
    person: z
      .object({
        choiceNoise: z.number().nonnegative().default(0).describe('Thurstonian noise: standard deviation (utility, 0–1) added to each option’s utility whenever the person chooses.'),
        drift: z.number().nonnegative().default(0).describe('How far the taste weights move over the exploration: standard deviation of each weight’s change from the first call to the last.'),
      })
      .strict()
      .prefault({})
      .describe('How the person chooses: without noise and with a fixed taste by default.'),
    sensitive: z
      .object({
        lenses: z.array(Id).min(1).describe('Lenses whose candidates may touch sensitive ground.'),
        rate: z.number().min(0).max(1).describe('Chance that an opening of such a lens is sensitive (its descendants stay so).'),
        cost: z.number().min(0).max(1).describe('Utility the person loses when a sensitive candidate is accepted without their having seen it.'),
      })
      .strict()
      .optional()
      .describe('Where the judge flags `sensitive`.'),
    unclear: z
      .object({
        criterion: Id.describe('The criterion the judge finds ambiguous.'),
        rate: z.number().min(0).max(1).describe('Chance that the judge says so about a candidate.'),
      })
      .strict()
      .optional()
      .describe('Where the judge flags `unclear`.'),
    opening: z
      .object({
        quality: z.number().min(0).max(10).describe('Mean true score of an opening.'),
        spread: z.number().nonnegative().describe('Its standard deviation per criterion.'),
        styleSpread: z.number().nonnegative().describe('Standard deviation of an opening’s style around its lens.'),
      })
      .strict(),
    deepening: z
      .object({
        gain: z.number().min(0).max(1).describe('Share of the headroom (10 − score) the first deepening captures.'),
        decay: z.number().min(0).max(1).describe('Each further deepening captures this factor less (returns of deepening).'),
        noise: z.number().nonnegative().describe('Standard deviation of a deepening’s effect per criterion, in points.'),
        styleDrift: z.number().nonnegative().describe('Standard deviation of the style change per deepening.'),
      })
      .strict(),
    nearDuplicateRate: z.number().min(0).max(1).describe('Chance that a deepening changes (almost) nothing.'),
    combineLoss: z.number().nonnegative().default(1).describe('A combination scores the better parent per criterion less this many points.'),
    lenses: z
      .array(
        z
          .object({
            id: Id,
            text: z.string().min(1),
            quality: z.array(z.number()).describe('Offset of the true score per criterion (one per `criteria`).'),
            style: z.array(z.number()).describe('Offset of the style from 0.5 per dimension (one per `style`).'),
          })
          .strict(),
      )
      .min(2)
      .describe('Lens effects: where each lens lands in quality and style.'),
    lensJitter: z.number().nonnegative().default(0).describe('Per-seed random shift of each lens’s style offsets.'),
    budget: z.object({ calls: z.number().int().min(10) }).strict().describe('Model calls every policy may spend.'),
    attention: z.number().int().min(0).max(100).default(2).describe('The brief’s attention for Baton.'),
  })
  .strict()
  .superRefine((world, ctx) => {
    if (world.taste.weights.length !== world.style.length) {
      ctx.addIssue({ code: 'custom', path: ['taste', 'weights'], message: `expected ${world.style.length} weights (one per style dimension), got ${world.taste.weights.length}` });
    }
    world.lenses.forEach((lens, i) => {
      if (lens.quality.length !== world.criteria.length) {
        ctx.addIssue({ code: 'custom', path: ['lenses', i, 'quality'], message: `expected ${world.criteria.length} offsets (one per criterion), got ${lens.quality.length}` });
      }
      if (lens.style.length !== world.style.length) {
        ctx.addIssue({ code: 'custom', path: ['lenses', i, 'style'], message: `expected ${world.style.length} offsets (one per style dimension), got ${lens.style.length}` });
      }
    });
    const ids = world.lenses.map((l) => l.id);
    const lensRef = (id: string | undefined, path: Array<string | number>): void => {
      if (id !== undefined && !ids.includes(id)) ctx.addIssue({ code: 'custom', path, message: `no lens "${id}" in this world` });
    };
    lensRef(world.judge.favouredLens?.lens, ['judge', 'favouredLens', 'lens']);
    world.jury.forEach((juror, i) => lensRef(juror.favouredLens?.lens, ['jury', i, 'favouredLens', 'lens']));
    world.sensitive?.lenses.forEach((id, i) => lensRef(id, ['sensitive', 'lenses', i]));
    if (world.unclear && !world.criteria.some((c) => c.id === world.unclear?.criterion)) {
      ctx.addIssue({ code: 'custom', path: ['unclear', 'criterion'], message: `no criterion "${world.unclear.criterion}" in this world` });
    }
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['lenses'], message: `lens id "${dup}" appears twice` });
  });

export type World = z.output<typeof WorldSchema>;
export type JudgeProfile = z.output<typeof JuryMemberSchema>;

/** A world file that cannot be used: the message names the file and the field. */
export class WorldError extends Error {
  readonly exitCode = 2;
}

/** Reads and validates a world file; a bad one is a `WorldError` saying where. */
export async function loadWorld(path: string): Promise<World> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (cause) {
    throw new WorldError(`${path}: cannot read the world file (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
  return parseWorld(source, path);
}

export function parseWorld(source: string, path: string): World {
  let raw: unknown;
  try {
    raw = JSON.parse(source) as unknown;
  } catch (cause) {
    throw new WorldError(`${path}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = WorldSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new WorldError(`${path}: not a valid world:\n${lines.join('\n')}`, { cause: parsed.error });
  }
  return parsed.data;
}
