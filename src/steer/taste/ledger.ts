import { countWords } from '../../explore/checks.js';
import type { ExplorationState } from '../../explore/state.js';
import type { CalibrationRecord } from './calibration.js';
import { pairwiseRecord } from './calibration.js';
import type { CandidateFeatureInput, FeatureSchema } from './features.js';
import { candidateFeatures, cardFeatureInput, featureSchema, scoredOnly } from './features.js';
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
  const steps = ledgerSteps(state);
  // One feature per lens the ledger ever compared: a lens no preference involved keeps its prior
  // (weight 0, independent of everything), so it is left out of the model and its prior variance
  // added back when a probability involves it. With hundreds of lenses, a full covariance
  // matrix over all of them would cost more than everything else a wave does.
  const compared = new Set<string>();
  for (const step of steps) if (step.kind === 'observe') compared.add(step.preferred.lensId).add(step.other.lensId);
  const schema = featureSchema(criteria, state.lenses.map((l) => l.id).filter((id) => compared.has(id)));
  const model = createTasteModel(schema.names.length);
  const history: CalibrationRecord[] = [];
  for (const step of steps) {
    if (step.kind === 'record') {
      history.push(step.record);
      continue;
    }
    const a = candidateFeatures(step.preferred, schema);
    const b = candidateFeatures(step.other, schema);
    // Predicted before it is learned from: the model's record on this person.
    if (step.predicted) history.push(pairwiseRecord(model.probability(a, b), true));
    model.observe(a, b);
  }
  const inputNow = (id: string): CandidateFeatureInput | undefined => nodeInput(state, id);
  const unknownLens = (lensId: string): number => (compared.has(lensId) ? 0 : 1);
  return {
    model,
    schema,
    observations: model.observations,
    score: (id) => {
      const input = inputNow(id);
      return input ? model.score(candidateFeatures(input, schema)) : undefined;
    },
    probability: (a, b) => {
      const ia = inputNow(a);
      const ib = inputNow(b);
      if (!ia || !ib) return undefined;
      const unknown = ia.lensId === ib.lensId ? 0 : unknownLens(ia.lensId) + unknownLens(ib.lensId);
      return model.probability(candidateFeatures(ia, schema), candidateFeatures(ib, schema), unknown / model.priorPrecision);
    },
    history,
  };
}

type LedgerStep =
  | { kind: 'observe'; preferred: CandidateFeatureInput; other: CandidateFeatureInput; predicted: boolean }
  | { kind: 'record'; record: CalibrationRecord };

/**
 * What the ledger says about the person's taste, in order: every preference a decision at a
 * checkpoint expressed (with the features as the person saw them on that board, not as the
 * candidates were judged later), then every reversed assumption — counted against the model's
 * record at the confidence it claimed, and, as after a prune, every other card that was due to be
 * shown preferred over the assumed pick.
 */
function ledgerSteps(state: ExplorationState): LedgerStep[] {
  const steps: LedgerStep[] = [];
  const checkpoints = new Map(state.checkpoints.map((c) => [c.id, c]));
  for (const decision of state.decisions) {
    const checkpoint = decision.checkpointId ? checkpoints.get(decision.checkpointId) : undefined;
    if (!checkpoint) continue;
    const shown = new Map(checkpoint.board.cards.map((card) => [card.candidateId, card]));
    const inputOf = (id: string): CandidateFeatureInput | undefined => {
      const card = shown.get(id);
      return card ? cardFeatureInput(card, state.nodes.get(id)?.candidate.embedding) : nodeInput(state, id);
    };
    for (const { preferred, other } of preferencesFrom(decision, [...shown.keys()])) {
      const a = inputOf(preferred);
      const b = inputOf(other);
      if (a && b) steps.push({ kind: 'observe', preferred: a, other: b, predicted: true });
    }
  }
  const assumptions = new Map(state.assumptions.map((a) => [a.id, a]));
  for (const reversal of state.reversals) {
    const assumption = assumptions.get(reversal.assumptionId);
    if (!assumption) continue;
    steps.push({ kind: 'record', record: { confidence: assumption.confidence, correct: false } });
    for (const { preferred, other } of preferencesFrom({ action: 'prune', candidateIds: assumption.candidateIds }, assumption.shown)) {
      const a = nodeInput(state, preferred);
      const b = nodeInput(state, other);
      if (a && b) steps.push({ kind: 'observe', preferred: a, other: b, predicted: false });
    }
  }
  return steps;
}

function nodeInput(state: ExplorationState, id: string): CandidateFeatureInput | undefined {
  const node = state.nodes.get(id);
  const judgment = node?.judgment;
  if (!node || !judgment) return undefined;
  return {
    scores: scoredOnly(judgment.scores),
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
