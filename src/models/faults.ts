import { APICallError } from 'ai';
import { redactUrlCredentials } from '../util/sanitize/urls.js';

/**
 * What can go wrong when Baton calls a provider, as data: each fault has a kind, whether trying
 * again can help, how long the provider asked us to wait, and a plain-words explanation that says
 * what happened and what to try. Adapters turn their SDK's errors into faults; the one retry layer
 * (`retry.ts`) and `baton doctor` read only these fields.
 */

export type FaultKind =
  /** HTTP 429: the key works, but the provider asks to slow down. */
  | 'rate_limited'
  /** HTTP 5xx (and Anthropic's 529 "overloaded"). */
  | 'server_error'
  /** No answer within the per-call timeout (or HTTP 408). */
  | 'timeout'
  /** The connection was refused, reset or cut off before the answer was complete. */
  | 'connection'
  /** The host name does not resolve. */
  | 'dns'
  /** The answer was not valid JSON in the provider's format: truncated or garbled. */
  | 'malformed'
  /** The model answered with empty or whitespace-only text. */
  | 'empty'
  /** The model declined to answer (a content filter or a refusal). */
  | 'refusal'
  /** HTTP 401 or 403: the key is wrong, revoked, or not allowed this model. */
  | 'auth'
  /** HTTP 404: an unknown model, or a base URL that is not this provider's API. */
  | 'not_found'
  /** Any other HTTP 4xx: the provider rejected the request itself. */
  | 'bad_request'
  /** Anything else: not retried, since nothing says trying again would help. */
  | 'unknown';

/**
 * Whether an attempt that ended in this fault may have been billed: the provider may have generated
 * (some of) an answer before it was lost. A rejected request (429, 4xx, 5xx) was not.
 */
export const MAY_BE_BILLED: Readonly<Record<FaultKind, boolean>> = {
  rate_limited: false,
  server_error: false,
  timeout: true,
  connection: true,
  dns: false,
  malformed: true,
  empty: true,
  refusal: true,
  auth: false,
  not_found: false,
  bad_request: false,
  unknown: true,
};

/** Whether a fault of this kind can go away by itself. Refusals are retried once, apart. */
export const RETRYABLE: Readonly<Record<FaultKind, boolean>> = {
  rate_limited: true,
  server_error: true,
  timeout: true,
  connection: true,
  dns: false,
  malformed: true,
  empty: true,
  refusal: true,
  auth: false,
  not_found: false,
  bad_request: false,
  unknown: false,
};

export interface ProviderFaultInit {
  kind: FaultKind;
  /** What happened and what to try, in plain words, with no key in it. */
  explanation: string;
  status?: number;
  /** How long the provider asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** Overrides `MAY_BE_BILLED[kind]`: e.g. a `connection` fault that never reached the provider (refused) was not billed. */
  mayBeBilled?: boolean;
  cause?: unknown;
}

/** A failed provider call, classified. Its message never contains a key. */
export class ProviderFault extends Error {
  override readonly name = 'ProviderFault';
  readonly kind: FaultKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** Whether the attempt may have been billed: it reached the provider, which may have generated. */
  readonly mayBeBilled: boolean;

  constructor(init: ProviderFaultInit) {
    super(init.explanation, { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.mayBeBilled = init.mayBeBilled ?? MAY_BE_BILLED[init.kind];
  }

  get retryable(): boolean {
    return RETRYABLE[this.kind];
  }
}

export function isProviderFault(error: unknown): error is ProviderFault {
  return error instanceof ProviderFault;
}

/**
 * A Retry-After value in milliseconds: delta-seconds (`"3"`) or an HTTP date; OpenAI's
 * `retry-after-ms` when present is more precise. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Readonly<Record<string, string | undefined>> | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = lower['retry-after-ms'];
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/u.test(ms)) return Math.ceil(Number(ms));
  const raw = lower['retry-after']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/u.test(raw)) return Math.ceil(Number(raw) * 1000);
  // An HTTP date names its day and month; Date.parse alone would read "-3" as a year.
  const date = /[a-z]{3}/iu.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Where a provider is reached, for explanations: names of variables, never their values. */
export interface FaultContext {
  /** `provider:model`. */
  id: string;
  model: string;
  /** The base URL, safe to show (no credentials). */
  baseUrl: string;
  baseUrlVariable: string;
  keyVariable: string | undefined;
  /** Strings to scrub from any text shown (the key). */
  secrets: readonly string[];
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

/** The error codes of Node and undici along an error's cause chain. */
function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = current.cause;
  }
  return codes;
}

function kindOfStatus(status: number): FaultKind {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'bad_request';
  return 'malformed';
}

/** Classifies an error thrown by a Vercel AI SDK call. */
export function faultFromSdkError(error: unknown, context: FaultContext): ProviderFault {
  const detail = redactUrlCredentials(redact(error instanceof Error ? error.message : String(error), context.secrets));
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    // A 2xx whose body could not be read as the provider's JSON: truncated or garbled.
    const kind: FaultKind = status === undefined ? connectionKind(error) : kindOfStatus(status);
    const wait = status === 429 || status === 503 || status === 529 ? retryAfterMs(error.responseHeaders) : undefined;
    return new ProviderFault({
      kind,
      explanation: explain(kind, context, { status, detail, cause: error }),
      ...(status !== undefined ? { status } : {}),
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      ...(status === undefined && neverSent(error) ? { mayBeBilled: false } : {}),
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : '';
  const kind: FaultKind = /JSONParse|TypeValidation|InvalidResponseData|EmptyResponseBody/u.test(name) ? 'malformed' : causeCodes(error).length > 0 ? connectionKind(error) : 'unknown';
  return new ProviderFault({
    kind,
    explanation: explain(kind, context, { status: undefined, detail, cause: error }),
    ...(neverSent(error) ? { mayBeBilled: false } : {}),
    cause: error,
  });
}

/**
 * Codes that mean no request byte reached the provider: the connection was never made (refused,
 * no route, no such host, the connect timed out) or the TLS handshake failed. Such an attempt
 * cannot have been billed. A reset or cut-off after connecting may have been.
 */
const NEVER_SENT: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether an error of a connection says the request never reached the provider. */
export function neverSent(error: unknown): boolean {
  return causeCodes(error).some((code) => NEVER_SENT.has(code));
}

function connectionKind(error: unknown): FaultKind {
  const codes = causeCodes(error);
  if (codes.includes('ENOTFOUND')) return 'dns';
  return 'connection';
}

function connectionDetail(codes: readonly string[], detail: string): string {
  if (codes.includes('ECONNREFUSED')) return 'connection refused';
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET') || codes.includes('EPIPE')) return 'the connection was cut off before the answer was complete';
  if (codes.includes('EAI_AGAIN')) return 'the host name could not be looked up just now';
  if (codes.includes('ETIMEDOUT') || codes.includes('UND_ERR_CONNECT_TIMEOUT')) return 'the connection timed out';
  return detail;
}

/** What happened and what to try, in plain words. */
export function explain(kind: FaultKind, context: FaultContext, facts: { status: number | undefined; detail: string; cause?: unknown }): string {
  const http = facts.status !== undefined ? ` (HTTP ${facts.status})` : '';
  const provider = context.id.slice(0, context.id.indexOf(':'));
  switch (kind) {
    case 'rate_limited':
      return `rate limited${http}: the key works, but the provider asks to slow down — wait a little, lower the concurrency (BATON_${provider.toUpperCase().replace(/-/gu, '_')}_CONCURRENCY), or check the account's limits and credit`;
    case 'server_error':
      return `the provider had a server error${http}: ${facts.detail} — this is on their side; try again later`;
    case 'timeout':
      return `no answer in time${http} — the server may be overloaded or the model slow to load; try again later`;
    case 'connection':
      return `cannot reach ${context.baseUrl}: ${connectionDetail(causeCodes(facts.cause), facts.detail)} — is the server running, and is ${context.baseUrlVariable} right?`;
    case 'dns':
      return `cannot reach ${context.baseUrl}: the host name does not resolve — check ${context.baseUrlVariable}`;
    case 'malformed':
      return `the answer was not readable as the provider's JSON (truncated or garbled)${http} — if it persists, check that ${context.baseUrlVariable} points at a ${provider} API`;
    case 'empty':
      return 'the model answered with empty text';
    case 'refusal':
      return 'the model refused to answer (a content filter or a refusal) — rephrase the brief, or try another model';
    case 'auth':
      return context.keyVariable
        ? `the key in ${context.keyVariable} was refused${http} — check that it is right, not revoked, and allowed to use ${context.model}`
        : `the server refused the request${http}: it wants a key Baton does not send for this provider`;
    case 'not_found':
      return `unknown model "${context.model}", or ${context.baseUrlVariable} is not this provider's API${http} — check the model name (for Ollama, \`ollama pull ${context.model}\`) and ${context.baseUrl}`;
    case 'bad_request':
      return `the provider rejected the request${http}: ${facts.detail}`;
    case 'unknown':
      return facts.detail;
  }
}
