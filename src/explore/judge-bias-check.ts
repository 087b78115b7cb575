import { BatonError } from '../errors.js';
import { costOf, estimateCall } from '../models/budget.js';
import type { ModelPort, ModelRequest, ModelResponse } from '../models/port.js';
import type { JudgeBiasReport } from './judge-bias.js';
import { measureJudgeBias } from './judge-bias.js';

/**
 * The judge bias check as something a server can offer: its worst-case cost known before any call
 * (the same requests, rehearsed without a model), a dollar cap it never passes, and what it spent.
 */

export interface JudgeBiasEstimate {
  judge: string;
  rehearsal: boolean;
  calls: number;
  /** The most the calls can cost: every prompt counted at its bound, every output token allowed. */
  worstCaseUsd: number;
}

export interface JudgeBiasSpend {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
  /** True when a provider gave no usage and tokens were estimated from the text. */
  estimated: boolean;
}

export interface JudgeBiasCheck extends JudgeBiasReport {
  rehearsal: boolean;
  worstCaseUsd: number;
  spend: JudgeBiasSpend;
}

/** The most a check may cost unless the caller says otherwise, USD. */
export const DEFAULT_JUDGE_BIAS_MAX_USD = 0.5;

/** The requests the check makes, without making them. */
async function plannedRequests(port: ModelPort): Promise<ModelRequest[]> {
  const requests: ModelRequest[] = [];
  const recorder: ModelPort = {
    info: port.info,
    complete: async (request: ModelRequest): Promise<ModelResponse> => {
      requests.push(request);
      return { text: '', usage: { inputTokens: 0, outputTokens: 0 }, model: port.info.id };
    },
  };
  await measureJudgeBias(recorder);
  return requests;
}

/**
 * What the check will cost at most, before it runs.
 *
 * @example
 * const { calls, worstCaseUsd } = await estimateJudgeBias(resolveModel('openai:gpt-4o-mini', { seed: 1 }));
 */
export async function estimateJudgeBias(port: ModelPort): Promise<JudgeBiasEstimate> {
  const requests = await plannedRequests(port);
  const worstCaseUsd = requests.reduce((sum, request) => sum + estimateCall(port.info, request.messages, request.maxOutputTokens ?? port.info.maxOutputTokens).usd, 0);
  return { judge: port.info.id, rehearsal: port.info.rehearsal === true, calls: requests.length, worstCaseUsd: roundUsd(worstCaseUsd) };
}

/**
 * Runs the judge bias check when its worst case fits `maxUsd` (a `budget_exhausted` error, before
 * any call, when it does not), and says what it spent.
 */
export async function checkJudgeBias(port: ModelPort, options: { maxUsd?: number; signal?: AbortSignal } = {}): Promise<JudgeBiasCheck> {
  const maxUsd = options.maxUsd ?? DEFAULT_JUDGE_BIAS_MAX_USD;
  const estimate = await estimateJudgeBias(port);
  if (estimate.worstCaseUsd > maxUsd) {
    throw new BatonError(
      'budget_exhausted',
      `the judge bias check makes ${estimate.calls} calls to ${estimate.judge}, which could cost up to $${estimate.worstCaseUsd.toFixed(4)}, more than the $${maxUsd.toFixed(4)} allowed; raise the limit to run it`,
      { location: { field: 'maxUsd' } },
    );
  }
  const spend: JudgeBiasSpend = { calls: 0, inputTokens: 0, outputTokens: 0, usd: 0, estimated: false };
  const metered: ModelPort = {
    info: port.info,
    complete: async (request: ModelRequest): Promise<ModelResponse> => {
      spend.calls += 1;
      const response = await port.complete(request);
      spend.inputTokens += response.usage.inputTokens;
      spend.outputTokens += response.usage.outputTokens;
      spend.usd += costOf(port.info, response.usage);
      if (response.usage.estimated === true) spend.estimated = true;
      return response;
    },
  };
  const report = await measureJudgeBias(metered, options.signal ? { signal: options.signal } : {});
  return { ...report, rehearsal: estimate.rehearsal, worstCaseUsd: estimate.worstCaseUsd, spend: { ...spend, usd: roundUsd(spend.usd) } };
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}
