import { closest } from 'fastest-levenshtein';
import type { LoadedConfig } from '../config/user-config.js';
import { loadUserConfig } from '../config/user-config.js';
import { BatonError } from '../errors.js';
import type { ProviderGates, ProviderLimitSettings } from './concurrency.js';
import { concurrencyFromEnv, ProviderLimits, rateFromEnv } from './concurrency.js';
import { knownModelId } from './pricing.js';
import { createLocalEmbedding } from './local-embedding.js';
import type { EmbeddingPort, ModelPort } from './port.js';
import type { Env, ProviderStatus } from './providers.js';
import { PROVIDER_SPECS, providerSpec, providerStatus, withConfig } from './providers.js';
import { createRehearsalModel } from './rehearsal/index.js';
import type { RetryOptions } from './retry.js';
import { retrier, withRetries } from './retry.js';
import { createSdkEmbedding } from './sdk-embedding.js';
import { createSdkModel } from './sdk-model.js';

/**
 * Baton's own model registry: ids are `provider:model`, and a provider must be named — a bare
 * id never falls through to some hosted gateway. Each provider is a factory of `ModelPort`s.
 */

export interface ModelOptions {
  seed: number;
  /** Simulated latency of the rehearsal model, in milliseconds. */
  latencyMs?: number;
  /** Where provider keys and base URLs are read from; `process.env` when not given. */
  env?: Record<string, string | undefined>;
  /**
   * The retry policy of real providers (attempts, waits, per-call timeout; an injected sleep and
   * jitter source for tests). `DEFAULT_RETRY_POLICY` when not given. The rehearsal model is never retried.
   */
  retry?: Omit<RetryOptions, 'limiter'>;
  /**
   * Concurrent calls per provider. Default: `BATON_<PROVIDER>_CONCURRENCY` (e.g.
   * `BATON_OPENAI_CONCURRENCY`), else 8.
   */
  concurrency?: number;
  /**
   * Whose gates count the calls in flight and the request rate: one shared by the whole process
   * when not given; the team's workers give one kept in Postgres, shared by all of them.
   */
  limits?: ProviderGates;
  /**
   * The person's config file (keys, base URLs, concurrency, prices, retry policy), already read;
   * when not given it is read from `BATON_CONFIG` / `~/.config/baton/config.yaml` (see `loadUserConfig`).
   */
  config?: LoadedConfig;
  /** The project directory, where a config file holding keys must not be; the process's by default. */
  cwd?: string;
}

/** The semaphores of every provider, shared by all the models this process resolves. */
const SHARED_LIMITS = new ProviderLimits();

type Factory = (model: string, options: ModelOptions) => ModelPort;

interface ProviderEntry {
  factory: Factory;
  /** Whether the provider needs a model name after the colon. */
  needsModel: boolean;
  example: string;
}

const PROVIDERS = new Map<string, ProviderEntry>([
  [
    'rehearsal',
    {
      factory: (_model, options) =>
        createRehearsalModel(options.latencyMs !== undefined ? { seed: options.seed, latencyMs: options.latencyMs } : { seed: options.seed }),
      needsModel: false,
      example: 'rehearsal',
    },
  ],
  ...PROVIDER_SPECS.map((spec): [string, ProviderEntry] => [
    spec.id,
    {
      factory: (model, options) => {
        const loaded = configOf(options);
        const env = withConfig(envOf(options), loaded);
        const port = createSdkModel(spec, model, env, loaded.config.pricing);
        const limiter = (options.limits ?? SHARED_LIMITS).for(spec.id, limitsOf(spec.id, env, loaded, options));
        return withRetries(port, { ...retryFromConfig(loaded), ...options.retry, limiter });
      },
      needsModel: true,
      example: spec.example,
    },
  ]),
]);

/** A provider's limits: the caller's concurrency, else the environment's, else the config file's (merged into `env`). */
function limitsOf(provider: string, env: Env, loaded: LoadedConfig, options: ModelOptions): ProviderLimitSettings {
  const fromFile = (loaded.config.providers as Record<string, { requestsPerMinute?: number } | undefined>)[provider]?.requestsPerMinute;
  return { concurrency: options.concurrency ?? concurrencyFromEnv(provider, env), requestsPerMinute: rateFromEnv(provider, env, fromFile) };
}

function envOf(options: ModelOptions): Env {
  return options.env ?? process.env;
}

function configOf(options: ModelOptions): LoadedConfig {
  return options.config ?? loadUserConfig({ env: envOf(options), cwd: options.cwd ?? process.cwd() });
}

function retryFromConfig(loaded: LoadedConfig): Omit<RetryOptions, 'limiter'> {
  const { maxAttempts, timeoutSeconds } = loaded.config.retry;
  return {
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
  };
}

export function providerIds(): string[] {
  return [...PROVIDERS.keys()];
}

interface ParsedId {
  entry: ProviderEntry;
  model: string;
}

/** Checks the shape of a model id and that its provider exists; reads no keys. */
function parseModelId(id: string): ParsedId {
  const colon = id.indexOf(':');
  const provider = colon < 0 ? id : id.slice(0, colon);
  const model = colon < 0 ? '' : id.slice(colon + 1).trim();
  const entry = PROVIDERS.get(provider);
  if (!entry) {
    const suggestion = (colon < 0 ? knownModelId(id) : undefined) ?? closest(provider, providerIds());
    throw new BatonError('invalid_input', `model "${id}": unknown provider "${provider}" — did you mean "${suggestion}"?`, {
      location: { field: 'model' },
    });
  }
  if (entry.needsModel && model === '') {
    throw new BatonError('invalid_input', `model "${id}": name the model after the provider, e.g. "${entry.example}"`, {
      location: { field: 'model' },
    });
  }
  return { entry, model: model === '' ? 'default' : model };
}

/** Validates a model id without resolving it (no keys needed): for linting a brief. */
export function checkModelId(id: string): void {
  parseModelId(id);
}

/**
 * Resolves `provider:model` to a model. A provider's missing key or base URL is refused here,
 * naming the variable to set.
 *
 * @example
 * const model = resolveModel('openai:gpt-4o-mini', { seed: 1, env: process.env });
 */
export function resolveModel(id: string, options: ModelOptions): ModelPort {
  const { entry, model } = parseModelId(id);
  return entry.factory(model, options);
}

/** The local lexical embedding's id: what novelty uses when no provider embedding is named. */
export const LOCAL_EMBEDDING = 'local';

/**
 * Resolves the embedding novelty uses: `local` (or nothing) for the local lexical embedding, or a
 * provider's embedding model as `provider:model` — through the same keys, config, retry layer and
 * concurrency limit as its completions. A provider without embeddings is refused, naming those
 * that have them.
 *
 * @example
 * const embedding = resolveEmbedding('openai:text-embedding-3-small', { seed: 1 });
 */
export function resolveEmbedding(id: string | undefined, options: ModelOptions): EmbeddingPort {
  if (id === undefined || id === LOCAL_EMBEDDING) return createLocalEmbedding();
  const { model } = parseModelId(id);
  const provider = id.slice(0, id.indexOf(':'));
  const spec = providerSpec(provider);
  const withEmbeddings = PROVIDER_SPECS.filter((s) => s.embeddingModel).map((s) => s.embeddingExample ?? s.id);
  if (!spec?.embeddingModel) {
    throw new BatonError('invalid_input', `embedding "${id}": ${provider} has no embedding models — use "local" or one of ${withEmbeddings.join(', ')}`, {
      location: { field: 'embed' },
    });
  }
  const loaded = configOf(options);
  const env = withConfig(envOf(options), loaded);
  const limiter = (options.limits ?? SHARED_LIMITS).for(spec.id, limitsOf(spec.id, env, loaded, options));
  return createSdkEmbedding(spec, model, env, loaded.config.pricing, retrier({ ...retryFromConfig(loaded), ...options.retry, limiter }));
}

/** Every provider and whether this environment (and config file) can use it, for `baton models`; never a key's value. */
export function describeProviders(env: Env, config: LoadedConfig = loadUserConfig({ env, cwd: process.cwd() })): ProviderStatus[] {
  const rehearsal: ProviderStatus = {
    id: 'rehearsal',
    description: 'The offline rehearsal model: deterministic, free, for demos and tests',
    example: 'rehearsal',
    key: null,
    baseUrl: null,
    ready: true,
  };
  return [rehearsal, ...PROVIDER_SPECS.map((spec) => providerStatus(spec, env, config))];
}
