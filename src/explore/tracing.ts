import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChatMessage, ModelInfo, Usage } from '../models/port.js';
import type { CriterionScore } from './types.js';

/**
 * The tracing port: how the loop reports its work (runs, moves, judgings, model calls,
 * evaluations, checkpoints, decisions) to an observability backend, without core knowing which.
 * The OpenTelemetry adapter lives at the edge (src/telemetry) and is installed with `useTracing`;
 * without one, every hook is a plain call. Spans nest through async context: a model call made
 * while judging is that judging's child.
 *
 * Names and attributes follow the OpenTelemetry GenAI semantic conventions (`gen_ai.*`); Baton's
 * own are `baton.*`. Prompt and answer text are attached only when the port's `captureContent` is
 * on; provider keys never reach this module.
 */

export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

export interface TraceSpan {
  setAttributes(attributes: SpanAttributes): void;
  addEvent(name: string, attributes?: SpanAttributes): void;
  /** Marks the span failed (with the error's type and message). */
  fail(error: unknown): void;
  end(): void;
}

export interface TracingPort {
  /** Export prompt and answer text (opt-in: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureContent: boolean;
  /** `kind`: `client` for a call to a provider, `internal` otherwise. */
  startSpan(name: string, attributes: SpanAttributes, parent: TraceSpan | undefined, kind: 'client' | 'internal'): TraceSpan;
}

const active = new AsyncLocalStorage<TraceSpan>();
let port: TracingPort | undefined;

/** Installs (or, with undefined, removes) the tracing adapter for this process. */
export function useTracing(tracing: TracingPort | undefined): void {
  port = tracing;
}

/** Runs `work` inside a new span, child of the current one; ends it (failed, if `work` throws). */
export async function traced<T>(name: string, attributes: SpanAttributes, work: (span: TraceSpan | undefined) => Promise<T>, kind: 'client' | 'internal' = 'internal'): Promise<T> {
  if (!port) return work(undefined);
  const span = port.startSpan(name, attributes, active.getStore(), kind);
  try {
    return await active.run(span, () => work(span));
  } catch (error) {
    span.fail(error);
    throw error;
  } finally {
    span.end();
  }
}

/** An event on the current span (a checkpoint raised, a decision recorded). */
export function traceEvent(name: string, attributes: SpanAttributes = {}): void {
  active.getStore()?.addEvent(name, attributes);
}

/** A move: an agent span (`invoke_agent baton.writer`) around writing and judging one candidate. */
export function tracedMove<T>(move: { id: string; kind: string; lens: { id: string }; parentIds: string[] }, writer: ModelInfo, work: () => Promise<T>): Promise<T> {
  return traced('invoke_agent baton.writer', {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'baton.writer',
    'gen_ai.request.model': modelOf(writer),
    'baton.move.id': move.id,
    'baton.move.kind': move.kind,
    'baton.lens': move.lens.id,
    'baton.parents': move.parentIds,
  }, work);
}

/** A judging: an agent span (`invoke_agent baton.judge`) with one `gen_ai.evaluation.result` event per criterion. */
export function tracedJudging<T extends { judgment: { scores: CriterionScore[]; quality: number; flags: Array<{ kind: string }> } }>(candidateId: string, judge: ModelInfo, work: () => Promise<T>): Promise<T> {
  return traced('invoke_agent baton.judge', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'baton.judge', 'gen_ai.request.model': modelOf(judge), 'baton.candidate.id': candidateId }, async (span) => {
    const result = await work();
    if (!span) return result;
    const { scores, quality, flags } = result.judgment;
    span.setAttributes({ 'baton.quality': quality, 'baton.flags': flags.map((f) => f.kind) });
    for (const score of scores) {
      span.addEvent('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': score.criterion,
        // A criterion the judge never scored validly has no value: it is labelled, never sent as 0.
        'gen_ai.evaluation.score.value': score.score ?? undefined,
        'gen_ai.evaluation.score.label': score.score === null ? 'unscored' : score.by,
        // The reason is model output: exported only with content capture on.
        'gen_ai.evaluation.explanation': port?.captureContent ? score.reason : undefined,
        'baton.candidate.id': candidateId,
      });
    }
    return result;
  });
}

/**
 * A model call actually made (a recorded answer read back is not): `chat {model}` — or
 * `embeddings {model}` for a call without messages — with usage and Baton's cost.
 */
export function tracedCall<T extends { output: string; usage: Usage }>(info: ModelInfo, purpose: string, messages: readonly ChatMessage[] | undefined, make: () => Promise<T>, costOf: (made: T) => number): Promise<T> {
  const model = modelOf(info);
  const operation = messages ? 'chat' : 'embeddings';
  const attributes: SpanAttributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': providerOf(info),
    'gen_ai.request.model': model,
    'baton.call.purpose': purpose,
  };
  if (port?.captureContent && messages) attributes['gen_ai.input.messages'] = JSON.stringify(messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })));
  return traced(`${operation} ${model}`, attributes, async (span) => {
    const made = await make();
    span?.setAttributes({
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': made.usage.inputTokens,
      'gen_ai.usage.output_tokens': made.usage.outputTokens,
      'baton.cost.usd': costOf(made),
      'gen_ai.output.messages': port?.captureContent && messages ? JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: made.output }] }]) : undefined,
    });
    return made;
  }, 'client');
}

function providerOf(info: ModelInfo): string {
  const provider = info.id.split(':')[0] ?? info.id;
  return provider === 'anthropic' ? 'anthropic' : provider === 'openai' ? 'openai' : provider;
}

function modelOf(info: ModelInfo): string {
  const i = info.id.indexOf(':');
  return i === -1 ? info.id : info.id.slice(i + 1);
}

/**
 * A run to the next checkpoint: the workflow span (`invoke_workflow baton`), with the checkpoint
 * it stopped at as an event and the spend so far. Every run of an exploration carries its id as
 * `gen_ai.conversation.id`, so a backend groups the runs of one exploration.
 */
export function tracedWorkflow<T extends { status: string; checkpoint: { id: string; reasons: Array<{ kind: string }> } | null; board: { candidates: number; spend: { calls: number; tokens: number; usd: number } } }>(
  explorationId: string,
  work: () => Promise<T>,
): Promise<T> {
  const attributes = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.agent.name': 'baton', 'gen_ai.conversation.id': explorationId, 'baton.exploration.id': explorationId };
  return traced('invoke_workflow baton', attributes, async (span) => {
    const outcome = await work();
    if (!span) return outcome;
    const { spend } = outcome.board;
    span.setAttributes({ 'baton.status': outcome.status, 'baton.candidates': outcome.board.candidates, 'baton.spend.calls': spend.calls, 'baton.spend.tokens': spend.tokens, 'baton.cost.usd': spend.usd });
    if (outcome.checkpoint) {
      span.addEvent('baton.checkpoint', { 'baton.checkpoint.id': outcome.checkpoint.id, 'baton.checkpoint.reasons': outcome.checkpoint.reasons.map((r) => r.kind) });
    }
    return outcome;
  });
}

/** A decision recorded: its own span (`baton.decision`); the reason is the person's words, exported only with content capture on. */
export function tracedDecision<T extends { id: string; action: string; checkpointId: string | null; candidateIds?: string[]; reason?: string }>(explorationId: string, work: () => Promise<T>): Promise<T> {
  return traced('baton.decision', { 'gen_ai.conversation.id': explorationId, 'baton.exploration.id': explorationId }, async (span) => {
    const decision = await work();
    span?.setAttributes({
      'baton.decision.id': decision.id,
      'baton.decision.action': decision.action,
      'baton.checkpoint.id': decision.checkpointId ?? undefined,
      'baton.decision.candidates': decision.candidateIds ?? [],
      'baton.decision.reason': port?.captureContent ? decision.reason : undefined,
    });
    return decision;
  });
}
