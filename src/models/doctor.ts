import { BUILT_IN_LENSES } from '../brief/lenses.js';
import type { LoadedConfig } from '../config/user-config.js';
import { loadUserConfig } from '../config/user-config.js';
import { parseBrief } from '../brief/parse.js';
import { briefTemplate } from '../brief/template.js';
import { isBatonError } from '../errors.js';
import { ProviderLimits } from './concurrency.js';
import type { FaultKind } from './faults.js';
import { isProviderFault } from './faults.js';
import type { ModelRequest } from './port.js';
import type { Env, ProviderSpec } from './providers.js';
import { PROVIDER_SPECS, withConfig } from './providers.js';
import { checkModelId, resolveModel } from './registry.js';
import { structuredOutputsVariable } from './structured-outputs.js';

/**
 * `baton doctor`: one tiny request to each configured provider, and what went wrong in plain words.
 *
 * Which providers are checked: every provider named with `--model provider:model`; otherwise a
 * provider whose key is required when that key is set, and a provider that needs no key (Ollama, a
 * generic OpenAI-compatible server) only when its base URL variable is set — Baton does not probe a
 * port nobody configured. One attempt each, no retries: doctor reports what happens, it does not
 * wait it out.
 */

export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface ProviderCheck {
  provider: string;
  /** The `provider:model` tried, or null when nothing was sent. */
  model: string | null;
  status: CheckStatus;
  /** What went wrong, as a stable word: a fault kind, `not_configured` (a key or URL is missing) or `no_model`. */
  problem: FaultKind | 'not_configured' | 'no_model' | null;
  /** In plain words; never a key. */
  message: string;
  /** With `structured`: whether the server honours a JSON schema for structured answers. */
  structured?: { status: 'honoured' | 'ignored' | 'refused'; message: string };
}

export interface DoctorOptions {
  env: Env;
  /** `provider:model` ids to check; a provider named here is checked whatever its configuration. */
  models?: readonly string[];
  /** How long one check may take. */
  timeoutMs?: number;
  /** The person's config file; read from its usual place when not given. */
  config?: LoadedConfig;
  /** Also probe, with one more request, whether each answering server honours a JSON schema. */
  structured?: boolean;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Checks each configured provider with a one-line request.
 *
 * @example
 * const checks = await checkProviders({ env: process.env, models: ['openai:gpt-4o-mini'] });
 * checks.some((c) => c.status === 'failed'); // → exit 3
 */
export async function checkProviders(options: DoctorOptions): Promise<ProviderCheck[]> {
  const named = new Map<string, string[]>();
  for (const id of options.models ?? []) {
    checkModelId(id);
    const provider = id.slice(0, id.indexOf(':') < 0 ? id.length : id.indexOf(':'));
    named.set(provider, [...(named.get(provider) ?? []), id]);
  }
  const limits = new ProviderLimits();
  const config = options.config ?? loadUserConfig({ env: options.env, cwd: process.cwd() });
  const env = withConfig(options.env, config);
  const checks = PROVIDER_SPECS.flatMap((spec): Promise<ProviderCheck>[] => {
    const ids = named.get(spec.id);
    if (ids) return ids.map((id) => checkModel(spec, id, options, config, limits));
    const skip = skipReason(spec, env);
    if (skip) return [Promise.resolve(skip)];
    return [checkModel(spec, `${spec.id}:${spec.checkModel ?? ''}`, options, config, limits)];
  });
  return Promise.all(checks);
}

function present(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** Why a provider nobody named is not checked, or undefined when it is configured. */
function skipReason(spec: ProviderSpec, env: Env): ProviderCheck | undefined {
  const skipped = (problem: ProviderCheck['problem'], message: string): ProviderCheck => ({ provider: spec.id, model: null, status: 'skipped', problem, message });
  if (spec.key?.required) {
    if (!present(env[spec.key.variable])) return skipped('not_configured', `not checked: ${spec.key.variable} is not set (nor an apiKey for ${spec.id} in the config file)`);
  } else if (!present(env[spec.baseUrl.variable])) {
    return skipped('not_configured', `not checked: ${spec.baseUrl.variable} is not set (set it, or name a model with --model ${spec.example}, to check ${spec.id})`);
  }
  if (spec.checkModel === undefined) {
    return skipped('no_model', `not checked: name a model the server serves with --model ${spec.id}:<model>`);
  }
  return undefined;
}

function doctorRequest(): ModelRequest {
  const lens = BUILT_IN_LENSES[0];
  if (!lens) throw new Error('no built-in lens');
  return {
    // Real adapters send only the messages; the task is the record they were rendered from.
    task: { kind: 'open', brief: parseBrief(briefTemplate()), lens },
    messages: [{ role: 'user', content: 'Reply with the single word OK.' }],
    seed: 1,
    maxOutputTokens: 16,
  };
}

async function checkModel(spec: ProviderSpec, id: string, options: DoctorOptions, config: LoadedConfig, limits: ProviderLimits): Promise<ProviderCheck> {
  const result = (status: CheckStatus, problem: ProviderCheck['problem'], message: string): ProviderCheck => ({
    provider: spec.id,
    model: id,
    status,
    problem,
    message,
  });
  let port;
  try {
    port = resolveModel(id, {
      seed: 1,
      env: { ...options.env },
      config,
      retry: { maxAttempts: 1, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      concurrency: 1,
      limits,
    });
  } catch (error) {
    if (isBatonError(error)) return result('failed', 'not_configured', error.message);
    throw error;
  }
  try {
    const response = await port.complete(doctorRequest());
    const ok = result('ok', null, `${response.model} answered`);
    if (options.structured) ok.structured = await probeStructured(spec, id, options, config, limits);
    return ok;
  } catch (error) {
    if (!isBatonError(error)) throw error;
    const fault = isProviderFault(error.cause) ? error.cause : undefined;
    // The provider was reached and the key accepted: an empty answer or a refusal of the test
    // prompt says nothing against the configuration.
    if (fault?.kind === 'empty') return result('ok', null, `${id} answered (with no text)`);
    if (fault?.kind === 'refusal') return result('ok', null, `${id} answered (declining the test prompt)`);
    // The fault alone: "run it again later" is advice for an exploration, not for a check.
    return result('failed', fault?.kind ?? 'unknown', fault ? `${id}: ${fault.message}` : error.message);
  }
}

const PROBE_SCHEMA = {
  name: 'probe',
  description: 'A one-word answer.',
  jsonSchema: { type: 'object', additionalProperties: false, required: ['answer'], properties: { answer: { type: 'string', enum: ['yes', 'no'] } } },
};

/**
 * Asks in prose for a sentence while the request carries a schema: a server that honours the
 * schema answers `{"answer": …}` anyway; one that ignores it answers in prose; one that refuses
 * the setting fails the request. The probe forces structured outputs on, whatever the setting.
 */
async function probeStructured(spec: ProviderSpec, id: string, options: DoctorOptions, config: LoadedConfig, limits: ProviderLimits): Promise<NonNullable<ProviderCheck['structured']>> {
  const variable = structuredOutputsVariable(spec.id);
  const port = resolveModel(id, {
    seed: 1,
    env: { ...options.env, [variable]: 'true' },
    config,
    retry: { maxAttempts: 1, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    concurrency: 1,
    limits,
  });
  const request: ModelRequest = { ...doctorRequest(), messages: [{ role: 'user', content: 'In one short sentence of prose: is water wet?' }], schema: PROBE_SCHEMA, maxOutputTokens: 64 };
  try {
    const response = await port.complete(request);
    let value: unknown;
    try {
      value = JSON.parse(response.text.trim());
    } catch {
      value = undefined;
    }
    const answer = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).answer : undefined;
    if (answer === 'yes' || answer === 'no') return { status: 'honoured', message: `${id} honours a JSON schema: judge answers are asked for in its structured-output mode` };
    return {
      status: 'ignored',
      message: `${id} ignored the JSON schema and answered in prose: set ${variable}=false (or structuredOutputs: false under providers.${spec.id} in the config file) so that Baton asks in the prompt and repairs`,
    };
  } catch (error) {
    if (!isBatonError(error)) throw error;
    return {
      status: 'refused',
      message: `${id} refused a request carrying a JSON schema: set ${variable}=false (or structuredOutputs: false under providers.${spec.id} in the config file)`,
    };
  }
}
