import { BatonError } from '../errors.js';

/**
 * The person's word on whether a provider's server honours a JSON schema for structured answers:
 * `BATON_<PROVIDER>_STRUCTURED_OUTPUTS` (or `structuredOutputs` in the config file, which fills the
 * variable). Unset: what the provider's spec says. `baton doctor --structured` probes a server.
 */

export function structuredOutputsVariable(provider: string): string {
  return `BATON_${provider.toUpperCase().replace(/[^A-Z0-9]+/gu, '_')}_STRUCTURED_OUTPUTS`;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** The setting for a provider: its variable when set, else `fallback`. Refuses a value that is not a yes or a no. */
export function structuredOutputsFromEnv(provider: string, env: Readonly<Record<string, string | undefined>>, fallback: boolean): boolean {
  const variable = structuredOutputsVariable(provider);
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw new BatonError('invalid_input', `${variable} must be true or false (it is "${env[variable]?.trim() ?? ''}")`, { location: { field: variable } });
}
