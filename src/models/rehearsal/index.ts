import { BatonError } from '../../errors.js';
import type { ModelInfo, ModelPort, ModelRequest, ModelResponse, ModelTask } from '../port.js';
import { compareTexts, judgeText } from './judge.js';
import { reframe } from './reframe.js';
import { unit } from './rng.js';
import { write } from './writer.js';

/**
 * The rehearsal model: a deterministic, offline `ModelPort` for demos and tests, always labelled
 * as such. It plays the writer, the judge and the reframer from the structured task (it reads the
 * chat messages only to count tokens). The same request — task and seed — gives the same answer in
 * any process: every choice comes from a hash of the inputs, none from hidden state.
 */

export const REHEARSAL_MODEL_ID = 'rehearsal:default';

export interface RehearsalOptions {
  /** Mixed into every choice, so two rehearsal models with different seeds explore differently. */
  seed?: number;
  /** Simulated latency per call, in milliseconds. */
  latencyMs?: number;
  /** Up to this many milliseconds more, derived from the request (not random). */
  jitter?: number;
}

/** Rough token count: four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The answer text for a task, without latency or usage: the pure part of the model. */
export function rehearse(task: ModelTask, requestSeed: number, modelSeed = 0): string {
  const seeds = { model: modelSeed, request: requestSeed };
  switch (task.kind) {
    case 'open':
    case 'deepen':
    case 'combine':
      return write(task, seeds);
    case 'judge':
      return JSON.stringify(judgeText(task.brief, task.candidate.text));
    case 'compare':
      return JSON.stringify(compareTexts(task.brief, task.first.text, task.second.text));
    case 'reframe':
      return JSON.stringify(reframe(task.brief, task.lenses, task.count, `${modelSeed}:${requestSeed}`));
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The rehearsal call was aborted.', 'AbortError');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates the rehearsal model.
 *
 * @example
 * const model = createRehearsalModel({ seed: 7 });
 * const { text } = await model.complete({ task: { kind: 'open', brief, lens }, messages: [], seed: 1 });
 * text.split('\n')[0]; // '[rehearsal · lens invert · draft 1 · 3fa9c2]'
 */
export function createRehearsalModel(options: RehearsalOptions = {}): ModelPort {
  const modelSeed = options.seed ?? 0;
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const jitter = Math.max(0, options.jitter ?? 0);
  const info: ModelInfo = {
    id: REHEARSAL_MODEL_ID,
    label: 'rehearsal',
    rehearsal: true,
    pricing: { inputPerMTok: 0, outputPerMTok: 0 },
    maxOutputTokens: 1200,
    tokenizer: 'estimate',
  };

  return {
    info,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      if (request.signal?.aborted) throw abortReason(request.signal);
      let text: string;
      try {
        text = rehearse(request.task, request.seed, modelSeed);
      } catch (error) {
        throw new BatonError('internal', `the rehearsal model failed on a ${request.task.kind} task`, { cause: error });
      }
      const delay = latencyMs + (jitter > 0 ? Math.round(jitter * unit('latency', modelSeed, request.seed, text)) : 0);
      await sleep(delay, request.signal);
      const input = request.messages.reduce((sum, message) => sum + message.content.length, 0);
      return {
        text,
        usage: { inputTokens: Math.ceil(input / 4), outputTokens: estimateTokens(text) },
        model: REHEARSAL_MODEL_ID,
      };
    },
  };
}

export { parseRehearsalHeader, formatRehearsalHeader, splitRehearsalText } from './header.js';
export type { RehearsalHeader, RehearsalOrigin, RehearsalText } from './header.js';
export { judgeText, compareTexts, scoreFor, capFor, vagueness, judgedCriteria, CALIBRATION } from './judge.js';
export type { CompareAnswer, JudgeAnswer } from './judge.js';
export type { ReframeAnswer } from './reframe.js';
export { lensKind, LENS_KINDS } from './banks.js';
export type { LensKind } from './banks.js';
export { NEAR_DUPLICATE_PROBABILITY, SENSITIVE_PROBABILITY } from './writer.js';
export { WORD_LIMIT_RESPECT, estimateDraft } from './words.js';
export { OUTLIER_PROBABILITY, OUTLIER_PROBABILITY_DEFAULT } from './outliers.js';
