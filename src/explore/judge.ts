import { z } from 'zod';
import type { Brief } from '../brief/schema.js';
import { runCheck } from './checks.js';
import type { ParsedAnswer } from './structured.js';
import { parseJsonAnswer } from './structured.js';
import type { CriterionScore, FailedConstraint, Flag } from './types.js';

export type { ParsedAnswer } from './structured.js';
export { parseJsonAnswer } from './structured.js';

/**
 * The judge's verdict on one candidate: model scores for judged criteria and constraints,
 * code checks for the rest, combined into one quality. The model's answer is untrusted text:
 * it is parsed with a schema, and anything missing is treated as a failure to score, not as
 * a pass.
 */

const JudgeAnswerSchema = z.object({
  scores: z
    .array(
      z.object({
        criterion: z.string(),
        score: z.coerce.number().min(0).max(10),
        reason: z.string().default(''),
      }),
    )
    .default([]),
  constraints: z
    .array(z.object({ index: z.coerce.number().int(), pass: z.boolean(), reason: z.string().default('') }))
    .default([]),
  flags: z.array(z.object({ kind: z.enum(['sensitive', 'unclear']), reason: z.string().default('') })).default([]),
  critique: z.string().default(''),
});
export type JudgeAnswer = z.output<typeof JudgeAnswerSchema>;

export function parseJudgeAnswer(text: string): ParsedAnswer<JudgeAnswer> {
  return parseJsonAnswer(text, JudgeAnswerSchema);
}

export interface Verdict {
  scores: CriterionScore[];
  failed: FailedConstraint[];
  flags: Flag[];
  critique: string;
  quality: number;
}

/**
 * Combines the judge's answer (or `null` when the judge could not give a usable one) with the
 * code checks into a verdict. Code checks never depend on the model.
 */
export async function assembleVerdict(
  brief: Brief,
  text: string,
  answer: JudgeAnswer | null,
  context: { briefDir?: string },
): Promise<Verdict> {
  const flags: Flag[] = [...(answer?.flags ?? [])];
  const judgedScores = new Map((answer?.scores ?? []).map((s) => [s.criterion, s]));
  const scores: CriterionScore[] = [];
  for (const criterion of brief.criteria) {
    if (criterion.check) {
      const result = await runCheck(criterion.check, text, context);
      scores.push({ criterion: criterion.id, score: result.pass ? 10 : 0, reason: result.reason, by: 'check' });
      continue;
    }
    const judged = judgedScores.get(criterion.id);
    scores.push(
      judged
        ? { criterion: criterion.id, score: round1(judged.score), reason: judged.reason, by: 'judge' }
        : { criterion: criterion.id, score: 0, reason: answer ? 'the judge gave no score for this criterion' : 'the judge gave no usable answer', by: 'judge' },
    );
  }

  const failed: FailedConstraint[] = [];
  const judgedConstraints = new Map((answer?.constraints ?? []).map((c) => [c.index, c]));
  for (const [index, constraint] of brief.constraints.entries()) {
    if (constraint.kind === 'check') {
      const result = await runCheck(constraint.check, text, context);
      if (!result.pass) failed.push({ constraint: constraint.text, reason: result.reason });
      continue;
    }
    const judged = judgedConstraints.get(index);
    // An unchecked constraint is not failed outright; the missing verdict is flagged instead.
    if (judged && !judged.pass) failed.push({ constraint: constraint.text, reason: judged.reason || 'the judge found it broken' });
  }
  if (answer === null) flags.push({ kind: 'unclear', reason: 'the judge gave no usable answer for a candidate' });

  return { scores, failed, flags, critique: answer?.critique ?? '', quality: qualityOf(brief, scores, failed) };
}

/** Weighted mean of criterion scores on 0–1; 0 when any constraint failed. */
export function qualityOf(brief: Brief, scores: readonly CriterionScore[], failed: readonly FailedConstraint[]): number {
  if (failed.length > 0) return 0;
  const byId = new Map(scores.map((s) => [s.criterion, s.score]));
  let sum = 0;
  let weights = 0;
  for (const criterion of brief.criteria) {
    sum += criterion.weight * (byId.get(criterion.id) ?? 0);
    weights += criterion.weight;
  }
  return weights === 0 ? 0 : Math.round((sum / (10 * weights)) * 10_000) / 10_000;
}

/** The criteria furthest below their bar, weakest first: what a deepening should work on. */
export function weakestCriteria(brief: Brief, scores: readonly CriterionScore[], count = 2): string[] {
  const byId = new Map(scores.map((s) => [s.criterion, s.score]));
  return brief.criteria
    .map((c) => ({ id: c.id, gap: (10 - (byId.get(c.id) ?? 0)) * c.weight }))
    .filter((c) => c.gap > 0)
    .sort((a, b) => b.gap - a.gap)
    .slice(0, count)
    .map((c) => c.id);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
