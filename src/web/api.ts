import type { ApiError, SessionResponse } from './types.js';

/**
 * The HTTP API, from the browser. The session cookie travels by itself (same origin); every POST
 * carries the CSRF token from `GET /api/session`. Failures become `ApiFailure` with a message a
 * person can read — never a stack trace or raw HTML.
 */

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let session: Promise<SessionResponse> | undefined;

/** The session (CSRF token and version), fetched once per page. */
export function getSession(): Promise<SessionResponse> {
  session ??= getJson<SessionResponse>('/api/session').catch((error: unknown) => {
    session = undefined;
    throw error;
  });
  return session;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await send(path, { method: 'GET', headers: { accept: 'application/json' } }));
}

export async function getText(path: string): Promise<string> {
  const response = await send(path, { method: 'GET' });
  if (!response.ok) await parse(response);
  return response.text();
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return sendJson<T>('POST', path, body);
}

export async function patchJson<T>(path: string, body: unknown): Promise<T> {
  return sendJson<T>('PATCH', path, body);
}

export async function deleteResource(path: string): Promise<void> {
  const { csrfToken } = await getSession();
  const response = await send(path, { method: 'DELETE', headers: { accept: 'application/json', 'x-baton-csrf': csrfToken } });
  await parse(response);
}

async function sendJson<T>(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> {
  const { csrfToken } = await getSession();
  const response = await send(path, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-baton-csrf': csrfToken },
    body: JSON.stringify(body),
  });
  return parse<T>(response);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { ...init, credentials: 'same-origin' });
  } catch {
    throw new ApiFailure('Baton’s server cannot be reached. Is `baton serve` still running?', 0, 'unreachable');
  }
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;
  throw failureOf(response.status, body);
}

function failureOf(status: number, body: unknown): ApiFailure {
  if (isApiError(body)) {
    // Say where, unless the message already does (`brief.md:8:1: …`).
    const located = /:\d+:\d+|\bline \d+/.test(body.message);
    const where = body.line !== undefined && !located ? ` (line ${body.line}${body.column !== undefined ? `, column ${body.column}` : ''})` : '';
    return new ApiFailure(`${body.message}${where}`, status, body.code, body.field);
  }
  if (status === 401) return new ApiFailure('This page is not signed in: open the link `baton serve` printed (with its token).', status, 'unauthorized');
  return new ApiFailure(`The server answered ${status}.`, status, 'internal');
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && typeof (body as ApiError).message === 'string' && typeof (body as ApiError).code === 'string';
}

/** A readable message for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
