import { BatonError } from '../errors.js';
import type { BudgetGuard } from '../models/budget.js';
import { costOf, estimateCall } from '../models/budget.js';
import type { ModelPort, ModelRequest, ModelTask } from '../models/port.js';
import type { CallPurpose, Store } from '../store/store.js';
import { messagesFor } from './prompts.js';

/**
 * Model calls, recorded: an intent row before the request, a result row after. A call already
 * completed is never made again (its recorded answer is returned); a call cut off by a crash
 * stays on the record as possibly billed, and is made again under the next attempt's key.
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
}

/** Thrown when the budget forbids a call; nothing was recorded or sent. */
export class BudgetStop extends Error {
  constructor() {
    super('budget reached');
  }
}

export async function recordedCall(call: RecordedCall): Promise<string> {
  return (await keyedCall(call)).output;
}

/** As `recordedCall`, also saying under which key the answer was recorded (`key`, or `key~n` after a crash). */
export async function keyedCall(call: RecordedCall): Promise<{ output: string; key: string }> {
  const { store, port, task } = call;
  let key = call.key;
  let existing = await store.getCall(key);
  for (let attempt = 2; existing?.status === 'intent' && attempt <= 20; attempt += 1) {
    key = `${call.key}~${attempt}`;
    existing = await store.getCall(key);
  }
  if (existing?.status === 'done') {
    if (existing.output !== null) return { output: existing.output, key };
    // Released: its answer went into a candidate, so the move that asked is complete.
    throw new BatonError('internal', `call ${key} was asked for again after its answer was stored with its candidate`);
  }

  const messages = messagesFor(task);
  const estimate = estimateCall(port.info, messages);
  const reservation = call.budget ? call.budget.reserve(estimate) : undefined;
  if (reservation === null) throw new BudgetStop();
  await store.beginCall({
    key,
    explorationId: call.explorationId,
    purpose: call.purpose,
    model: port.info.id,
    reservedTokens: estimate.tokens,
    reservedUsd: estimate.usd,
  });
  const request: ModelRequest = { task, messages, seed: call.seed, json: task.kind === 'judge' || task.kind === 'reframe' };
  const started = Date.now();
  try {
    const response = await port.complete(request);
    const usd = costOf(port.info, response.usage);
    await store.finishCall({ key, status: 'done', output: response.text, usage: response.usage, usd, latencyMs: Date.now() - started });
    if (reservation) call.budget?.settle(reservation, { tokens: response.usage.inputTokens + response.usage.outputTokens, usd });
    return { output: response.text, key };
  } catch (error) {
    if (reservation) call.budget?.release(reservation);
    const message = error instanceof Error ? error.message : String(error);
    await store.finishCall({ key, status: 'failed', output: message, usage: { inputTokens: 0, outputTokens: 0 }, usd: 0, latencyMs: Date.now() - started });
    if (error instanceof BatonError) throw error;
    throw new BatonError('provider_failure', `${port.info.id} failed: ${message}`, { cause: error, retryable: true });
  }
}
