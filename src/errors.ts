/**
 * One error type for everything Baton reports on purpose. `code` is stable and machine-readable;
 * the table below maps each code to a CLI exit code and an HTTP status in one place.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  /** A person on a shared server lacks the right (an exploration not shared with them, or shared read-only). */
  | 'forbidden'
  | 'provider_failure'
  | 'budget_exhausted'
  /** Another process holds the exploration's lease: it is being explored elsewhere. */
  | 'exploration_busy'
  /** The database cannot be written: disk full, read-only file or folder, or unwritable path. */
  | 'storage_unavailable'
  /** A brief took more time or memory to read than a limit allows (sent to a server, typically). */
  | 'limit_exceeded'
  /** The person pressed Ctrl-C: the command stopped cleanly before it was done. */
  | 'interrupted'
  | 'internal';

interface CodeInfo {
  exitCode: number;
  status: number;
}

/**
 * Exit codes (the README's table): 0 done, 1 internal, 2 invalid input, 3 provider, 4 budget,
 * 5 explored by another process, 6 storage unavailable, 10 awaiting, 130 interrupted (Ctrl-C).
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  provider: 3,
  budget: 4,
  busy: 5,
  storage: 6,
  awaiting: 10,
  interrupted: 130,
} as const;

export const ERROR_CODES: Record<ErrorCode, CodeInfo> = {
  invalid_input: { exitCode: EXIT.invalidInput, status: 400 },
  not_found: { exitCode: EXIT.invalidInput, status: 404 },
  conflict: { exitCode: EXIT.invalidInput, status: 409 },
  forbidden: { exitCode: EXIT.invalidInput, status: 403 },
  provider_failure: { exitCode: EXIT.provider, status: 502 },
  budget_exhausted: { exitCode: EXIT.budget, status: 402 },
  exploration_busy: { exitCode: EXIT.busy, status: 409 },
  storage_unavailable: { exitCode: EXIT.storage, status: 503 },
  limit_exceeded: { exitCode: EXIT.invalidInput, status: 422 },
  interrupted: { exitCode: EXIT.interrupted, status: 503 },
  internal: { exitCode: EXIT.internal, status: 500 },
};

/** Where in a user's file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `criteria.2.weight`. */
  field?: string;
}

export interface BatonErrorOptions {
  cause?: unknown;
  location?: SourceLocation;
  retryable?: boolean;
  details?: readonly string[];
}

export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly retryable: boolean;
  /** Further located messages (e.g. every problem found in a brief, not just the first). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: BatonErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.location = options.location;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isBatonError(error: unknown): error is BatonError {
  return error instanceof BatonError;
}

/** `file:line:column` (as much of it as is known), the form editors make clickable. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file) parts.push(location.file);
  if (location.line !== undefined) {
    parts.push(String(location.line));
    if (location.column !== undefined) parts.push(String(location.column));
  }
  return parts.join(':');
}
