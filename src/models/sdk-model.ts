import { generateText, jsonSchema, NoObjectGeneratedError, Output } from 'ai';
import { estimateTokens } from './budget.js';
import { explain, faultFromSdkError, isProviderFault, ProviderFault } from './faults.js';
import type { Pricing } from './pricing.js';
import { pricingFor } from './pricing.js';
import type { ModelInfo, ModelPort, ModelRequest, ModelResponse, Usage } from './port.js';
import type { Env, ProviderSpec } from './providers.js';
import { connectionFor, faultContextFor } from './providers.js';
import { structuredOutputsFromEnv } from './structured-outputs.js';

/**
 * A `ModelPort` over a Vercel AI SDK language model: it sends the rendered chat messages and
 * answers with the text, the token usage and the model that answered. Failures become classified
 * `ProviderFault`s whose messages never contain the key; the registry's retry layer (`retry.ts`)
 * decides what to try again, and turns what is left into `provider_failure`. An empty answer and a
 * refusal are faults too: a caller never receives either as if it were a candidate.
 */

/**
 * Resolves `provider:model` for a provider spec, reading the key and base URL from `env`.
 *
 * @example
 * const port = createSdkModel(providerSpec('openai')!, 'gpt-4o-mini', { OPENAI_API_KEY: 'sk-…' });
 * port.info.label; // 'openai:gpt-4o-mini'
 */
export function createSdkModel(spec: ProviderSpec, model: string, env: Env, prices: Readonly<Record<string, Pricing>> = {}): ModelPort {
  const id = `${spec.id}:${model}`;
  const connection = connectionFor(spec, id, env);
  const languageModel = spec.languageModel(model, connection);
  const context = faultContextFor(spec, model, connection);
  const info: ModelInfo = {
    id,
    label: id,
    rehearsal: false,
    pricing: pricingFor(id, { freeProvider: spec.local, overrides: prices }).pricing,
    maxOutputTokens: spec.maxOutputTokens,
    structuredOutputs: structuredOutputsFromEnv(spec.id, env, spec.structuredOutputs),
  };

  return {
    info,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      // The SDK takes the system prompt apart from the conversation.
      const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
      const messages = request.messages.flatMap((m) => (m.role === 'system' ? [] : [{ role: m.role, content: m.content }]));
      // A structured answer goes through the provider's structured-output mode when the adapter
      // says it has one; the SDK turns the schema into the provider's own form (response_format,
      // output_config.format or a forced tool). The answer is validated by the caller either way.
      const schema = info.structuredOutputs ? request.schema : undefined;
      try {
        let text: string;
        let usage: { inputTokens: number | undefined; outputTokens: number | undefined };
        let finishReason: string;
        let modelId: string;
        try {
          const result = await generateText({
            model: languageModel,
            ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
            messages,
            maxOutputTokens: request.maxOutputTokens ?? info.maxOutputTokens,
            ...(spec.seed ? { seed: request.seed } : {}),
            ...(request.signal ? { abortSignal: request.signal } : {}),
            ...(schema
              ? {
                  output: Output.object({
                    // Validation is Baton's (strict, per criterion, with the problems stated on a re-ask).
                    schema: jsonSchema<unknown>(schema.jsonSchema, { validate: (value) => ({ success: true, value }) }),
                    name: schema.name,
                    description: schema.description,
                  }),
                }
              : {}),
            // Baton's retry layer is the one layer: it honours Retry-After and knows the fault types.
            maxRetries: 0,
          });
          text = result.text;
          usage = result.usage;
          finishReason = result.finishReason;
          modelId = result.response.modelId;
        } catch (error) {
          // The model answered, but not with JSON: the text goes to the caller, whose validation
          // says what was wrong and asks again. The call was made and is paid for.
          if (!NoObjectGeneratedError.isInstance(error) || error.text === undefined) throw error;
          text = error.text;
          usage = { inputTokens: error.usage?.inputTokens, outputTokens: error.usage?.outputTokens };
          finishReason = error.finishReason ?? 'other';
          modelId = error.response?.modelId ?? model;
        }
        if (finishReason === 'content-filter') {
          throw new ProviderFault({ kind: 'refusal', explanation: explain('refusal', context, { status: undefined, detail: '' }) });
        }
        if (text.trim() === '') {
          const reason = finishReason === 'length' ? ' (it ran out of output tokens before writing any)' : '';
          throw new ProviderFault({ kind: 'empty', explanation: `${explain('empty', context, { status: undefined, detail: '' })}${reason}` });
        }
        return {
          text,
          usage: usageOf(usage, request, text),
          model: `${spec.id}:${modelId || model}`,
        };
      } catch (error) {
        if (request.signal?.aborted || isProviderFault(error)) throw error;
        throw faultFromSdkError(error, context);
      }
    },
  };
}

/**
 * The tokens the provider counted; where it counted none (no usage in the answer, or zero for a
 * text that is not empty), Baton's estimate from the text, marked `estimated`, so that token and
 * dollar budgets still bind and the spend says so.
 */
function usageOf(reported: { inputTokens: number | undefined; outputTokens: number | undefined }, request: ModelRequest, text: string): Usage {
  const prompt = request.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  const input = reported.inputTokens !== undefined && (reported.inputTokens > 0 || prompt === 0) ? reported.inputTokens : undefined;
  const output = reported.outputTokens !== undefined && (reported.outputTokens > 0 || text === '') ? reported.outputTokens : undefined;
  if (input !== undefined && output !== undefined) return { inputTokens: input, outputTokens: output };
  return { inputTokens: input ?? prompt, outputTokens: output ?? estimateTokens(text), estimated: true };
}
