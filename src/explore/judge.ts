import { z } from 'zod';
import type { Brief } from '../brief/schema.js';
import { runCheck } from './checks.js';
import { parseJsonAnswer } from './structured.js';
import type { CriterionScore, FailedConstraint, Flag } from './types.js';

export type { ParsedAnswer } from './structured.js';
export { parseJsonAnswer } from './structured.js';

/**
 * The judge's answer, read strictly. The model's answer is untrusted text: it is parsed with a
 * schema, and then every criterion of the brief is held to one rule — scored exactly once, with a
 * number from 0 to 10. A missing, duplicated, non-numeric (`""`, `null`, `true`, `"seven"`) or
 * out-of-range score is not coerced into one: it is a problem, stated back to the model on the
 * next ask, and a criterion no ask scored stays unscored (`score: null`) — never a silent 0.
 */

/** The answer's outer shape; what is inside each entry is judged per criterion below. */
const RawJudgeAnswerSchema = z.object({
  scores: z.array(z.unknown()).default([]),
  constraints: z.array(z.unknown()).default([]),
  flags: z.array(z.unknown()).default([]),
  critique: z.unknown().optional(),
});

const FlagSchema = z.object({ kind: z.enum(['sensitive', 'unclear']), reason: z.string().default('') });

export interface JudgedScore {
  score: number;
  reason: string;
}

/** One answer, read against the brief: what it validly said, and what was wrong with it. */
export interface JudgeReading {
  /** Valid scores by criterion id. */
  scores: Map<string, JudgedScore>;
  /** Why a criterion has no valid score in this answer, by criterion id. */
  invalid: Map<string, string>;
  /** Valid verdicts on judged constraints, by constraint index. */
  constraints: Map<number, { pass: boolean; reason: string }>;
  /** Judged constraints without a valid verdict, by index, with why. */
  unchecked: Map<number, string>;
  flags: Flag[];
  critique: string;
  /** Everything wrong, in words for the model: empty when the answer is fully usable. */
  problems: string[];
}

export type JudgeAnswerRead = { ok: true; reading: JudgeReading; repaired: boolean } | { ok: false; error: string };

const NUMERAL = /^\s*\d+(?:\.\d+)?\s*$/u;

/** A score as the model wrote it, or why it is not one. Only a number (or a numeral in a string) counts. */
export function scoreValue(raw: unknown): { ok: true; value: number } | { ok: false; why: string } {
  let value: number | undefined;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && NUMERAL.test(raw)) value = Number(raw);
  if (value === undefined || !Number.isFinite(value)) return { ok: false, why: `the score ${describe(raw)} is not a number` };
  if (value < 0 || value > 10) return { ok: false, why: `the score ${value} is outside 0–10` };
  return { ok: true, value };
}

function describe(raw: unknown): string {
  if (raw === undefined) return 'is missing and';
  const shown = JSON.stringify(raw) ?? String(raw);
  return shown.length > 40 ? `${shown.slice(0, 37)}…` : shown;
}

function passValue(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'pass') return true;
  if (raw === 'false' || raw === 'fail') return false;
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Reads a judge's answer against a brief.
 *
 * @example
 * readJudgeAnswer(brief, '{"scores":[{"criterion":"clear","score":""}]}')
 * // → { ok: true, reading: { invalid: Map { 'clear' => 'the score "" is not a number' }, problems: ['clear: the score "" is not a number'], … } }
 */
export function readJudgeAnswer(brief: Brief, answer: string): JudgeAnswerRead {
  const parsed = parseJsonAnswer(answer, RawJudgeAnswerSchema);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  const judged = brief.criteria.filter((c) => c.text !== undefined);
  const entries = new Map<string, Record<string, unknown>[]>();
  for (const item of raw.scores) {
    const entry = record(item);
    const id = entry ? text(entry.criterion) : '';
    if (entry && id !== '') entries.set(id, [...(entries.get(id) ?? []), entry]);
  }
  const scores = new Map<string, JudgedScore>();
  const invalid = new Map<string, string>();
  for (const criterion of judged) {
    const given = entries.get(criterion.id) ?? [];
    if (given.length === 0) invalid.set(criterion.id, 'no score was given');
    else if (given.length > 1) invalid.set(criterion.id, `it was scored ${given.length} times (${given.map((g) => describe(g.score)).join(', ')}); score it once`);
    else {
      const entry = given[0] as Record<string, unknown>;
      const value = scoreValue(entry.score);
      if (value.ok) scores.set(criterion.id, { score: Math.round(value.value * 10) / 10, reason: text(entry.reason) });
      else invalid.set(criterion.id, value.why);
    }
  }

  const verdicts = new Map<number, Record<string, unknown>[]>();
  for (const item of raw.constraints) {
    const entry = record(item);
    const index = entry ? Number(entry.index) : Number.NaN;
    if (entry && Number.isInteger(index)) verdicts.set(index, [...(verdicts.get(index) ?? []), entry]);
  }
  const constraints = new Map<number, { pass: boolean; reason: string }>();
  const unchecked = new Map<number, string>();
  for (const [index, constraint] of brief.constraints.entries()) {
    if (constraint.kind !== 'judged') continue;
    const given = verdicts.get(index) ?? [];
    if (given.length === 0) unchecked.set(index, 'no verdict was given');
    else if (given.length > 1) unchecked.set(index, `it was checked ${given.length} times; check it once`);
    else {
      const entry = given[0] as Record<string, unknown>;
      const pass = passValue(entry.pass);
      if (pass === undefined) unchecked.set(index, `"pass" is ${describe(entry.pass)}, not true or false`);
      else constraints.set(index, { pass, reason: text(entry.reason) });
    }
  }

  const flags: Flag[] = [];
  for (const item of raw.flags) {
    const flag = FlagSchema.safeParse(item);
    if (flag.success) flags.push(flag.data);
  }
  const problems = [
    ...[...invalid].map(([id, why]) => `criterion "${id}": ${why}`),
    ...[...unchecked].map(([index, why]) => `constraint ${index}: ${why}`),
  ];
  return { ok: true, repaired: parsed.repaired, reading: { scores, invalid, constraints, unchecked, flags, critique: text(raw.critique), problems } };
}

/** The answer's record quality: `valid` only when every criterion and constraint was validly answered. */
export function judgeAnswerQuality(read: JudgeAnswerRead): 'valid' | 'repaired' | 'invalid' {
  if (!read.ok || read.reading.problems.length > 0) return 'invalid';
  return read.repaired ? 'repaired' : 'valid';
}

/**
 * The readings of all asks of one juror, merged: for each criterion the latest valid score of
 * any ask, and for the rest why the last ask could not score it. Flags and critique come from the
 * last ask that could be read. `asks` is how many answers were read (for the reason given).
 */
export function mergeReadings(reads: readonly JudgeAnswerRead[]): { reading: JudgeReading | null; lastError: string | null } {
  const readable = reads.flatMap((r) => (r.ok ? [r.reading] : []));
  const last = reads.at(-1);
  const lastError = last && !last.ok ? last.error : null;
  if (readable.length === 0) return { reading: null, lastError };
  const merged: JudgeReading = { ...(readable.at(-1) as JudgeReading) };
  merged.scores = new Map();
  merged.constraints = new Map();
  merged.invalid = new Map();
  merged.unchecked = new Map();
  for (const reading of readable) {
    for (const [id, score] of reading.scores) merged.scores.set(id, score);
    for (const [index, verdict] of reading.constraints) merged.constraints.set(index, verdict);
    for (const [id, why] of reading.invalid) merged.invalid.set(id, why);
    for (const [index, why] of reading.unchecked) merged.unchecked.set(index, why);
  }
  for (const id of merged.scores.keys()) merged.invalid.delete(id);
  for (const index of merged.constraints.keys()) merged.unchecked.delete(index);
  merged.problems = [...[...merged.invalid].map(([id, why]) => `criterion "${id}": ${why}`), ...[...merged.unchecked].map(([i, why]) => `constraint ${i}: ${why}`)];
  return { reading: merged, lastError };
}

/** What the jury (one juror or several) said about one candidate, ready for the code checks. */
export interface JuryFinding {
  /** Per judged criterion: the score (median of the jurors who gave a valid one), or null with why not. */
  scores: Map<string, { score: number | null; reason: string; jurors?: CriterionScore['jurors'] }>;
  /** Per judged constraint index: failed (with why), passed, or unchecked (with why). */
  constraints: Map<number, { pass: boolean | null; reason: string }>;
  flags: Flag[];
  critique: string;
}

export interface Verdict {
  scores: CriterionScore[];
  failed: FailedConstraint[];
  flags: Flag[];
  critique: string;
  quality: number;
}

/**
 * Combines what the jury found with the code checks into a verdict. Code checks never depend on
 * the model. A criterion no juror scored is unscored, and the candidate is flagged `unclear` with
 * the reason; an unchecked judged constraint is not failed outright, it is flagged the same way.
 */
export async function assembleVerdict(brief: Brief, candidateText: string, finding: JuryFinding, context: { briefDir?: string }): Promise<Verdict> {
  const flags: Flag[] = [...finding.flags];
  const scores: CriterionScore[] = [];
  for (const criterion of brief.criteria) {
    if (criterion.check) {
      const result = await runCheck(criterion.check, candidateText, context);
      scores.push({ criterion: criterion.id, score: result.pass ? 10 : 0, reason: result.reason, by: 'check' });
      continue;
    }
    const found = finding.scores.get(criterion.id) ?? { score: null, reason: 'not scored: the judge gave no valid score' };
    const score: CriterionScore = { criterion: criterion.id, score: found.score, reason: found.reason, by: 'judge' };
    if (found.jurors) score.jurors = found.jurors;
    scores.push(score);
    if (found.score === null) flags.push({ kind: 'unclear', reason: `the judge gave no valid score for "${criterion.id}", so it is not scored` });
  }

  const failed: FailedConstraint[] = [];
  for (const [index, constraint] of brief.constraints.entries()) {
    if (constraint.kind === 'check') {
      const result = await runCheck(constraint.check, candidateText, context);
      if (!result.pass) failed.push({ constraint: constraint.text, reason: result.reason });
      continue;
    }
    const verdict = finding.constraints.get(index);
    if (verdict?.pass === false) failed.push({ constraint: constraint.text, reason: verdict.reason || 'the judge found it broken' });
    if (verdict === undefined || verdict.pass === null) {
      flags.push({ kind: 'unclear', reason: `the judge gave no valid verdict on the constraint “${constraint.text}”` });
    }
  }
  return { scores, failed, flags: dedupeFlags(flags), critique: finding.critique, quality: qualityOf(brief, scores, failed) };
}

function dedupeFlags(flags: readonly Flag[]): Flag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = `${f.kind}\u0000${f.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Weighted mean of the scored criteria on 0–1; 0 when any constraint failed. An unscored
 * criterion is left out of the mean (its weight too): the quality is what the scored criteria
 * say, not a guess — the candidate is flagged `unclear` and cannot meet the criteria, since a
 * criterion not scored is not met. With nothing scored at all the quality is 0.
 */
export function qualityOf(brief: Brief, scores: readonly CriterionScore[], failed: readonly FailedConstraint[]): number {
  if (failed.length > 0) return 0;
  const byId = new Map(scores.map((s) => [s.criterion, s.score]));
  let sum = 0;
  let weights = 0;
  for (const criterion of brief.criteria) {
    const score = byId.get(criterion.id);
    if (score === null) continue;
    sum += criterion.weight * (score ?? 0);
    weights += criterion.weight;
  }
  return weights === 0 ? 0 : Math.round((sum / (10 * weights)) * 10_000) / 10_000;
}

/** The criteria furthest below their bar, weakest first: what a deepening should work on (unscored ones are not known to be weak). */
export function weakestCriteria(brief: Brief, scores: readonly CriterionScore[], count = 2): string[] {
  const byId = new Map(scores.map((s) => [s.criterion, s.score]));
  return brief.criteria
    .filter((c) => byId.get(c.id) !== null)
    .map((c) => ({ id: c.id, gap: (10 - (byId.get(c.id) ?? 0)) * c.weight }))
    .filter((c) => c.gap > 0)
    .sort((a, b) => b.gap - a.gap)
    .slice(0, count)
    .map((c) => c.id);
}
