import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { isBatonError } from '../errors.js';
import type { ApiError, ApiErrorCode } from './contract.js';
import { ERROR_STATUS } from './contract.js';

/**
 * Errors over HTTP: one JSON shape (`ApiError`), one status per code (`ERROR_STATUS`). A user's
 * mistake comes back located; anything unexpected is a plain 500 with no stack trace.
 */

export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly body: ApiError;

  constructor(code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.body = { code, message, ...(field !== undefined ? { field } : {}) };
  }

  get status(): number {
    return ERROR_STATUS[this.body.code];
  }
}

/** The ApiError and status for anything thrown while handling a request. */
export function problemOf(error: unknown): { status: number; body: ApiError } {
  if (error instanceof HttpProblem) return { status: error.status, body: error.body };
  if (isBatonError(error)) {
    const { field, line, column } = error.location ?? {};
    const body: ApiError = { code: error.code, message: error.message };
    if (field !== undefined) body.field = field;
    if (line !== undefined) body.line = line;
    if (column !== undefined) body.column = column;
    return { status: ERROR_STATUS[error.code], body };
  }
  return { status: 500, body: { code: 'internal', message: 'internal error — this is a bug; the server log has the details' } };
}

export function sendProblem(c: Context, error: unknown): Response {
  const { status, body } = problemOf(error);
  return c.json(body, status as ContentfulStatusCode);
}

/** Parses `value` with `schema`, or throws a 400 naming the first offending field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = issue ? issue.path.map(String).join('.') : '';
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid request';
  throw new HttpProblem('invalid_input', message, field);
}

/** The request's JSON body, or a 400 when it is missing, not JSON, or not sent as JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/iu.test(type)) throw new HttpProblem('invalid_input', 'send the body as JSON (Content-Type: application/json)', '');
  try {
    return (await c.req.json()) as unknown;
  } catch {
    throw new HttpProblem('invalid_input', 'the body is not valid JSON', '');
  }
}
