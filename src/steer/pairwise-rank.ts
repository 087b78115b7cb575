import { z } from 'zod';
import type { ExplorationEngine } from '../explore/engine.js';
import { BudgetStop, keyedCall } from '../explore/calls.js';
import type { Comparison } from '../explore/pairwise.js';
import { fitBradleyTerry } from '../explore/pairwise.js';
import { answerQuality, parseJsonAnswer } from '../explore/structured.js';
import type { ModelTask } from '../models/port.js';
import type { Board, PairwiseRanking } from './types.js';

/**
 * Pairwise rank at the top of the board. Absolute scores from a model judge are compressed and
 * biased (towards longer texts, towards what it reads first); asking "which is better?" of two
 * contenders, in both orders so that position bias cancels, and fitting Bradley–Terry to the
 * answers gives a second opinion the board shows beside the rubric's rank.
 *
 * When: at each checkpoint Baton raises (never for a board only looked at), for a brief with
 * `pairwise: true`. Who: the board's best and each direction's best, up to `MAX_CONTENDERS`,
 * compared by the lead judge (the jury's first model). Cost: two recorded, budgeted judge calls
 * per pair never compared before — a pair's answers are kept with its calls (keyed by the two
 * candidates, the order and the brief version), so a pair is never judged twice, across
 * checkpoints and across a resume. A call the budget refuses ends the comparing; the rank is
 * fitted on what was answered.
 */

export const MAX_CONTENDERS = 4;

const CompareAnswerSchema = z.object({ winner: z.enum(['first', 'second', 'tie']), reason: z.string().default('') });

/** The board's contenders, best first by the rubric: the best and each direction's best. */
export function contendersOf(board: Board): string[] {
  return board.cards
    .filter((c) => c.roles.includes('best') || c.roles.includes('direction'))
    .filter((c) => c.failed.length === 0)
    .sort((a, b) => b.quality - a.quality)
    .slice(0, MAX_CONTENDERS)
    .map((c) => c.candidateId);
}

export function pairKey(explorationId: string, briefId: string, first: string, second: string): string {
  return `${explorationId}:pair:${briefId}:${first}>${second}`;
}

/**
 * Compares the board's contenders in pairs and ranks them; undefined when fewer than two.
 *
 * @example
 * board.pairwise = await rankPairwise(engine, board);
 */
export async function rankPairwise(engine: ExplorationEngine, board: Board): Promise<PairwiseRanking | undefined> {
  const ids = contendersOf(board);
  if (ids.length < 2) return undefined;
  const { state } = engine;
  const brief = engine.brief;
  const judge = engine.deps.jury?.[0] ?? engine.deps.judge;
  const outcomes: Comparison[] = [];
  let asked = 0;
  let reused = 0;
  let orderFlips = 0;
  let refused = 0;
  const ask = async (first: string, second: string): Promise<'first' | 'second' | 'tie' | null> => {
    const key = pairKey(state.id, brief.id, first, second);
    const known = await engine.deps.store.getCall(key);
    const task: ModelTask = {
      kind: 'compare',
      brief: brief.brief,
      first: { text: state.nodes.get(first)?.candidate.text ?? '' },
      second: { text: state.nodes.get(second)?.candidate.text ?? '' },
    };
    const { output } = await keyedCall({
      store: engine.deps.store,
      key,
      explorationId: state.id,
      purpose: 'judge',
      port: judge,
      task,
      seed: state.seed,
      budget: engine.budgetGuard(),
      check: (text) => answerQuality(parseJsonAnswer(text, CompareAnswerSchema)),
    });
    if (known?.status === 'done') reused += 1;
    else asked += 1;
    const parsed = parseJsonAnswer(output, CompareAnswerSchema);
    return parsed.ok ? parsed.value.winner : null;
  };
  try {
    for (let i = 0; i < ids.length; i += 1) {
      for (let j = i + 1; j < ids.length; j += 1) {
        const a = ids[i] as string;
        const b = ids[j] as string;
        const forward = await ask(a, b);
        const backward = await ask(b, a);
        if (forward !== null) outcomes.push({ a: i, b: j, outcome: forward === 'first' ? 1 : forward === 'second' ? 0 : 0.5 });
        if (backward !== null) outcomes.push({ a: j, b: i, outcome: backward === 'first' ? 1 : backward === 'second' ? 0 : 0.5 });
        // The same position won both times: the judge followed the order, not the texts.
        if (forward !== null && forward !== 'tie' && forward === backward) orderFlips += 1;
      }
    }
  } catch (error) {
    if (!(error instanceof BudgetStop)) throw error;
    refused += 1;
  }
  if (outcomes.length === 0) return undefined;
  const fit = fitBradleyTerry(ids.length, outcomes);
  const ranking = ids
    .map((candidateId, index) => ({
      candidateId,
      strength: Math.round((fit.strengths[index] as number) * 1000) / 1000,
      wins: fit.wins[index] as number,
      comparisons: fit.comparisons[index] as number,
      rubricRank: index + 1,
    }))
    .sort((a, b) => b.strength - a.strength || a.rubricRank - b.rubricRank);
  const top = ranking[0] as (typeof ranking)[number];
  const disagrees = top.candidateId !== ids[0];
  const parts = [
    disagrees
      ? `The pairwise rank puts ${top.candidateId} first, the rubric ${ids[0] as string}: they disagree — compare them yourself.`
      : `The pairwise rank agrees that ${top.candidateId} is the best.`,
  ];
  if (orderFlips > 0) parts.push(`In ${orderFlips} of the pairs the judge chose by position (the same place won in both orders); those pairs count as a tie.`);
  if (refused > 0) parts.push('The budget stopped the comparing: the rank rests on fewer pairs.');
  return { ranking, asked, reused, orderFlips, disagrees, note: parts.join(' ') };
}
