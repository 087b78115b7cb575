import { parseBrief } from '../brief/parse.js';
import type { Brief } from '../brief/schema.js';
import type { ModelPort, ModelTask } from '../models/port.js';
import { answerSchemaFor } from './answer-schemas.js';
import { readJudgeAnswer } from './judge.js';
import { messagesFor } from './prompts.js';
import { parseJsonAnswer } from './structured.js';
import { z } from 'zod';

/**
 * A judge's biases, measured on a small built-in set. Length bias: each text is judged as it is
 * and padded with words that add nothing (the same text, longer); a judge that scores the padded
 * text higher rewards length. Position bias: each pair of texts is compared in both orders; a
 * judge that picks whichever comes first (or second) decides by position. 6 judge calls and 6
 * comparisons: 12 calls, made directly (not part of any exploration).
 */

const BIAS_BRIEF = `---
question: How should a small team cut the time its continuous-integration pipeline spends on flaky test reruns?
criteria:
  - id: specific
    text: Each step names a concrete action and who takes it.
  - id: measurable
    text: The plan says which number in the pipeline's own data shows it worked.
model: rehearsal
---
`;

/** Three plans of different quality, short enough to pad. */
const TEXTS = [
  '1. Quarantine any test that fails and then passes on rerun within a day; the on-call engineer files it.\n2. Track reruns per test weekly; the lead reviews the top ten.\n3. Success: reruns per build drop by half within a quarter.',
  '1. Look at the flaky tests.\n2. Fix the worst ones when there is time.\n3. Keep an eye on the pipeline.',
  '1. Each Monday the platform engineer lists tests with more than two reruns last week.\n2. Owners fix or delete their tests within the sprint.\n3. We watch the weekly rerun count on the dashboard.',
];

const PADDING =
  'It is worth noting, in general terms and broadly speaking, that the considerations above are important considerations to consider. As has been said, and as bears repeating, the points made here are points that matter, and it goes without saying that they should be taken into account when taking things into account.';

export function padded(text: string): string {
  return `${text}\n\n${PADDING}\n\n${PADDING}`;
}

export interface JudgeBiasReport {
  judge: string;
  /** Mean change of the mean criterion score (0–10) when a text is padded; null when no pair could be scored. */
  lengthShift: number | null;
  lengthPairs: number;
  /** Comparisons answered, and how many chose the text shown first. */
  comparisons: number;
  firstChosen: number;
  /** Pairs whose two orders chose the same text (consistent), of the pairs answered in both orders. */
  consistentPairs: number;
  pairs: number;
  calls: number;
  /** Plain words for a person. */
  length: string;
  position: string;
}

const CompareSchema = z.object({ winner: z.enum(['first', 'second', 'tie']) });

async function ask(port: ModelPort, task: ModelTask, seed: number, signal?: AbortSignal): Promise<string | null> {
  const schema = answerSchemaFor(task);
  try {
    const response = await port.complete({ task, messages: messagesFor(task), seed, ...(schema ? { schema } : {}), ...(signal ? { signal } : {}) });
    return response.text;
  } catch {
    return null;
  }
}

function meanScore(brief: Brief, answer: string | null): number | null {
  if (answer === null) return null;
  const read = readJudgeAnswer(brief, answer);
  if (!read.ok || read.reading.scores.size === 0) return null;
  const values = [...read.reading.scores.values()].map((s) => s.score);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Measures a judge's length and position bias on the built-in set.
 *
 * @example
 * const report = await measureJudgeBias(resolveModel('openai:gpt-4o-mini', { seed: 1 }));
 * console.log(report.length, report.position);
 */
export async function measureJudgeBias(port: ModelPort, options: { seed?: number; signal?: AbortSignal } = {}): Promise<JudgeBiasReport> {
  const brief = parseBrief(BIAS_BRIEF);
  const seed = options.seed ?? 1;
  let calls = 0;
  const shifts: number[] = [];
  for (const text of TEXTS) {
    const plain = meanScore(brief, await ask(port, { kind: 'judge', brief, candidate: { text } }, seed, options.signal));
    const long = meanScore(brief, await ask(port, { kind: 'judge', brief, candidate: { text: padded(text) } }, seed, options.signal));
    calls += 2;
    if (plain !== null && long !== null) shifts.push(long - plain);
  }
  let comparisons = 0;
  let firstChosen = 0;
  let consistentPairs = 0;
  let pairs = 0;
  for (let i = 0; i < TEXTS.length; i += 1) {
    for (let j = i + 1; j < TEXTS.length; j += 1) {
      const winners: Array<'first' | 'second' | 'tie' | null> = [];
      for (const [a, b] of [[i, j], [j, i]] as const) {
        const answer = await ask(port, { kind: 'compare', brief, first: { text: TEXTS[a] as string }, second: { text: TEXTS[b] as string } }, seed, options.signal);
        calls += 1;
        const parsed = answer === null ? null : parseJsonAnswer(answer, CompareSchema);
        const winner = parsed?.ok ? parsed.value.winner : null;
        winners.push(winner);
        if (winner === 'first' || winner === 'second') {
          comparisons += 1;
          if (winner === 'first') firstChosen += 1;
        }
      }
      const [forward, backward] = winners;
      if (forward && backward && forward !== 'tie' && backward !== 'tie') {
        pairs += 1;
        // Consistent: the same text won in both orders, so the positions differed.
        if (forward !== backward) consistentPairs += 1;
      }
    }
  }
  const lengthShift = shifts.length === 0 ? null : Math.round((shifts.reduce((a, b) => a + b, 0) / shifts.length) * 100) / 100;
  return {
    judge: port.info.id,
    lengthShift,
    lengthPairs: shifts.length,
    comparisons,
    firstChosen,
    consistentPairs,
    pairs,
    calls,
    length: lengthWords(lengthShift, shifts.length),
    position: positionWords(comparisons, firstChosen, consistentPairs, pairs),
  };
}

function lengthWords(shift: number | null, pairs: number): string {
  if (shift === null) return 'Length bias not measured: the judge gave no usable scores.';
  const points = `${Math.abs(shift).toFixed(1)} ${Math.abs(shift) === 1 ? 'point' : 'points'}`;
  if (shift >= 0.5) return `Length bias: padding a text with empty words raised its score by ${points} on average (0–10, ${pairs} texts). This judge rewards length.`;
  if (shift <= -0.5) return `Length bias: padding a text with empty words lowered its score by ${points} on average (${pairs} texts). This judge penalizes length.`;
  return `No measurable length bias: padding a text with empty words moved its score by ${points} on average (${pairs} texts).`;
}

function positionWords(comparisons: number, first: number, consistent: number, pairs: number): string {
  if (comparisons === 0) return 'Position bias not measured: the judge gave no usable comparisons.';
  const share = first / comparisons;
  const which = share >= 0.75 ? 'first' : share <= 0.25 ? 'second' : null;
  const tally = `it chose the text shown first in ${first} of ${comparisons} comparisons, and the same text in both orders for ${consistent} of ${pairs} pairs.`;
  if (which) return `Position bias: ${tally} This judge favours the text it reads ${which}; Baton's pairwise rank asks both orders to cancel it.`;
  return `No strong position bias: ${tally}`;
}
