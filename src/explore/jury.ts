import type { Brief } from '../brief/schema.js';
import type { ModelPort, ModelTask } from '../models/port.js';
import type { AnswerCheck } from '../store/store.js';
import type { JudgeAnswerRead, JudgeReading, JuryFinding } from './judge.js';
import { judgeAnswerQuality, mergeReadings, readJudgeAnswer } from './judge.js';
import type { Flag, JurorScore } from './types.js';

/**
 * The jury: one or several judge models score each candidate. Each juror is asked until its answer
 * is fully valid, at most `JUDGE_ASKS` times; a re-ask states what was wrong and carries another
 * seed, so it is a different request (a deterministic provider would otherwise answer the same).
 * Each criterion's score is the median of the jurors' valid scores; jurors further apart than the
 * brief's `jury_spread` flag the candidate `unclear` — a question for the person, not noise to
 * average away. Every ask is a recorded, budgeted call like any other.
 */

/** How many times a juror is asked for a usable answer. */
export const JUDGE_ASKS = 3;

/** Points (0–10) by which jurors may differ on a criterion before the candidate is flagged `unclear`. */
export const DEFAULT_JURY_SPREAD = 3;

/** Makes one recorded call; `check` records the answer's quality with the call. */
export type AskJudge = (key: string, port: ModelPort, task: ModelTask, seed: number, check: (text: string) => AnswerCheck) => Promise<{ output: string; key: string }>;

export interface JuryInput {
  brief: Brief;
  /** The brief version's id: a redirect judges again under new keys. */
  briefId: string;
  candidateId: string;
  text: string;
  jury: readonly ModelPort[];
  /** The exploration's seed; each ask after the first gets a seed of its own. */
  seed: number;
  spread?: number;
  ask: AskJudge;
}

/** The seed of ask `attempt` (1-based): the first is the exploration's, so earlier records are reused. */
export function askSeed(seed: number, attempt: number): number {
  if (attempt <= 1) return seed;
  return ((seed + 7919 * (attempt - 1)) % 2_147_483_646) + 1;
}

/** Recorded-call keys: juror 1 keeps the single judge's keys; `:retry`, `:retry2` for the re-asks. */
export function judgeKey(candidateId: string, briefId: string, juror: number, attempt: number): string {
  const base = `${candidateId}:judge:${briefId}${juror === 0 ? '' : `:j${juror + 1}`}`;
  return attempt <= 1 ? base : attempt === 2 ? `${base}:retry` : `${base}:retry${attempt - 1}`;
}

interface JurorResult {
  judge: string;
  reading: JudgeReading | null;
  /** Why nothing could be read, when nothing could. */
  lastError: string | null;
  asks: number;
  keys: string[];
}

async function hearJuror(input: JuryInput, juror: number): Promise<JurorResult> {
  const port = input.jury[juror] as ModelPort;
  const reads: JudgeAnswerRead[] = [];
  const keys: string[] = [];
  // The answer is read once: the check recorded with the call keeps its reading.
  let seen: { text: string; read: JudgeAnswerRead } | undefined;
  const check = (answer: string): AnswerCheck => {
    seen = { text: answer, read: readJudgeAnswer(input.brief, answer) };
    return judgeAnswerQuality(seen.read);
  };
  for (let attempt = 1; attempt <= JUDGE_ASKS; attempt += 1) {
    const previous = reads.at(-1);
    const problems = previous === undefined ? [] : previous.ok ? mergeReadings(reads).reading?.problems ?? [] : [`it was not the JSON asked for (${previous.error})`];
    const task: ModelTask = {
      kind: 'judge',
      brief: input.brief,
      candidate: { text: input.text },
      ...(attempt > 1 ? { retry: { attempt, problems } } : {}),
    };
    seen = undefined;
    const answered = await input.ask(judgeKey(input.candidateId, input.briefId, juror, attempt), port, task, askSeed(input.seed, attempt), check);
    keys.push(answered.key);
    // A reused answer (after a crash) was never checked in this process: read it here.
    const read = seen !== undefined && (seen as { text: string }).text === answered.output ? (seen as { read: JudgeAnswerRead }).read : readJudgeAnswer(input.brief, answered.output);
    reads.push(read);
    const merged = mergeReadings(reads).reading;
    if (merged !== null && merged.problems.length === 0) break;
  }
  const { reading, lastError } = mergeReadings(reads);
  return { judge: port.info.id, reading, lastError, asks: reads.length, keys };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(value * 10) / 10;
}

/** Why a juror gave no valid score for a criterion, in words for the person. */
function whyNot(result: JurorResult, criterion: string): string {
  const why = result.reading?.invalid.get(criterion) ?? (result.lastError !== null ? `no usable answer (${result.lastError})` : 'no score was given');
  return `${why}, after ${result.asks} ${result.asks === 1 ? 'ask' : 'asks'}`;
}

/** The jury's finding from each juror's merged reading. Pure; exported for tests. */
export function combineJurors(brief: Brief, results: readonly JurorResult[], spread = DEFAULT_JURY_SPREAD): JuryFinding {
  const many = results.length > 1;
  const scores: JuryFinding['scores'] = new Map();
  const flags: Flag[] = [];
  for (const criterion of brief.criteria) {
    if (criterion.text === undefined) continue;
    const jurors: JurorScore[] = results.map((r) => {
      const given = r.reading?.scores.get(criterion.id);
      return given ? { judge: r.judge, score: given.score, reason: given.reason } : { judge: r.judge, score: null, reason: `not scored: ${whyNot(r, criterion.id)}` };
    });
    const valid = jurors.filter((j): j is JurorScore & { score: number } => j.score !== null);
    if (valid.length === 0) {
      const reason = many ? `not scored: no juror gave a valid score (${jurors.map((j) => `${j.judge}: ${j.reason.replace(/^not scored: /u, '')}`).join('; ')})` : (jurors[0]?.reason ?? 'not scored');
      scores.set(criterion.id, { score: null, reason, ...(many ? { jurors } : {}) });
      continue;
    }
    const score = median(valid.map((j) => j.score));
    // The reason of the juror nearest the median speaks for the score; every juror's is kept.
    const nearest = [...valid].sort((a, b) => Math.abs(a.score - score) - Math.abs(b.score - score))[0] as JurorScore;
    scores.set(criterion.id, { score, reason: nearest.reason, ...(many ? { jurors } : {}) });
    const values = valid.map((j) => j.score);
    if (valid.length > 1 && Math.max(...values) - Math.min(...values) > spread) {
      flags.push({ kind: 'unclear', reason: `the jurors disagree on "${criterion.id}" by more than ${spread} points` });
    }
  }

  const constraints: JuryFinding['constraints'] = new Map();
  for (const [index, constraint] of brief.constraints.entries()) {
    if (constraint.kind !== 'judged') continue;
    const verdicts = results.flatMap((r) => {
      const v = r.reading?.constraints.get(index);
      return v ? [{ judge: r.judge, ...v }] : [];
    });
    if (verdicts.length === 0) {
      constraints.set(index, { pass: null, reason: 'no juror gave a valid verdict' });
      continue;
    }
    // A hard limit: broken when at least half of the jurors who answered say so.
    const fails = verdicts.filter((v) => !v.pass);
    const pass = fails.length * 2 < verdicts.length;
    const speaker = (pass ? verdicts.find((v) => v.pass) : fails[0]) as (typeof verdicts)[number];
    constraints.set(index, { pass, reason: many && !pass ? `${fails.length} of ${verdicts.length} jurors: ${speaker.reason}` : speaker.reason });
  }

  for (const r of results) for (const f of r.reading?.flags ?? []) flags.push(f);
  const critiques = results.filter((r) => (r.reading?.critique ?? '') !== '');
  const critique = many ? critiques.map((r) => `${r.judge}: ${r.reading?.critique ?? ''}`).join('\n') : (critiques[0]?.reading?.critique ?? '');
  return { scores, constraints, flags, critique };
}

/**
 * Hears every juror (in parallel) and combines what they said. Each juror's calls are keyed so
 * that a resumed exploration reuses every answer already paid for.
 *
 * @example
 * const { finding, keys } = await consultJury({ brief, briefId, candidateId, text, jury: [a, b], seed: 7, ask });
 */
export async function consultJury(input: JuryInput): Promise<{ finding: JuryFinding; keys: string[]; judge: string }> {
  const settled = await Promise.allSettled(input.jury.map((_, juror) => hearJuror(input, juror)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<JurorResult>).value);
  return {
    finding: combineJurors(input.brief, results, input.spread ?? DEFAULT_JURY_SPREAD),
    keys: results.flatMap((r) => r.keys),
    judge: results.map((r) => r.judge).join(', '),
  };
}

/** The finding of one judge from one answer, with no re-ask: for benchmarks and tests that judge outside the engine. */
export function findingFromAnswer(brief: Brief, judge: string, answer: string): JuryFinding {
  const read = readJudgeAnswer(brief, answer);
  return combineJurors(brief, [{ judge, reading: read.ok ? read.reading : null, lastError: read.ok ? null : read.error, asks: 1, keys: [] }]);
}
