import { z } from 'zod';
import { BatonError } from '../errors.js';
import type { BudgetGuard, CallEstimate } from '../models/budget.js';
import { costOf, estimateCall, promptTokenBound } from '../models/budget.js';
import type { ChatMessage, EmbeddingPort, ModelInfo, ModelPort, ModelRequest, ModelTask, Usage } from '../models/port.js';
import { mayHaveBeenBilled } from '../models/port.js';
import type { AnswerCheck, CallPurpose, Store } from '../store/store.js';
import { answerSchemaFor } from './answer-schemas.js';
import { messagesFor } from './prompts.js';
import { tracedCall } from './tracing.js';

/**
 * Model calls, recorded: an intent row before the request, a result row after. A call already
 * completed is never made again (its recorded answer is returned); a call cut off by a crash
 * stays on the record as possibly billed, and is made again under the next attempt's key. A call
 * that failed after the provider may have generated (a timeout, a cut-off or garbled answer) is
 * counted at its reserved worst case; one the provider rejected outright, or that never reached
 * it (connection refused, no such host), costs nothing and is not counted as a call.
 */

export interface RecordedCall {
  store: Store;
  /** Deterministic: the same planned call always has the same key. */
  key: string;
  explorationId: string | null;
  purpose: CallPurpose;
  port: ModelPort;
  task: ModelTask;
  seed: number;
  /** When given, the call is made only if the budget allows it (in-flight calls counted). */
  budget?: BudgetGuard;
  /** For structured answers: whether the answer parsed, needed repair, or is unusable (recorded with the result). */
  check?: (text: string) => AnswerCheck;
}

/** Thrown when the budget forbids a call; nothing was recorded or sent. */
export class BudgetStop extends Error {
  constructor() {
    super('budget reached');
  }
}

interface Recording<T> {
  store: Store;
  key: string;
  explorationId: string | null;
  purpose: CallPurpose;
  info: ModelInfo;
  estimate: CallEstimate;
  budget: BudgetGuard | undefined;
  /** The recorded output of a completed call, read back. */
  reuse(output: string): T | undefined;
  make(): Promise<{ value: T; output: string; usage: Usage; answer?: AnswerCheck }>;
  /** The prompt, for tracing (a chat call; an embedding has none). */
  messages?: readonly ChatMessage[];
}

/** The key this call is recorded under: past any intents a crash left without a result. */
async function freeKey(store: Store, base: string): Promise<{ key: string; output: string | null }> {
  let key = base;
  let existing = await store.getCall(key);
  for (let attempt = 2; existing?.status === 'intent' && attempt <= 20; attempt += 1) {
    key = `${base}~${attempt}`;
    existing = await store.getCall(key);
  }
  if (existing?.status === 'done') {
    if (existing.output !== null) return { key, output: existing.output };
    // Released: its answer went into a candidate, so the move that asked is complete.
    throw new BatonError('internal', `call ${key} was asked for again after its answer was stored with its candidate`);
  }
  return { key, output: null };
}

async function recorded<T>(call: Recording<T>): Promise<{ value: T; key: string }> {
  const { store, estimate, info } = call;
  const { key, output } = await freeKey(store, call.key);
  const reused = output !== null ? call.reuse(output) : undefined;
  if (reused !== undefined) return { value: reused, key };

  // Waits for calls in flight when only their reservations stand in the way; null when the call
  // could not be afforded even alone.
  const reservation = call.budget ? await call.budget.acquire({ tokens: estimate.tokens, usd: estimate.usd }) : undefined;
  if (reservation === null) throw new BudgetStop();
  await store.beginCall({ key, explorationId: call.explorationId, purpose: call.purpose, model: info.id, reservedTokens: estimate.tokens, reservedUsd: estimate.usd });
  const started = Date.now();
  try {
    const made = await tracedCall(info, call.purpose, call.messages, () => call.make(), (m) => costOf(info, m.usage));
    const usd = costOf(info, made.usage);
    await store.finishCall({
      key,
      status: 'done',
      output: made.output,
      usage: made.usage,
      usd,
      latencyMs: Date.now() - started,
      ...(made.answer !== undefined ? { answer: made.answer } : {}),
    });
    if (reservation) call.budget?.settle(reservation, { tokens: made.usage.inputTokens + made.usage.outputTokens, usd });
    return { value: made.value, key };
  } catch (error) {
    const billed = mayHaveBeenBilled(error);
    const usage = billed ? { inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens } : { inputTokens: 0, outputTokens: 0 };
    const usd = billed ? estimate.usd : 0;
    // A call that may have been billed counts at its worst case; one that never reached the provider,
    // or was rejected outright, costs nothing and is not counted as a call (as the store counts it).
    if (reservation) {
      if (billed) call.budget?.settle(reservation, { tokens: usage.inputTokens + usage.outputTokens, usd });
      else call.budget?.release(reservation);
    }
    const message = error instanceof Error ? error.message : String(error);
    await store.finishCall({ key, status: 'failed', output: message, usage, usd, latencyMs: Date.now() - started });
    if (error instanceof BatonError) throw error;
    throw new BatonError('provider_failure', `${info.id} failed: ${message}`, { cause: error, retryable: true });
  }
}

export async function recordedCall(call: RecordedCall): Promise<string> {
  return (await keyedCall(call)).output;
}

/** As `recordedCall`, also saying under which key the answer was recorded (`key`, or `key~n` after a crash). */
export async function keyedCall(call: RecordedCall): Promise<{ output: string; key: string }> {
  const { port, task } = call;
  const messages = messagesFor(task);
  const schema = answerSchemaFor(task);
  // The reservation and the request name the same output limit, so no answer can cost more than was reserved.
  const maxOutputTokens = port.info.maxOutputTokens;
  const request: ModelRequest = { task, messages, seed: call.seed, maxOutputTokens, ...(schema ? { schema } : {}) };
  const { value, key } = await recorded({
    store: call.store,
    key: call.key,
    explorationId: call.explorationId,
    purpose: call.purpose,
    info: port.info,
    estimate: estimateCall(port.info, messages, maxOutputTokens),
    budget: call.budget,
    reuse: (output) => output,
    messages,
    make: async () => {
      const response = await port.complete(request);
      const answer = call.check?.(response.text);
      return { value: response.text, output: response.text, usage: response.usage, ...(answer !== undefined ? { answer } : {}) };
    },
  });
  return { output: value, key };
}

export interface RecordedEmbedding {
  store: Store;
  key: string;
  explorationId: string;
  /** The move the embedded candidate came from. */
  purpose: CallPurpose;
  port: EmbeddingPort;
  text: string;
  budget?: BudgetGuard;
}

const StoredVectorSchema = z.array(z.number().finite()).min(1);

/**
 * A candidate's embedding. The local embedding is free and computed on the spot; a provider's is
 * a recorded, budgeted call whose vector is kept with the call, so a resumed move never pays twice.
 */
export async function recordedEmbedding(call: RecordedEmbedding): Promise<Float32Array> {
  const { port, text } = call;
  const info = port.info;
  const embedWithUsage = port.embedWithUsage;
  if (!info || !embedWithUsage) return (await port.embed([text]))[0] as Float32Array;
  const inputTokens = promptTokenBound(info, [text]);
  const { value } = await recorded({
    store: call.store,
    key: call.key,
    explorationId: call.explorationId,
    purpose: call.purpose,
    info,
    estimate: { inputTokens, outputTokens: 0, tokens: inputTokens, usd: costOf(info, { inputTokens, outputTokens: 0 }) },
    budget: call.budget,
    reuse: (output) => {
      let raw: unknown;
      try {
        raw = JSON.parse(output);
      } catch {
        return undefined;
      }
      const parsed = StoredVectorSchema.safeParse(raw);
      return parsed.success ? Float32Array.from(parsed.data) : undefined;
    },
    make: async () => {
      const { vectors, usage } = await embedWithUsage([text]);
      const vector = vectors[0] as Float32Array;
      return { value: vector, output: JSON.stringify(Array.from(vector)), usage };
    },
  });
  return value;
}
