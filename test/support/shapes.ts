import { z } from 'zod';

/**
 * The shapes of what `baton … --json` prints, as a script would rely on them. Parsing with these
 * both checks the shape and gives the tests typed values.
 */

export const ReasonShape = z.object({
  kind: z.enum(['sensitive', 'unclear', 'budget', 'met', 'conflict', 'novelty', 'exhausted']),
  key: z.string(),
  reason: z.string().min(1),
  candidateIds: z.array(z.string()),
});

export const CardShape = z.object({
  candidateId: z.string().regex(/^x[0-9a-z]+\.c\d+$/u),
  roles: z.array(z.string()).min(1),
  why: z.string(),
  lensId: z.string(),
  kind: z.enum(['open', 'deepen', 'combine']),
  quality: z.number().min(0).max(1),
  scores: z.array(z.object({ criterion: z.string(), score: z.number() })),
  excerpt: z.string(),
});

export const SpendShape = z.object({
  calls: z.number().int().min(0),
  tokens: z.number().int().min(0),
  usd: z.number().min(0),
  possiblyBilled: z.number().int().min(0),
  budget: z.object({ calls: z.number().optional(), tokens: z.number().optional(), usd: z.number().optional() }),
  share: z.number().min(0),
});

export const BoardShape = z.object({
  explorationId: z.string(),
  checkpointId: z.string().nullable(),
  reasons: z.array(ReasonShape),
  cards: z.array(CardShape),
  spend: SpendShape,
  candidates: z.number().int().min(0),
  label: z.string(),
});

export const CheckpointShape = z.object({ id: z.string(), reasons: z.array(ReasonShape).min(1) });

/** `run`, `board` and `decide` print this. */
export const OutcomeShape = z.object({
  exploration: z.string().regex(/^x[0-9a-z]+$/u),
  status: z.enum(['awaiting', 'accepted', 'exhausted', 'stopped']),
  interrupted: z.boolean(),
  label: z.string(),
  checkpoint: CheckpointShape.nullable(),
  endReason: z.string().nullable(),
  board: BoardShape,
});
export type Outcome = z.infer<typeof OutcomeShape>;

/** `demo --json` prints a smaller object than `run --json`. */
export const DemoShape = z.object({
  exploration: z.string().regex(/^x[0-9a-z]+$/u),
  status: z.enum(['awaiting', 'accepted', 'exhausted', 'stopped']),
  checkpoint: CheckpointShape.nullable(),
  board: BoardShape,
});

export const ShowShape = z.object({
  record: z.object({ id: z.string(), status: z.string(), seed: z.number() }),
  label: z.string(),
  candidates: z.array(
    z.object({
      id: z.string(),
      parentIds: z.array(z.string()),
      kind: z.string(),
      lensId: z.string(),
      depth: z.number(),
      quality: z.number().nullable(),
      novelty: z.number().nullable(),
      exhausted: z.string().nullable(),
      pruned: z.boolean(),
    }),
  ),
  ledger: z.array(z.unknown()),
});

export const CandidateShape = z.object({
  candidate: z.object({ id: z.string(), kind: z.string(), lensId: z.string(), depth: z.number(), parentIds: z.array(z.string()), text: z.string().min(1) }),
  judgment: z.object({ quality: z.number(), scores: z.array(z.object({ criterion: z.string(), score: z.number(), reason: z.string() })) }).nullable(),
  lineage: z.array(z.string()),
});

const ExportStepShape = z.object({ candidateId: z.string(), kind: z.string(), lensId: z.string(), text: z.string() });

export const ExportShape = z.object({
  exploration: z.string(),
  status: z.string(),
  label: z.string(),
  accepted: z.boolean(),
  result: ExportStepShape.nullable(),
  path: z.array(ExportStepShape),
  ledger: z.array(
    z.object({
      checkpointId: z.string().nullable(),
      reasons: z.array(ReasonShape),
      decision: z.object({ action: z.string(), candidateIds: z.array(z.string()), reason: z.string().nullable(), feedback: z.string().nullable() }).nullable(),
    }),
  ),
  spend: SpendShape,
  candidates: z.number(),
});

export const ListShape = z.object({
  explorations: z.array(z.object({ id: z.string(), status: z.string(), seed: z.number(), title: z.string() })),
});

export const LintShape = z.object({
  file: z.string(),
  findings: z.array(z.object({ code: z.string(), severity: z.enum(['error', 'warning', 'info']), message: z.string() })),
});

export const ReframeShape = z.object({
  briefId: z.string(),
  label: z.string(),
  framings: z.array(z.object({ lens: z.string(), question: z.string(), why: z.string() })),
});

export const AdoptShape = z.object({ adopted: z.string(), path: z.string(), version: z.number().int() });
