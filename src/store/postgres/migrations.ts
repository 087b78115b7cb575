import type { PoolClient } from 'pg';
import { BatonError } from '../../errors.js';
import { SPEND_TOTALS_POSTGRES } from '../spend-totals.js';

/**
 * The Postgres store's own migrations, applied in order. They are not the SQLite ones translated
 * step by step: a new Postgres database starts at the shape SQLite reached through its history
 * (outputs and embeddings beside their rows, `seq` from an identity column), and each later
 * version adds what the `Store` port grows. `baton_schema.version` holds the last one applied.
 * Never edit a released migration: add a new one.
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    // `ord` columns give the insertion order SQLite reads from its rowid. Times are kept as the
    // ISO text the port hands over, so they read back exactly as written. Money and scores are
    // double precision: a reserved $0.003 reads back as 0.003.
    sql: `
      CREATE TABLE briefs (
        id          TEXT PRIMARY KEY,
        lineage_id  TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        parent_id   TEXT REFERENCES briefs(id),
        path        TEXT,
        source      TEXT NOT NULL,
        brief_json  TEXT NOT NULL,
        note        TEXT,
        created_at  TEXT NOT NULL,
        UNIQUE (lineage_id, version)
      );

      CREATE TABLE explorations (
        ord              BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id               TEXT PRIMARY KEY,
        brief_id         TEXT NOT NULL REFERENCES briefs(id),
        current_brief_id TEXT NOT NULL REFERENCES briefs(id),
        status           TEXT NOT NULL CHECK (status IN ('running', 'awaiting', 'accepted', 'exhausted', 'stopped')),
        seed             BIGINT NOT NULL,
        model            TEXT NOT NULL,
        judge            TEXT NOT NULL,
        title            TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX explorations_by_created ON explorations (created_at, ord);

      CREATE TABLE candidates (
        ord             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id              TEXT PRIMARY KEY,
        exploration_id  TEXT NOT NULL REFERENCES explorations(id),
        move_id         TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL CHECK (kind IN ('open', 'deepen', 'combine')),
        lens_id         TEXT NOT NULL,
        depth           INTEGER NOT NULL,
        text            TEXT NOT NULL,
        -- One signed byte per dimension and a scale when quantized, else float32 bytes (embedding-codec.ts).
        embedding       BYTEA NOT NULL,
        embedding_scale DOUBLE PRECISION,
        model           TEXT NOT NULL,
        created_at      TEXT NOT NULL
      );
      CREATE INDEX candidates_by_exploration ON candidates (exploration_id, ord);

      -- A fork points at its ancestors; their text is never copied.
      CREATE TABLE candidate_parents (
        candidate_id TEXT NOT NULL REFERENCES candidates(id),
        parent_id    TEXT NOT NULL REFERENCES candidates(id),
        position     INTEGER NOT NULL,
        PRIMARY KEY (candidate_id, position)
      );

      CREATE TABLE judgments (
        ord               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id                TEXT PRIMARY KEY,
        candidate_id      TEXT NOT NULL REFERENCES candidates(id),
        brief_id          TEXT NOT NULL REFERENCES briefs(id),
        quality           DOUBLE PRECISION NOT NULL,
        scores_json       TEXT NOT NULL,
        failed_json       TEXT NOT NULL,
        flags_json        TEXT NOT NULL,
        critique          TEXT NOT NULL,
        novelty           DOUBLE PRECISION NOT NULL,
        parent_similarity DOUBLE PRECISION,
        judge             TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        UNIQUE (candidate_id, brief_id)
      );

      -- Intent before the request, result after: a completed call is never paid for twice.
      CREATE TABLE calls (
        ord             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        key             TEXT PRIMARY KEY,
        exploration_id  TEXT,
        purpose         TEXT NOT NULL CHECK (purpose IN ('open', 'deepen', 'combine', 'judge', 'reframe')),
        model           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('intent', 'done', 'failed')),
        answer          TEXT CHECK (answer IN ('valid', 'repaired', 'invalid')),
        reserved_tokens INTEGER NOT NULL,
        reserved_usd    DOUBLE PRECISION NOT NULL,
        -- Dropped once the events that keep the answer elsewhere are committed (releasedCalls).
        output          TEXT,
        input_tokens    INTEGER,
        output_tokens   INTEGER,
        usd             DOUBLE PRECISION,
        latency_ms      DOUBLE PRECISION,
        started_at      TEXT NOT NULL,
        finished_at     TEXT
      );
      CREATE INDEX calls_by_exploration ON calls (exploration_id, ord);

      CREATE TABLE checkpoints (
        id             TEXT PRIMARY KEY,
        exploration_id TEXT NOT NULL REFERENCES explorations(id),
        reasons_json   TEXT NOT NULL,
        board_json     TEXT NOT NULL,
        created_at     TEXT NOT NULL
      );
      CREATE INDEX checkpoints_by_exploration ON checkpoints (exploration_id);

      CREATE TABLE decisions (
        id                 TEXT PRIMARY KEY,
        exploration_id     TEXT NOT NULL REFERENCES explorations(id),
        checkpoint_id      TEXT REFERENCES checkpoints(id),
        action             TEXT NOT NULL,
        candidate_ids_json TEXT NOT NULL,
        reason             TEXT,
        feedback           TEXT,
        lens               TEXT,
        brief_id           TEXT REFERENCES briefs(id),
        created_at         TEXT NOT NULL
      );
      CREATE INDEX decisions_by_exploration ON decisions (exploration_id);

      -- Append-only; rows with a table of their own are referenced by id, not copied. Commits to
      -- one exploration are serialized (its row is locked), so its seqs commit in order.
      CREATE TABLE events (
        seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        exploration_id TEXT NOT NULL REFERENCES explorations(id),
        type           TEXT NOT NULL,
        payload_json   TEXT NOT NULL,
        at             TEXT NOT NULL
      );
      CREATE INDEX events_by_exploration ON events (exploration_id, seq);

      CREATE TABLE notes (
        key        TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'leases, estimated usage, archived and forked explorations',
    // What SQLite's versions 7, 10 and 11 added to the port. The lease row says who explores an
    // exploration (one holder; a decision may ask it to yield). A fork's log begins with a copy of
    // its source's events up to a checkpoint and shares the rows they name: no foreign key from
    // forked_from, deleting a source that has forks is refused by the store.
    sql: `
      CREATE TABLE leases (
        exploration_id  TEXT PRIMARY KEY REFERENCES explorations(id),
        holder          TEXT NOT NULL,
        pid             INTEGER NOT NULL,
        host            TEXT NOT NULL,
        since           TEXT NOT NULL,
        heartbeat       TEXT NOT NULL,
        yield_requested TEXT
      );
      ALTER TABLE calls ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0 CHECK (usage_estimated IN (0, 1));
      ALTER TABLE explorations ADD COLUMN archived_at TEXT;
      ALTER TABLE explorations ADD COLUMN forked_from TEXT;
      ALTER TABLE explorations ADD COLUMN forked_at_checkpoint TEXT;
      CREATE INDEX explorations_by_fork_source ON explorations (forked_from) WHERE forked_from IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'running spend totals per exploration; state snapshots to reopen from',
    // As SQLite's version 12: a trigger on calls keeps one row of totals per exploration in the
    // same transaction as the call row; a snapshot is the folded state up to an event, a cache
    // that reopening reads before the events after it (missing or unreadable: replay the log).
    sql: `
${SPEND_TOTALS_POSTGRES}
      CREATE TABLE exploration_snapshots (
        exploration_id TEXT PRIMARY KEY REFERENCES explorations(id),
        seq            BIGINT NOT NULL,
        format         INTEGER NOT NULL,
        state          BYTEA NOT NULL,
        written_at     TEXT NOT NULL
      );
      `,
    },
    {
    version: 5,
    name: 'a judgment belongs to the exploration that made it',
    // SQLite's version 14: a fork and its source may both judge a shared candidate under one brief
    // version, named alike by the engine. Each row says which exploration made it, is unique per
    // exploration, and a name another exploration holds is keyed `<name>@<exploration>` with the
    // name in judgment_id. Existing rows belong to the first log that named them, else to their
    // candidate's exploration.
    sql: `
      ALTER TABLE judgments ADD COLUMN exploration_id TEXT;
      ALTER TABLE judgments ADD COLUMN judgment_id TEXT;
      UPDATE judgments j SET exploration_id = first.exploration_id
        FROM (SELECT DISTINCT ON (payload_json::json->>'id') payload_json::json->>'id' AS judgment, exploration_id
              FROM events WHERE type = 'candidate.judged' ORDER BY payload_json::json->>'id', seq) first
        WHERE first.judgment = j.id;
      UPDATE judgments j SET exploration_id = c.exploration_id FROM candidates c WHERE j.exploration_id IS NULL AND c.id = j.candidate_id;
      ALTER TABLE judgments ALTER COLUMN exploration_id SET NOT NULL;
      ALTER TABLE judgments DROP CONSTRAINT judgments_candidate_id_brief_id_key;
      ALTER TABLE judgments ADD CONSTRAINT judgments_once_per_exploration UNIQUE (exploration_id, candidate_id, brief_id);
      CREATE INDEX judgments_by_exploration ON judgments (exploration_id, ord);
      `,
    },
    {
    version: 3,
    name: 'people, shares, and who made each decision',
    // As SQLite's version 13: a person is a name and the SHA-256 of their token (never the token);
    // a share gives one person read or decide access to one exploration and goes with either; a
    // decision's actor is the person's name as it was; NULL is the store's owner.
    sql: `
      CREATE TABLE people (
        name       TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE shares (
        exploration_id TEXT NOT NULL REFERENCES explorations(id) ON DELETE CASCADE,
        person         TEXT NOT NULL REFERENCES people(name) ON DELETE CASCADE,
        access         TEXT NOT NULL CHECK (access IN ('read', 'decide')),
        created_at     TEXT NOT NULL,
        PRIMARY KEY (exploration_id, person)
      );
      CREATE INDEX shares_by_person ON shares (person);
      ALTER TABLE decisions ADD COLUMN actor TEXT;
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the schema up to `POSTGRES_SCHEMA_VERSION` in one transaction, under an advisory lock
 * per schema so that workers starting together do not migrate twice. DDL is transactional in
 * Postgres: a failing migration leaves the schema as it was. Returns how many migrations ran.
 */
export async function migratePostgres(client: PoolClient, schema: string | undefined, location: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('baton.migrate'), hashtext($1))", [schema ?? '']);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS baton_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM baton_schema');
    const current = rows[0]?.version ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new BatonError(
        'invalid_input',
        `${location} has schema version ${current}, but this version of Baton only knows up to ${POSTGRES_SCHEMA_VERSION}. ` +
          'It was written by a newer Baton: upgrade Baton, or point --db / BATON_DB at another database.',
        { cause: { location, databaseVersion: current, codeVersion: POSTGRES_SCHEMA_VERSION } },
      );
    }
    const pending = POSTGRES_MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    for (const migration of pending) await client.query(migration.sql);
    if (pending.length > 0) {
      await client.query('DELETE FROM baton_schema');
      await client.query('INSERT INTO baton_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
    return pending.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A schema name as an SQL identifier; names are checked when the URL is read, quoted here anyway. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
