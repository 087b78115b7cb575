import type { LLMock } from '@copilotkit/aimock';

/**
 * Every model adapter, as the provider suite sees it: the environment that points it at a loopback
 * mock, and how its key travels on the wire. One suite runs against each.
 */

export const FAKE_KEY = 'sk-baton-FAKE-3f9a7c1e5d';

export interface AdapterCase {
  provider: string;
  modelId: string;
  /** The environment that points the adapter at the mock. */
  env(mock: LLMock): Record<string, string>;
  /** The environment variable holding the key, when the provider takes one. */
  keyVariable: string | null;
  /** The request header the key travels in. */
  keyHeader: { name: string } | null;
  /** Field names for usage in a fixture, as the provider's wire format spells them. */
  usage(input: number, output: number): Record<string, number>;
  /** The finish reason with which the provider's wire format says the model refused. */
  refusalFinishReason: string;
}

const openAiUsage = (input: number, output: number): Record<string, number> => ({
  prompt_tokens: input,
  completion_tokens: output,
  total_tokens: input + output,
});

export const ADAPTERS: AdapterCase[] = [
  {
    provider: 'openai',
    modelId: 'openai:gpt-4o-mini',
    env: (mock) => ({ OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: FAKE_KEY }),
    keyVariable: 'OPENAI_API_KEY',
    keyHeader: { name: 'authorization' },
    usage: openAiUsage,
    refusalFinishReason: 'content_filter',
  },
  {
    provider: 'anthropic',
    modelId: 'anthropic:claude-haiku-4-5',
    env: (mock) => ({ ANTHROPIC_BASE_URL: `${mock.url}/v1`, ANTHROPIC_API_KEY: FAKE_KEY }),
    keyVariable: 'ANTHROPIC_API_KEY',
    keyHeader: { name: 'x-api-key' },
    usage: (input, output) => ({ input_tokens: input, output_tokens: output }),
    refusalFinishReason: 'refusal',
  },
  {
    provider: 'ollama',
    modelId: 'ollama:llama3.2',
    // A bare host, as Ollama users write OLLAMA_HOST: the adapter adds the scheme and /v1.
    env: (mock) => ({ OLLAMA_HOST: mock.url.replace(/^http:\/\//u, '') }),
    keyVariable: null,
    keyHeader: null,
    usage: openAiUsage,
    refusalFinishReason: 'content_filter',
  },
  {
    provider: 'openai-compatible',
    modelId: 'openai-compatible:qwen2.5-7b-instruct',
    env: (mock) => ({ BATON_OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1`, BATON_OPENAI_COMPATIBLE_API_KEY: FAKE_KEY }),
    keyVariable: 'BATON_OPENAI_COMPATIBLE_API_KEY',
    keyHeader: { name: 'authorization' },
    usage: openAiUsage,
    refusalFinishReason: 'content_filter',
  },
];
