import pg from 'pg';
import { BatonError, isBatonError } from '../../errors.js';

/**
 * Reading a `postgres://` location and opening a pool on it. Baton's own URL parameter `schema`
 * puts every table in that schema (created if missing), so one database can hold several stores
 * (a team's, a test run's); without it the tables go where the server's search_path says
 * (normally `public`).
 */

export interface PostgresLocation {
  /** The URL as given, minus `schema` and any password: what messages show. */
  display: string;
  connectionString: string;
  schema: string | undefined;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/u;

/** Whether a `--db` / `BATON_DB` value names a Postgres database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//iu.test(location);
}

export function parsePostgresLocation(location: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch (error) {
    throw new BatonError('invalid_input', `--db ${redact(location)} is not a valid postgres:// URL.`, { cause: error, location: { field: '--db' } });
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new BatonError('invalid_input', `--db: schema "${schema}" must be letters, digits and _ (not starting with a digit, at most 63).`, {
      location: { field: '--db' },
    });
  }
  url.searchParams.delete('schema');
  const connectionString = url.toString();
  const shown = new URL(connectionString);
  if (shown.password !== '') shown.password = '***';
  if (schema !== undefined) shown.searchParams.set('schema', schema);
  return { display: shown.toString(), connectionString, schema };
}

function redact(location: string): string {
  return location.replace(/\/\/([^:/@]*):[^@/]*@/u, '//$1:***@');
}

/** int8 (BIGINT, COUNT) as a number: seqs and seeds stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function openPool(location: PostgresLocation, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max,
    types,
    // The schema, when given, is the connection's search_path: queries name tables unqualified.
    ...(location.schema !== undefined ? { options: `-c search_path=${location.schema}` } : {}),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    application_name: 'baton',
  });
  // An idle client losing its connection (server restart) must not crash the process; the next
  // query gets a new connection or a clear error.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes and Node errors that mean the database cannot be reached or used right now. */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** Turns constraint failures and connection failures into Baton errors; anything else passes through. */
export function translatePgError(error: unknown, display: string): unknown {
  if (isBatonError(error) || typeof error !== 'object' || error === null) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '23505') return new BatonError('conflict', `Already stored: ${message}.`, { cause: error });
  if (code === '23503') {
    return new BatonError('invalid_input', 'A record refers to a brief, exploration, candidate or checkpoint that is not stored.', { cause: error });
  }
  if (code === '3D000') return new BatonError('invalid_input', `${display}: the database does not exist (${message}).`, { cause: error });
  if (code === '28P01' || code === '28000') return new BatonError('invalid_input', `${display}: the server refused the login (${message}).`, { cause: error });
  if (
    (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '53300')) ||
    /timeout exceeded when trying to connect|Connection terminated/iu.test(message)
  ) {
    return new BatonError('storage_unavailable', `The Postgres store ${display} cannot be reached: ${message}.`, { cause: error, retryable: true });
  }
  // disk_full, insufficient_resources, out_of_memory; a read-only server (a standby).
  if (code === '53100' || code === '53000' || code === '53200' || code === '25006') {
    return new BatonError('storage_unavailable', `The Postgres store ${display} cannot take writes: ${message}.`, { cause: error });
  }
  return error;
}
