import { APICallError, generateText, RetryError } from 'ai';
import { BatonError } from '../errors.js';
import { pricingFor } from './pricing.js';
import type { ModelInfo, ModelPort, ModelRequest, ModelResponse } from './port.js';
import type { Env, ProviderSpec } from './providers.js';
import { connectionFor } from './providers.js';

/**
 * A `ModelPort` over a Vercel AI SDK language model: it sends the rendered chat messages and
 * answers with the text, the token usage and the model that answered. Failures become
 * `provider_failure` errors whose messages never contain the key.
 */

/**
 * Resolves `provider:model` for a provider spec, reading the key and base URL from `env`.
 *
 * @example
 * const port = createSdkModel(providerSpec('openai')!, 'gpt-4o-mini', { OPENAI_API_KEY: 'sk-…' });
 * port.info.label; // 'openai:gpt-4o-mini'
 */
export function createSdkModel(spec: ProviderSpec, model: string, env: Env): ModelPort {
  const id = `${spec.id}:${model}`;
  const connection = connectionFor(spec, id, env);
  const languageModel = spec.languageModel(model, connection);
  const secrets = connection.apiKey !== undefined ? [connection.apiKey] : [];
  const info: ModelInfo = {
    id,
    label: id,
    rehearsal: false,
    pricing: pricingFor(id, { freeProvider: spec.local }).pricing,
    maxOutputTokens: spec.maxOutputTokens,
  };

  return {
    info,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      // The SDK takes the system prompt apart from the conversation.
      const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
      const messages = request.messages.flatMap((m) => (m.role === 'system' ? [] : [{ role: m.role, content: m.content }]));
      try {
        const result = await generateText({
          model: languageModel,
          ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
          messages,
          maxOutputTokens: request.maxOutputTokens ?? info.maxOutputTokens,
          ...(spec.seed ? { seed: request.seed } : {}),
          ...(request.signal ? { abortSignal: request.signal } : {}),
          // Until Baton's own retry layer (backoff, Retry-After, fault types) lands, the SDK's is the
          // one layer, so a single 429 or 5xx does not stop an exploration.
          maxRetries: 2,
        });
        return {
          text: result.text,
          usage: { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 },
          model: `${spec.id}:${result.response.modelId || model}`,
        };
      } catch (error) {
        if (request.signal?.aborted) throw error;
        throw providerError(error, spec, id, secrets);
      }
    },
  };
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

/** A plain-words `provider_failure`, with any key scrubbed from the message. */
function providerError(error: unknown, spec: ProviderSpec, id: string, secrets: readonly string[]): BatonError {
  const last = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(last)) {
    const status = last.statusCode;
    const hint =
      (status === 401 || status === 403) && spec.key ? ` — check ${spec.key.variable}` : status === 404 ? ` — check the model name and ${spec.baseUrl.variable}` : '';
    const message = redact(`${id}: the provider answered HTTP ${status ?? '?'}: ${last.message}${hint}`, secrets);
    return new BatonError('provider_failure', message, { cause: error, retryable: last.isRetryable });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new BatonError('provider_failure', redact(`${id}: ${detail} (${spec.baseUrl.variable} may be wrong, or the server down)`, secrets), {
    cause: error,
    retryable: true,
  });
}
