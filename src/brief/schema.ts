import { z } from 'zod';

/**
 * The brief: what the person decides. One zod schema is the source of truth for parsing,
 * for the TypeScript types, and for the published JSON Schema (`schema/brief.schema.json`).
 */

/**
 * Bounds on what one brief may hold. Every cost of a brief (lint, prompts, checks) grows with
 * these, so each is capped with a located error rather than left to hang a run or a server.
 * Generous for people; a brief past them is almost certainly generated or a mistake.
 */
export const BRIEF_LIMITS = {
  /** Characters of `question` and of `intent`. */
  questionChars: 10_000,
  /** Characters of one criterion, constraint or lens text. */
  textChars: 2_000,
  /** Characters of the Markdown context after the front matter. */
  contextChars: 100_000,
  criteria: 100,
  constraints: 100,
  lenses: 50,
  /** Entries of one `must_include` / `must_not_include` list, and characters of each. */
  listItems: 100,
  listItemChars: 500,
  /** Characters of a `regex` check's pattern. */
  regexChars: 1_000,
  /** Characters of a `json_schema` or `module` path. */
  pathChars: 1_000,
} as const;

const wordCount = z.number().int().nonnegative();
const listItem = z.string().min(1).max(BRIEF_LIMITS.listItemChars);
const stringOrList = z.union([listItem, z.array(listItem).min(1).max(BRIEF_LIMITS.listItems)]);
const text = (max: number = BRIEF_LIMITS.textChars) => z.string().min(1).max(max);

/** A check run by code, never by a model. Exactly one kind per check object. */
export const CodeCheckSchema = z
  .object({
    min_words: wordCount.optional().describe('At least this many words.'),
    max_words: wordCount.optional().describe('At most this many words.'),
    must_include: stringOrList.optional().describe('Text (case-insensitive) that must appear.'),
    must_not_include: stringOrList.optional().describe('Text (case-insensitive) that must not appear.'),
    regex: z.string().min(1).max(BRIEF_LIMITS.regexChars).optional().describe('A JavaScript regular expression the text must match.'),
    regex_flags: z.string().regex(/^[dgimsuvy]*$/).optional().describe('Flags for `regex`.'),
    json_schema: z
      .union([z.record(z.string(), z.unknown()), z.string().min(1).max(BRIEF_LIMITS.pathChars)])
      .optional()
      .describe('The text must be JSON valid against this schema (inline, or a path to a .json file).'),
    module: z
      .string()
      .min(1)
      .max(BRIEF_LIMITS.pathChars)
      .optional()
      .describe('Path (relative to the brief) to a JS module exporting `check(text) => boolean | {pass, reason}`.'),
  })
  .strict()
  .refine(
    (check) =>
      ['min_words', 'max_words', 'must_include', 'must_not_include', 'regex', 'json_schema', 'module'].some(
        (key) => check[key as keyof typeof check] !== undefined,
      ),
    { message: 'a check needs at least one of min_words, max_words, must_include, must_not_include, regex, json_schema, module' },
  );
export type CodeCheck = z.infer<typeof CodeCheckSchema>;

export const CriterionSchema = z.union([
  text().describe('A judged criterion with weight 1.'),
  z
    .object({
      id: z
        .string()
        .max(100)
        .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes')
        .optional()
        .describe('A short stable name; derived from the text when absent.'),
      text: text().optional().describe('What success means, judged by a model 0–10.'),
      check: CodeCheckSchema.optional().describe('A check run by code: scores 10 when it passes, 0 when not.'),
      weight: z.number().positive().max(100).default(1).describe('Relative weight of this criterion.'),
      min: z.number().min(0).max(10).default(7).describe('The score at which this criterion counts as met.'),
    })
    .strict()
    .refine((c) => (c.text === undefined) !== (c.check === undefined), {
      message: 'a criterion has either `text` (judged) or `check` (code), not both and not neither',
    }),
]);

export const ConstraintSchema = z.union([
  text().describe('A hard limit judged pass/fail by the model.'),
  CodeCheckSchema.describe('A hard limit checked by code.'),
]);

export const LensSpecSchema = z.union([
  text().describe('A built-in lens id, or the text of a custom lens.'),
  z
    .object({
      id: z.string().max(100).regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
      text: text().describe('The instruction that pushes exploration somewhere specific.'),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);

export const BudgetSchema = z
  .object({
    calls: z.number().int().positive().optional().describe('Maximum model calls (writer and judge).'),
    tokens: z.number().int().positive().optional().describe('Maximum tokens, input and output.'),
    usd: z.number().positive().optional().describe('Maximum spend in US dollars.'),
  })
  .strict();

const ModelIdSchema = z
  .string()
  .max(200)
  .regex(/^[a-z][a-z0-9-]*(:[^,]+)?$/, 'a model id is `provider:model`, e.g. `rehearsal` or `openai:gpt-4o-mini` (several judges go in a list)');

export const BriefFrontMatterSchema = z
  .object({
    intent: z.string().trim().min(1).max(BRIEF_LIMITS.questionChars).optional().describe('Why this matters, and for whom.'),
    question: z.string().trim().min(1, 'the question is empty').max(BRIEF_LIMITS.questionChars).describe('What this should become, and why.'),
    constraints: z.array(ConstraintSchema).max(BRIEF_LIMITS.constraints).default([]).describe('Hard limits; a candidate that fails one scores 0.'),
    criteria: z.array(CriterionSchema).min(1, 'at least one criterion is needed').max(BRIEF_LIMITS.criteria).describe('What success means.'),
    lenses: z
      .union([z.literal('auto'), z.array(LensSpecSchema).min(1).max(BRIEF_LIMITS.lenses)])
      .default('auto')
      .describe('Framings to explore through; `auto` lets Baton choose.'),
    budget: BudgetSchema.default({}).describe('Limits on spend; enforced before each call.'),
    attention: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(5)
      .describe('How many checkpoints the person is willing to see.'),
    model: ModelIdSchema.default('rehearsal').describe('The model that writes candidates.'),
    judge: z
      .union([ModelIdSchema, z.array(ModelIdSchema).min(1).max(7)])
      .optional()
      .describe(
        'The model that judges candidates (default: `model`), or a list of models — a jury: each criterion gets the median of their scores, and jurors who disagree flag the candidate `unclear`. Each juror is a call per candidate.',
      ),
    jury_spread: z
      .number()
      .min(0)
      .max(10)
      .optional()
      .describe(`Points (0–10) by which a jury's scores on a criterion may differ before the candidate is flagged \`unclear\` (default 3).`),
    pairwise: z
      .boolean()
      .default(false)
      .describe(
        "Rank the board's contenders (the best and each direction's best, up to 4) by comparing them in pairs, both orders, at each checkpoint: 2 judge calls per new pair, never asked twice.",
      ),
    pilot: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Open this many candidates, judge them, and stop with a `pilot` checkpoint showing how each criterion scored and why, before the rest of the budget is spent.'),
  })
  .strict();

export type BriefFrontMatter = z.input<typeof BriefFrontMatterSchema>;
export type ParsedFrontMatter = z.output<typeof BriefFrontMatterSchema>;

/** A criterion after normalisation: every field filled in, an id always present. */
export interface Criterion {
  id: string;
  text?: string;
  check?: CodeCheck;
  weight: number;
  min: number;
}

export type Constraint = { kind: 'judged'; text: string } | { kind: 'check'; check: CodeCheck; text: string };

export interface Lens {
  id: string;
  name: string;
  text: string;
  builtin: boolean;
}

export interface Budget {
  calls?: number;
  tokens?: number;
  usd?: number;
}

/** A brief ready for exploration: validated, normalised, with its Markdown body as context. */
export interface Brief {
  intent?: string;
  question: string;
  constraints: Constraint[];
  criteria: Criterion[];
  /** `auto` until an exploration chooses; then the resolved list. */
  lenses: 'auto' | Lens[];
  budget: Budget;
  attention: number;
  model: string;
  /** The judge's model id; a jury's ids joined with `, ` (see `juryOf`). */
  judge: string;
  /** Points by which a jury may differ on a criterion before it is flagged `unclear`. */
  jurySpread?: number;
  /** Candidates to open and judge before a `pilot` checkpoint. */
  pilot?: number;
  /** Rank the board's contenders pairwise at each checkpoint. */
  pairwise?: boolean;
  context: string;
}

/**
 * The models of a judge field: one id, or a jury's ids joined with `, ` (model ids hold no comma).
 *
 * @example
 * juryOf('openai:gpt-4o-mini, anthropic:claude-haiku-4-5'); // → ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5']
 */
export function juryOf(judge: string): string[] {
  return judge
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}
