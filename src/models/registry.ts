import { closest } from 'fastest-levenshtein';
import { BatonError } from '../errors.js';
import type { ModelPort } from './port.js';
import { createRehearsalModel } from './rehearsal/index.js';

/**
 * Baton's own model registry: ids are `provider:model`, and a provider must be named — a bare
 * id never falls through to some hosted gateway. Each provider is a factory of `ModelPort`s.
 */

export interface ModelOptions {
  seed: number;
  /** Simulated latency of the rehearsal model, in milliseconds. */
  latencyMs?: number;
  env?: Record<string, string | undefined>;
}

type Factory = (model: string, options: ModelOptions) => ModelPort;

const PROVIDERS = new Map<string, Factory>([
  [
    'rehearsal',
    (_model, options) =>
      createRehearsalModel(options.latencyMs !== undefined ? { seed: options.seed, latencyMs: options.latencyMs } : { seed: options.seed }),
  ],
]);

/** Providers DESIGN.md plans that this build cannot reach yet. */
const PLANNED = ['openai', 'anthropic', 'ollama', 'openai-compatible'];

export function providerIds(): string[] {
  return [...PROVIDERS.keys()];
}

export function resolveModel(id: string, options: ModelOptions): ModelPort {
  const colon = id.indexOf(':');
  const provider = colon < 0 ? id : id.slice(0, colon);
  const model = colon < 0 ? 'default' : id.slice(colon + 1);
  const factory = PROVIDERS.get(provider);
  if (factory) return factory(model, options);
  if (PLANNED.includes(provider)) {
    throw new BatonError(
      'invalid_input',
      `model "${id}": the ${provider} provider is not available in this version of Baton yet; use "rehearsal" to explore offline`,
      { location: { field: 'model' } },
    );
  }
  const known = [...PROVIDERS.keys(), ...PLANNED];
  throw new BatonError('invalid_input', `model "${id}": unknown provider "${provider}" — did you mean "${closest(provider, known)}"?`, {
    location: { field: 'model' },
  });
}
