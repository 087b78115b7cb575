import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { LoadedConfig, ProviderSettings } from '../config/user-config.js';
import { EMPTY_CONFIG } from '../config/user-config.js';
import { BatonError } from '../errors.js';
import { hasUrlCredentials } from '../util/sanitize/urls.js';
import { concurrencyVariable } from './concurrency.js';
import { structuredOutputsVariable } from './structured-outputs.js';
import type { FaultContext } from './faults.js';

/**
 * The hosted and local providers Baton reaches through the Vercel AI SDK, as data: where each one
 * reads its key and base URL from, what it can do, and how to build its SDK model. Shared code
 * reads these fields and never asks which provider it is.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Connection {
  baseURL: string;
  apiKey?: string;
}

export interface ProviderSpec {
  id: string;
  description: string;
  /** A model id to show in help and errors. */
  example: string;
  /** A small model `baton doctor` tries when none is named; absent when the provider has no well-known one. */
  checkModel?: string;
  /** Where the API key comes from; `required` when the provider refuses calls without one. */
  key?: { variable: string; required: boolean };
  /** Where the base URL comes from; without `default`, the variable must be set. */
  baseUrl: { variable: string; default?: string };
  /** Runs on the person's machine: its tokens cost nothing. */
  local: boolean;
  /** Honours a sampling seed (sending one to a provider that does not only produces warnings). */
  seed: boolean;
  /** Upper bound on one call's output tokens. */
  maxOutputTokens: number;
  /**
   * Whether its models honour a JSON schema for structured answers (OpenAI's and Ollama's
   * `response_format`, Anthropic's native format or forced tool), unless the person's setting
   * (`BATON_<PROVIDER>_STRUCTURED_OUTPUTS`, or `structuredOutputs` in the config file) says otherwise.
   */
  structuredOutputs: boolean;
  languageModel(model: string, connection: Connection): LanguageModel;
  /** The provider's embedding models; absent when it has none (Anthropic). */
  embeddingModel?(model: string, connection: Connection): EmbeddingModel;
  /** An embedding model to show in help. */
  embeddingExample?: string;
}

export const PROVIDER_SPECS: readonly ProviderSpec[] = [
  {
    id: 'openai',
    description: 'OpenAI (chat completions)',
    example: 'openai:gpt-4o-mini',
    checkModel: 'gpt-4o-mini',
    key: { variable: 'OPENAI_API_KEY', required: true },
    baseUrl: { variable: 'OPENAI_BASE_URL', default: 'https://api.openai.com/v1' },
    local: false,
    seed: true,
    maxOutputTokens: 4096,
    structuredOutputs: true,
    languageModel: (model, c) => createOpenAI({ baseURL: c.baseURL, apiKey: c.apiKey ?? '' }).chat(model),
    embeddingModel: (model, c) => createOpenAI({ baseURL: c.baseURL, apiKey: c.apiKey ?? '' }).embedding(model),
    embeddingExample: 'openai:text-embedding-3-small',
  },
  {
    id: 'anthropic',
    description: 'Anthropic (messages)',
    example: 'anthropic:claude-haiku-4-5',
    checkModel: 'claude-haiku-4-5',
    key: { variable: 'ANTHROPIC_API_KEY', required: true },
    baseUrl: { variable: 'ANTHROPIC_BASE_URL', default: 'https://api.anthropic.com/v1' },
    local: false,
    seed: false,
    maxOutputTokens: 4096,
    structuredOutputs: true,
    languageModel: (model, c) => createAnthropic({ baseURL: c.baseURL, apiKey: c.apiKey ?? '' })(model),
  },
  {
    id: 'ollama',
    description: 'Ollama on this machine or your network, through its OpenAI-compatible API',
    example: 'ollama:llama3.2',
    checkModel: 'llama3.2',
    baseUrl: { variable: 'OLLAMA_HOST', default: 'http://127.0.0.1:11434' },
    local: true,
    seed: true,
    maxOutputTokens: 4096,
    // Ollama's OpenAI-compatible API takes `response_format` with a JSON schema (its `format`).
    structuredOutputs: true,
    languageModel: (model, c) => createOpenAICompatible({ name: 'ollama', baseURL: c.baseURL, supportsStructuredOutputs: true }).chatModel(model),
    embeddingModel: (model, c) => createOpenAICompatible({ name: 'ollama', baseURL: c.baseURL }).embeddingModel(model),
    embeddingExample: 'ollama:nomic-embed-text',
  },
  {
    id: 'openai-compatible',
    description: 'Any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, OpenRouter…',
    example: 'openai-compatible:my-model',
    key: { variable: 'BATON_OPENAI_COMPATIBLE_API_KEY', required: false },
    baseUrl: { variable: 'BATON_OPENAI_COMPATIBLE_BASE_URL' },
    local: false,
    seed: true,
    maxOutputTokens: 4096,
    // vLLM, llama.cpp server, LM Studio and OpenRouter take a JSON schema; a server that does not
    // is set to `structuredOutputs: false` (`baton doctor` probes it).
    structuredOutputs: true,
    languageModel: (model, c) =>
      createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: c.baseURL,
        supportsStructuredOutputs: true,
        ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}),
      }).chatModel(model),
    embeddingModel: (model, c) =>
      createOpenAICompatible({ name: 'openai-compatible', baseURL: c.baseURL, ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}) }).embeddingModel(
        model,
      ),
    embeddingExample: 'openai-compatible:my-embedding-model',
  },
];

export function providerSpec(id: string): ProviderSpec | undefined {
  return PROVIDER_SPECS.find((spec) => spec.id === id);
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * A base URL as the SDK wants it: with a scheme, and with `/v1` when only a host was given
 * (`OLLAMA_HOST=127.0.0.1:11434`, `ANTHROPIC_BASE_URL=https://api.anthropic.com`).
 */
export function normalizeBaseUrl(raw: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//iu.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/u, '');
}

/** A URL safe to show: its user name and password, if any, as `***`. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const had = parsed.username !== '' || parsed.password !== '';
    parsed.username = '';
    parsed.password = '';
    const shown = parsed.toString().replace(/\/+$/u, '');
    return had ? shown.replace('://', '://***@') : shown;
  } catch {
    return '(not a valid URL)';
  }
}

/**
 * Reads a provider's key and base URL from the environment. Refuses, naming the variable to set
 * (never its value), when a required one is missing or the URL is not one.
 */
/** What a fault's explanation may name about a connection: never the key, which is only a secret to scrub. */
export function faultContextFor(spec: ProviderSpec, model: string, connection: Connection): FaultContext {
  return {
    id: `${spec.id}:${model}`,
    model,
    baseUrl: displayUrl(connection.baseURL),
    baseUrlVariable: spec.baseUrl.variable,
    keyVariable: spec.key?.variable,
    secrets: connection.apiKey !== undefined ? [connection.apiKey] : [],
  };
}

export function connectionFor(spec: ProviderSpec, modelId: string, env: Env): Connection {
  const rawUrl = env[spec.baseUrl.variable];
  const source = present(rawUrl) ? rawUrl : spec.baseUrl.default;
  if (source === undefined) {
    throw new BatonError(
      'invalid_input',
      `model "${modelId}": set ${spec.baseUrl.variable} to the server's API address, e.g. http://127.0.0.1:8000/v1`,
      { location: { field: 'model' } },
    );
  }
  const baseURL = normalizeBaseUrl(source);
  if (baseURL === undefined) {
    throw new BatonError('invalid_input', `model "${modelId}": ${spec.baseUrl.variable} is not an http(s) URL`, { location: { field: 'model' } });
  }
  if (hasUrlCredentials(baseURL)) {
    // fetch refuses such a URL, so it could never work; and the key would show in every message.
    throw new BatonError(
      'invalid_input',
      `model "${modelId}": ${spec.baseUrl.variable} (${displayUrl(baseURL)}) carries a user name or password; remove it from the URL` +
        (spec.key ? ` and set the key in ${spec.key.variable} (or providers.${spec.id}.apiKey in your Baton config file)` : ''),
      { location: { field: 'model' } },
    );
  }
  const connection: Connection = { baseURL };
  if (spec.key) {
    const apiKey = env[spec.key.variable];
    if (present(apiKey)) connection.apiKey = apiKey.trim();
    else if (spec.key.required) {
      throw new BatonError(
        'invalid_input',
        `model "${modelId}": set ${spec.key.variable} in the environment to use the ${spec.id} provider or as providers.${spec.id}.apiKey in your Baton config file (~/.config/baton/config.yaml)`,
        { location: { field: 'model' } },
      );
    }
  }
  return connection;
}

/** Where a setting came from: the environment, the config file (its path), or nowhere. */
export type SettingSource = { from: 'environment'; variable: string } | { from: 'config'; path: string } | null;

export interface ProviderStatus {
  id: string;
  description: string;
  example: string;
  key: { variable: string; required: boolean; present: boolean; source: SettingSource } | null;
  baseUrl: { variable: string; set: boolean; default: string | null; effective: string | null; source: SettingSource } | null;
  /** Whether a model of this provider can be resolved with this environment. */
  ready: boolean;
}

/**
 * The environment with the config file's provider settings filled in where the environment has
 * none: a variable that is set always wins over the file. Providers then read one place.
 */
export function withConfig(env: Env, loaded: LoadedConfig): Env {
  const merged: Record<string, string | undefined> = { ...env };
  for (const spec of PROVIDER_SPECS) {
    const settings = settingsOf(spec, loaded);
    if (!settings) continue;
    const fill = (variable: string, value: string | undefined): void => {
      if (value !== undefined && !present(merged[variable])) merged[variable] = value;
    };
    if (spec.key) fill(spec.key.variable, settings.apiKey);
    fill(spec.baseUrl.variable, settings.baseUrl);
    fill(concurrencyVariable(spec.id), settings.concurrency?.toString());
    fill(structuredOutputsVariable(spec.id), settings.structuredOutputs?.toString());
  }
  return merged;
}

function settingsOf(spec: ProviderSpec, loaded: LoadedConfig): ProviderSettings | undefined {
  return (loaded.config.providers as Record<string, ProviderSettings | undefined>)[spec.id];
}

function sourceOf(variable: string, env: Env, fromFile: string | undefined, loaded: LoadedConfig): SettingSource {
  if (present(env[variable])) return { from: 'environment', variable };
  if (fromFile !== undefined && loaded.path !== null) return { from: 'config', path: loaded.path };
  return null;
}

/** What `baton models` shows: for each provider, which settings are present and where from — never their values. */
export function providerStatus(spec: ProviderSpec, rawEnv: Env, loaded: LoadedConfig = { path: null, config: EMPTY_CONFIG }): ProviderStatus {
  const env = withConfig(rawEnv, loaded);
  const settings = settingsOf(spec, loaded);
  const urlSet = present(env[spec.baseUrl.variable]);
  const source = urlSet ? env[spec.baseUrl.variable] : spec.baseUrl.default;
  const effective = source === undefined ? undefined : normalizeBaseUrl(source);
  const keyPresent = spec.key ? present(env[spec.key.variable]) : false;
  return {
    id: spec.id,
    description: spec.description,
    example: spec.example,
    key: spec.key ? { ...spec.key, present: keyPresent, source: sourceOf(spec.key.variable, rawEnv, settings?.apiKey, loaded) } : null,
    baseUrl: {
      variable: spec.baseUrl.variable,
      set: urlSet,
      source: sourceOf(spec.baseUrl.variable, rawEnv, settings?.baseUrl, loaded),
      default: spec.baseUrl.default ?? null,
      effective: effective === undefined ? null : displayUrl(effective),
    },
    ready: effective !== undefined && (!spec.key?.required || keyPresent),
  };
}
