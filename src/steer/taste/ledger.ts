import { countWords } from '../../explore/checks.js';
import type { ExplorationState } from '../../explore/state.js';
import type { CalibrationRecord } from './calibration.js';
import { pairwiseRecord } from './calibration.js';
import type { CandidateFeatureInput, FeatureSchema } from './features.js';
import { candidateFeatures, cardFeatureInput, featureSchema } from './features.js';
import type { TasteModel } from './model.js';
import { createTasteModel } from './model.js';
import { preferencesFrom } from './preferences.js';

/**
 * The person's taste as learned from this exploration's ledger: every decision taken at a
 * checkpoint says what was chosen over what was shown. Rebuilt from the ledger each time, in
 * order, so it is the same live and after a resume — the ledger is the only state it has.
 */
export interface Taste {
  model: TasteModel;
  schema: FeatureSchema;
  /** Preferences learned from. With none, the taste says nothing. */
  observations: number;
  /** Preference score of a candidate as it stands now (higher: more to the person's taste). */
  score(candidateId: string): number | undefined;
  /** P(the person prefers candidate a over b), as the model stands now. */
  probability(a: string, b: string): number | undefined;
  /**
   * The model's record on this person: each preference predicted before it was learned
   * (prequential), and each reversed assumption as a prediction the person disowned.
   */
  history: CalibrationRecord[];
}

/**
 * @example
 * const taste = tasteFromLedger(engine.state, brief.criteria.map((c) => c.id));
 * if (taste.observations > 0) engine.setPreference(taste.score);
 */
export function tasteFromLedger(state: ExplorationState, criteria: readonly string[]): Taste {
  const schema = featureSchema(criteria, state.lenses.map((l) => l.id));
  const model = createTasteModel(schema.names.length);
  const history: CalibrationRecord[] = [];
  const checkpoints = new Map(state.checkpoints.map((c) => [c.id, c]));
  for (const decision of state.decisions) {
    const checkpoint = decision.checkpointId ? checkpoints.get(decision.checkpointId) : undefined;
    if (!checkpoint) continue;
    // Features as the person saw them on that board, not as the candidates were judged later.
    const shown = new Map(checkpoint.board.cards.map((card) => [card.candidateId, card]));
    const featuresOf = (id: string): Float64Array | undefined => {
      const card = shown.get(id);
      const embedding = state.nodes.get(id)?.candidate.embedding;
      if (card) return candidateFeatures(cardFeatureInput(card, embedding), schema);
      const input = nodeInput(state, id);
      return input ? candidateFeatures(input, schema) : undefined;
    };
    for (const { preferred, other } of preferencesFrom(decision, [...shown.keys()])) {
      const a = featuresOf(preferred);
      const b = featuresOf(other);
      if (!a || !b) continue;
      history.push(pairwiseRecord(model.probability(a, b), true));
      model.observe(a, b);
    }
  }
  learnFromReversals(state, schema, model, history);
  const featuresNow = (id: string): Float64Array | undefined => {
    const input = nodeInput(state, id);
    return input ? candidateFeatures(input, schema) : undefined;
  };
  return {
    model,
    schema,
    observations: model.observations,
    score: (id) => {
      const features = featuresNow(id);
      return features ? model.score(features) : undefined;
    },
    probability: (a, b) => {
      const fa = featuresNow(a);
      const fb = featuresNow(b);
      return fa && fb ? model.probability(fa, fb) : undefined;
    },
    history,
  };
}

/**
 * A reversed assumption is the person saying "not that": it counts against the model's record
 * at the confidence it claimed, and every other card that was due to be shown is preferred over
 * the assumed pick, as after a prune.
 */
function learnFromReversals(state: ExplorationState, schema: FeatureSchema, model: TasteModel, history: CalibrationRecord[]): void {
  const assumptions = new Map(state.assumptions.map((a) => [a.id, a]));
  for (const reversal of state.reversals) {
    const assumption = assumptions.get(reversal.assumptionId);
    if (!assumption) continue;
    history.push({ confidence: assumption.confidence, correct: false });
    for (const { preferred, other } of preferencesFrom({ action: 'prune', candidateIds: assumption.candidateIds }, assumption.shown)) {
      const a = nodeInput(state, preferred);
      const b = nodeInput(state, other);
      if (a && b) model.observe(candidateFeatures(a, schema), candidateFeatures(b, schema));
    }
  }
}

function nodeInput(state: ExplorationState, id: string): CandidateFeatureInput | undefined {
  const node = state.nodes.get(id);
  const judgment = node?.judgment;
  if (!node || !judgment) return undefined;
  return {
    scores: Object.fromEntries(judgment.scores.map((s) => [s.criterion, s.score])),
    novelty: judgment.novelty,
    lensId: node.candidate.lensId,
    words: countWords(node.candidate.text),
    kind: node.candidate.kind,
    depth: node.candidate.depth,
    flags: judgment.flags.map((f) => f.kind),
    failed: judgment.failed.length > 0,
    embedding: node.candidate.embedding,
  };
}
