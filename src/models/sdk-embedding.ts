import { embedMany } from 'ai';
import { estimateTokens } from './budget.js';
import { explain, faultFromSdkError, isProviderFault, ProviderFault } from './faults.js';
import type { Pricing } from './pricing.js';
import { pricingFor } from './pricing.js';
import type { EmbeddingPort, ModelInfo, Usage } from './port.js';
import type { Env, ProviderSpec } from './providers.js';
import { connectionFor, faultContextFor } from './providers.js';
import type { Retrier } from './retry.js';

/**
 * An `EmbeddingPort` over a Vercel AI SDK embedding model (`embedMany`), for novelty measured with
 * the provider's embeddings. Its calls go through Baton's retry layer like completions, and it
 * states its price so that the engine records and budgets them.
 *
 * @example
 * const port = createSdkEmbedding(providerSpec('openai')!, 'text-embedding-3-small', process.env, {}, retrier());
 */
export function createSdkEmbedding(spec: ProviderSpec, model: string, env: Env, prices: Readonly<Record<string, Pricing>>, retry: Retrier): EmbeddingPort {
  const id = `${spec.id}:${model}`;
  const connection = connectionFor(spec, id, env);
  if (!spec.embeddingModel) throw new Error(`${spec.id} has no embedding models`);
  const embeddingModel = spec.embeddingModel(model, connection);
  const context = faultContextFor(spec, model, connection);
  const info: ModelInfo = {
    id,
    label: id,
    rehearsal: false,
    pricing: pricingFor(id, { freeProvider: spec.local, overrides: prices }).pricing,
    maxOutputTokens: 0,
  };
  let dimensions = 0;

  const once = async (texts: readonly string[], signal: AbortSignal): Promise<{ vectors: Float32Array[]; usage: Usage }> => {
    try {
      const result = await embedMany({ model: embeddingModel, values: [...texts], abortSignal: signal, maxRetries: 0 });
      const vectors = result.embeddings.map((e) => Float32Array.from(e));
      const first = vectors[0];
      if (vectors.length !== texts.length || !first || first.length === 0 || vectors.some((v) => v.length !== first.length || v.some((x) => !Number.isFinite(x)))) {
        throw new ProviderFault({ kind: 'malformed', explanation: explain('malformed', context, { status: undefined, detail: 'the embeddings are missing or uneven' }) });
      }
      dimensions = first.length;
      // Some servers report no usage for embeddings: the budget then counts Baton's estimate.
      const counted = result.usage.tokens > 0 ? result.usage.tokens : texts.reduce((sum, t) => sum + estimateTokens(t), 0);
      return { vectors, usage: { inputTokens: counted, outputTokens: 0, ...(result.usage.tokens > 0 ? {} : { estimated: true }) } };
    } catch (error) {
      if (signal.aborted || isProviderFault(error)) throw error;
      throw faultFromSdkError(error, context);
    }
  };

  const port: EmbeddingPort = {
    id,
    get dimensions() {
      return dimensions;
    },
    info,
    embedWithUsage: (texts, signal) => retry(id, signal, (attemptSignal) => once(texts, attemptSignal)),
    async embed(texts, signal) {
      return (await port.embedWithUsage?.(texts, signal))?.vectors ?? [];
    },
  };
  return port;
}
