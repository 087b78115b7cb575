import type { Brief, Lens } from '../brief/schema.js';

/**
 * The port every model adapter implements. Core code (`explore`, `steer`) only ever sees this.
 *
 * A request carries the rendered chat `messages` (what a real model reads) and the structured
 * `task` they were rendered from. Real adapters send the messages; the rehearsal model, which
 * has no language understanding, plays its part from the task. Both answer with text: structured
 * answers (the judge, reframings) are JSON text validated with zod by the caller.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What a candidate looks like when it is handed back to a model as material. */
export interface TaskCandidate {
  id: string;
  text: string;
  lens: Lens;
  depth: number;
}

export type ModelTask =
  | {
      kind: 'open';
      brief: Brief;
      lens: Lens;
      /** Openings of earlier takes on this lens: the new one must differ from them (untrusted text). */
      siblings?: string[];
    }
  | {
      kind: 'deepen';
      brief: Brief;
      lens: Lens;
      parent: TaskCandidate;
      critique: string;
      /** The weakest criteria, by id, that the deepening should work on. */
      focus: string[];
      feedback?: string;
      /** Openings of the parent's earlier children: this child must take another direction (untrusted text). */
      siblings?: string[];
    }
  | { kind: 'combine'; brief: Brief; lens: Lens; parents: [TaskCandidate, TaskCandidate]; feedback?: string }
  | {
      kind: 'judge';
      brief: Brief;
      candidate: { text: string };
      /** Present when an earlier answer was invalid: which ask this is and what was wrong, stated to the model. */
      retry?: { attempt: number; problems: string[] };
    }
  | {
      /** Which of two candidates better answers the brief; asked in both orders (pairwise rank, bias checks). */
      kind: 'compare';
      brief: Brief;
      first: { text: string };
      second: { text: string };
    }
  | { kind: 'reframe'; brief: Brief; lenses: Lens[]; count: number };

export type TaskKind = ModelTask['kind'];

export interface ModelRequest {
  task: ModelTask;
  messages: ChatMessage[];
  /**
   * Present when the answer must be JSON of this shape: an adapter whose model honours a schema
   * (`info.structuredOutputs`) sends it in the provider's structured-output mode; the others rely
   * on the prompt, which describes the shape too. Either way the caller validates the answer.
   */
  schema?: AnswerSchema;
  /** Deterministic seed, for models that honour one. */
  seed: number;
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

/** A JSON Schema for a structured answer, with a name some providers show the model (a tool or schema name). */
export interface AnswerSchema {
  name: string;
  description: string;
  jsonSchema: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no usage and these counts are estimated from the text (~4 characters a token). */
  estimated?: boolean;
}

export interface ModelResponse {
  text: string;
  usage: Usage;
  /** The concrete model that answered, `provider:model`. */
  model: string;
}

/** Capabilities as data: shared code never asks which provider it is talking to. */
export interface ModelInfo {
  /** `provider:model`, e.g. `rehearsal:default`. */
  id: string;
  /** Shown in every output and export; `rehearsal` models always say so. */
  label: string;
  rehearsal: boolean;
  /** US dollars per million tokens. */
  pricing: { inputPerMTok: number; outputPerMTok: number };
  /** Upper bound on one call's output tokens, used to reserve budget before the call (and sent with it). */
  maxOutputTokens: number;
  /**
   * Whether structured answers are asked for in the provider's structured-output mode (a JSON
   * schema, a forced tool, a native format). Absent or false: the prompt-and-repair path only.
   */
  structuredOutputs?: boolean;
  /**
   * How the model counts prompt tokens, for reserving a call's worst case: `estimate` when it counts
   * as Baton's house estimate does (~4 characters a token; the rehearsal model), else — absent — a
   * real tokenizer, bounded by the prompt's UTF-8 bytes.
   */
  tokenizer?: 'estimate';
}

/**
 * A failed call that may still have been billed: an attempt timed out, was cut off, or came back
 * garbled, empty or refused after the provider had generated. The budget counts such a call at its
 * reserved worst case. Adapters mark the error they throw; callers read it with `mayHaveBeenBilled`.
 */
const BILLED = Symbol.for('baton.mayHaveBeenBilled');

export function markMayHaveBeenBilled<E extends object>(error: E): E {
  Object.defineProperty(error, BILLED, { value: true, enumerable: false });
  return error;
}

export function mayHaveBeenBilled(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BILLED] === true;
}

export interface ModelPort {
  readonly info: ModelInfo;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/** Embeddings for novelty. The local lexical embedding implements it with no model. */
export interface EmbeddingPort {
  readonly id: string;
  /** Known up front for the local embedding; 0 for a provider's model until it has answered. */
  readonly dimensions: number;
  /**
   * Present for a provider's embedding model: what it costs, so that its calls are recorded,
   * counted in the budget and never paid twice. The local embedding is free and has none.
   */
  readonly info?: ModelInfo;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** The vectors with the tokens the provider counted; implemented by ports with `info`. */
  embedWithUsage?(texts: readonly string[], signal?: AbortSignal): Promise<{ vectors: Float32Array[]; usage: Usage }>;
}
