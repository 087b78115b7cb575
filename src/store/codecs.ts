import { z } from 'zod';
import { CodeCheckSchema } from '../brief/schema.js';
import type { Brief, Constraint, Criterion, Lens } from '../brief/schema.js';
import type { ExplorationEvent } from '../explore/events.js';
import type { CriterionScore, FailedConstraint, Flag, PlannedMove } from '../explore/types.js';
import type { Assumption, Board, BoardCard, LensCoverage, Reversal, Spend, TriggerSignal } from '../steer/types.js';
import { BatonError } from '../errors.js';

/**
 * Schemas for the JSON the store reads back from its own columns. It is our own data, but a
 * hand-edited or half-migrated database should fail with a clear message, not with an `undefined`
 * deep inside the engine. Each schema is annotated with the TypeScript type it produces, so the
 * compiler checks that the two agree. Objects are loose: a field added to a type after its schema
 * was written still round-trips rather than being silently stripped.
 */

const MoveKindSchema = z.enum(['open', 'deepen', 'combine']);

export const LensSchema: z.ZodType<Lens> = z.looseObject({
  id: z.string(),
  name: z.string(),
  text: z.string(),
  builtin: z.boolean(),
});

const CriterionSchema: z.ZodType<Criterion> = z.looseObject({
  id: z.string(),
  text: z.string().exactOptional(),
  check: CodeCheckSchema.exactOptional(),
  weight: z.number(),
  min: z.number(),
});

const ConstraintSchema: z.ZodType<Constraint> = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('judged'), text: z.string() }),
  z.looseObject({ kind: z.literal('check'), check: CodeCheckSchema, text: z.string() }),
]);

export const StoredBriefSchema: z.ZodType<Brief> = z.looseObject({
  intent: z.string().exactOptional(),
  question: z.string(),
  constraints: z.array(ConstraintSchema),
  criteria: z.array(CriterionSchema),
  lenses: z.union([z.literal('auto'), z.array(LensSchema)]),
  budget: z.looseObject({
    calls: z.number().exactOptional(),
    tokens: z.number().exactOptional(),
    usd: z.number().exactOptional(),
  }),
  attention: z.number(),
  model: z.string(),
  judge: z.string(),
  context: z.string(),
});

export const CriterionScoresSchema: z.ZodType<CriterionScore[]> = z.array(
  z.looseObject({
    criterion: z.string(),
    // null: not scored (no valid score from any juror), kept apart from a score of 0.
    score: z.number().nullable(),
    reason: z.string(),
    by: z.enum(['judge', 'check']),
    jurors: z.array(z.looseObject({ judge: z.string(), score: z.number().nullable(), reason: z.string() })).exactOptional(),
  }),
);

export const FailedConstraintsSchema: z.ZodType<FailedConstraint[]> = z.array(
  z.looseObject({ constraint: z.string(), reason: z.string() }),
);

export const FlagsSchema: z.ZodType<Flag[]> = z.array(
  z.looseObject({ kind: z.enum(['sensitive', 'unclear']), reason: z.string() }),
);

export const StringListSchema = z.array(z.string());

const TriggerSignalSchema: z.ZodType<TriggerSignal> = z.looseObject({
  kind: z.enum(['pilot', 'sensitive', 'unclear', 'budget', 'met', 'conflict', 'novelty', 'exhausted']),
  reason: z.string(),
  candidateIds: z.array(z.string()),
  key: z.string(),
});

export const TriggerSignalsSchema = z.array(TriggerSignalSchema);

const BoardCardSchema: z.ZodType<BoardCard> = z.looseObject({
  candidateId: z.string(),
  roles: z.array(z.string()),
  why: z.string(),
  lensId: z.string(),
  lensName: z.string(),
  kind: MoveKindSchema,
  depth: z.number(),
  quality: z.number(),
  novelty: z.number(),
  scores: CriterionScoresSchema,
  flags: FlagsSchema,
  failed: z.array(z.string()),
  exhausted: z.string().nullable(),
  excerpt: z.string(),
  words: z.number(),
});

const SpendSchema: z.ZodType<Spend> = z.looseObject({
  calls: z.number(),
  tokens: z.number(),
  usd: z.number(),
  possiblyBilled: z.number(),
  estimatedCalls: z.number().exactOptional(),
  budget: z.looseObject({
    calls: z.number().exactOptional(),
    tokens: z.number().exactOptional(),
    usd: z.number().exactOptional(),
  }),
  share: z.number(),
});

const LensCoverageSchema: z.ZodType<LensCoverage> = z.looseObject({
  lensId: z.string(),
  lensName: z.string(),
  candidates: z.number(),
  best: z.number(),
});

export const BoardSchema: z.ZodType<Board> = z.looseObject({
  explorationId: z.string(),
  checkpointId: z.string().nullable(),
  reasons: TriggerSignalsSchema,
  cards: z.array(BoardCardSchema),
  tradeOffs: z.array(
    z.looseObject({ a: z.string(), b: z.string(), aWins: z.array(z.string()), bWins: z.array(z.string()) }),
  ),
  spend: SpendSchema,
  lenses: z.array(LensCoverageSchema),
  candidates: z.number(),
  label: z.string(),
});

const PlannedMoveSchema: z.ZodType<PlannedMove> = z.looseObject({
  id: z.string(),
  kind: MoveKindSchema,
  parentIds: z.array(z.string()),
  lens: LensSchema,
  feedback: z.string().exactOptional(),
  origin: z.enum(['policy', 'decision']),
  directive: z.string().exactOptional(),
  focus: z.array(z.string()).exactOptional(),
  seen: z.number().int().nonnegative().exactOptional(),
});

const AssumptionSchema: z.ZodType<Assumption> = z.looseObject({
  id: z.string(),
  explorationId: z.string(),
  checkpointId: z.string(),
  reasons: TriggerSignalsSchema,
  shown: z.array(z.string()),
  action: z.literal('deepen'),
  candidateIds: z.array(z.string()),
  confidence: z.number(),
  backing: z.looseObject({ count: z.number(), accuracy: z.number() }),
  createdAt: z.string(),
});

const ReversalSchema: z.ZodType<Reversal> = z.looseObject({
  id: z.string(),
  explorationId: z.string(),
  assumptionId: z.string(),
  reason: z.string().exactOptional(),
  prunedIds: z.array(z.string()),
  createdAt: z.string(),
});

/** Events whose payload lives in `events.payload_json` as is (the rest live in their own tables). */
export type InlineEvent = Exclude<
  ExplorationEvent,
  { type: 'candidate.added' | 'candidate.judged' | 'checkpoint.raised' | 'decision.made' }
>;

const InlineEventUnion = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('exploration.created'),
    briefId: z.string(),
    seed: z.number(),
    lenses: z.array(LensSchema),
    model: z.string(),
    judge: z.string(),
    embed: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('move.planned'), move: PlannedMoveSchema }),
  z.looseObject({ type: z.literal('path.exhausted'), candidateId: z.string(), reason: z.string() }),
  z.looseObject({ type: z.literal('brief.redirected'), briefId: z.string(), lenses: z.array(LensSchema) }),
  z.looseObject({ type: z.literal('lens.added'), lens: LensSchema }),
  z.looseObject({ type: z.literal('trigger.deferred'), key: z.string(), kind: z.string() }),
  z.looseObject({ type: z.literal('checkpoint.assumed'), assumption: AssumptionSchema }),
  z.looseObject({ type: z.literal('assumption.reversed'), reversal: ReversalSchema }),
  z.looseObject({
    type: z.literal('exploration.ended'),
    status: z.enum(['accepted', 'exhausted', 'stopped']),
    candidateId: z.string().exactOptional(),
    reason: z.string(),
  }),
  z.looseObject({
    type: z.literal('exploration.reopened'),
    reopening: z.looseObject({
      id: z.string(),
      from: z.enum(['accepted', 'exhausted', 'stopped']),
      budget: z.looseObject({ calls: z.number().exactOptional(), tokens: z.number().exactOptional(), usd: z.number().exactOptional() }),
      reason: z.string().exactOptional(),
      createdAt: z.string(),
    }),
  }),
]);

export const InlineEventSchema: z.ZodType<InlineEvent> = InlineEventUnion;

/** Fails to compile when an event type is added without a schema here (it would fail at read). */
export const everyInlineEventHasASchema: [Exclude<InlineEvent['type'], z.output<typeof InlineEventUnion>['type']>] extends [never]
  ? true
  : never = true;

/** The payload of an event whose data lives in its own table: just the row's id. */
export const RefPayloadSchema = z.looseObject({ id: z.string() });

/**
 * Parses JSON the store wrote itself. A failure means the database was changed behind Baton's
 * back; the message says where.
 */
export function parseStoredJson<T>(schema: z.ZodType<T>, text: string, where: string): T {
  return validateStored(schema, parseJsonAt(text, where), where);
}

/**
 * As `parseStoredJson`, for the shapes read for every candidate when an exploration is reopened:
 * `accepts` checks the value by hand (much faster than the schema) and must accept nothing the
 * schema rejects; whatever it does not accept goes through the schema, which either accepts it
 * after all or fails with the same clear message.
 */
export function parseStoredJsonChecked<T>(schema: z.ZodType<T>, accepts: (value: unknown) => value is T, text: string, where: string): T {
  const raw = parseJsonAt(text, where);
  return accepts(raw) ? raw : validateStored(schema, raw, where);
}

export function parseJsonAt(text: string, where: string): unknown {
  // Most judgments fail no constraint and raise no flag.
  if (text === '[]') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BatonError('internal', `The database holds malformed JSON in ${where}.`, { cause });
  }
}

export function validateStored<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new BatonError('internal', `The database holds unexpected data in ${where}: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}
