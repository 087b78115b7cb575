import { isPostgresUrl } from './postgres/connection.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { defaultDbPath, openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * The store a `--db` / `BATON_DB` value names: a `postgres://` (or `postgresql://`) URL opens the
 * team store on that server; anything else is a SQLite file (the local default), `:memory:` a
 * private in-memory one.
 *
 * @example
 * const store = openStore(resolveStoreLocation(undefined, process.cwd(), process.env));
 */
export function openStore(location: string): Store {
  return isPostgresUrl(location) ? openPostgresStore(location) : openSqliteStore(location);
}

/** `--db` as given, else BATON_DB (a URL kept as it is, a path made absolute), else `./.baton/baton.db`. */
export function resolveStoreLocation(db: string | undefined, cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  if (db !== undefined) return db;
  const fromEnv = env.BATON_DB;
  if (fromEnv !== undefined && isPostgresUrl(fromEnv)) return fromEnv;
  return defaultDbPath(cwd, env);
}

/** Whether the store lives on a database server (shared by a team) rather than in a local file. */
export function isServerLocation(location: string): boolean {
  return isPostgresUrl(location);
}
