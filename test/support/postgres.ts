import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';

/**
 * Tests against the real PostgreSQL server (127.0.0.1:5432, trust auth, database `test`; set
 * BATON_TEST_PG to use another). Each store lives in a schema of its own, created on first use
 * and dropped afterwards, so parallel test files (and other people's runs) never meet.
 *
 * Without a server the tests are skipped locally, but fail under CI: there the server must be up
 * (`.ci/run` starts it).
 */
export const TEST_PG_URL = process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgresReachable = await probe();

/** True when the Postgres tests should be skipped: no server, and not under CI (where that is a failure). */
export const skipWithoutPostgres = !postgresReachable && !process.env.CI;

/** A new schema name, unique to this process and call. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** The test database's URL with `?schema=`: what `--db` / BATON_DB takes. */
export function schemaUrl(schema: string): string {
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A Postgres store in a fresh schema, ready, and a cleanup that closes it and drops the schema. */
export async function freshPostgresStore(): Promise<{ store: PostgresStore; schema: string; url: string; cleanup(): Promise<void> }> {
  const schema = uniqueSchema();
  const url = schemaUrl(schema);
  const store = openPostgresStore(url);
  await store.ready;
  return {
    store,
    schema,
    url,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}
