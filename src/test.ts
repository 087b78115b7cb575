/**
 * `baton/test`: what people who build on Baton need to test offline — the deterministic
 * rehearsal model, the local embedding, the bundled example briefs, and small valid fixtures.
 *
 * @example
 * import { createRehearsalModel } from '@baton-workbench/baton/test';
 * const model = createRehearsalModel({ seed: 1, latencyMs: 20 });
 */
import { fileURLToPath } from 'node:url';

export { createRehearsalModel } from './models/rehearsal/index.js';
export { createLocalEmbedding } from './models/local-embedding.js';
export {
  fixtureBoard,
  fixtureBrief,
  fixtureBriefSource,
  fixtureCandidate,
  fixtureCheckpoint,
  fixtureCreated,
  fixtureDecision,
  fixtureJudgment,
  fixtureLens,
} from './store/fixtures.js';

/** Absolute paths of the example briefs shipped with the package. */
export const EXAMPLE_BRIEFS = {
  story: fileURLToPath(new URL('../examples/lighthouse-story.md', import.meta.url)),
  product: fileURLToPath(new URL('../examples/library-onboarding.md', import.meta.url)),
  engineering: fileURLToPath(new URL('../examples/flaky-tests.md', import.meta.url)),
} as const;
