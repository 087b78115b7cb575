import type Database from 'better-sqlite3';
import { BatonError } from '../errors.js';
import { SPEND_TOTALS_SQLITE } from './spend-totals.js';

/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds the number of the last one
 * applied. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
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
        id               TEXT PRIMARY KEY,
        brief_id         TEXT NOT NULL REFERENCES briefs(id),
        current_brief_id TEXT NOT NULL REFERENCES briefs(id),
        status           TEXT NOT NULL CHECK (status IN ('running', 'awaiting', 'accepted', 'exhausted', 'stopped')),
        seed             INTEGER NOT NULL,
        model            TEXT NOT NULL,
        judge            TEXT NOT NULL,
        title            TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX explorations_by_created ON explorations (created_at);

      CREATE TABLE candidates (
        id             TEXT PRIMARY KEY,
        exploration_id TEXT NOT NULL REFERENCES explorations(id),
        move_id        TEXT NOT NULL UNIQUE,
        kind           TEXT NOT NULL CHECK (kind IN ('open', 'deepen', 'combine')),
        lens_id        TEXT NOT NULL,
        depth          INTEGER NOT NULL,
        text           TEXT NOT NULL,
        embedding      BLOB NOT NULL,
        model          TEXT NOT NULL,
        created_at     TEXT NOT NULL
      );
      CREATE INDEX candidates_by_exploration ON candidates (exploration_id);

      -- A fork points at its ancestors; their text is never copied.
      CREATE TABLE candidate_parents (
        candidate_id TEXT NOT NULL REFERENCES candidates(id),
        parent_id    TEXT NOT NULL REFERENCES candidates(id),
        position     INTEGER NOT NULL,
        PRIMARY KEY (candidate_id, position)
      ) WITHOUT ROWID;
      CREATE INDEX candidate_parents_by_parent ON candidate_parents (parent_id);

      CREATE TABLE judgments (
        id                TEXT PRIMARY KEY,
        candidate_id      TEXT NOT NULL REFERENCES candidates(id),
        brief_id          TEXT NOT NULL REFERENCES briefs(id),
        quality           REAL NOT NULL,
        scores_json       TEXT NOT NULL,
        failed_json       TEXT NOT NULL,
        flags_json        TEXT NOT NULL,
        critique          TEXT NOT NULL,
        novelty           REAL NOT NULL,
        parent_similarity REAL,
        judge             TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        UNIQUE (candidate_id, brief_id)
      );

      -- Intent before the request, result after: a completed call is never paid for twice.
      CREATE TABLE calls (
        key             TEXT PRIMARY KEY,
        exploration_id  TEXT,
        purpose         TEXT NOT NULL CHECK (purpose IN ('open', 'deepen', 'combine', 'judge', 'reframe')),
        model           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('intent', 'done', 'failed')),
        reserved_tokens INTEGER NOT NULL,
        reserved_usd    REAL NOT NULL,
        output          TEXT,
        input_tokens    INTEGER,
        output_tokens   INTEGER,
        usd             REAL,
        latency_ms      REAL,
        started_at      TEXT NOT NULL,
        finished_at     TEXT
      );
      CREATE INDEX calls_by_exploration ON calls (exploration_id, status);

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

      -- Append-only; large data is referenced by id, not copied.
      CREATE TABLE events (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
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
    name: 'whether a structured answer was valid, repaired or unusable',
    sql: `
      ALTER TABLE calls ADD COLUMN answer TEXT CHECK (answer IN ('valid', 'repaired', 'invalid'));
    `,
  },
  {
    version: 3,
    name: 'call outputs in a table of their own',
    // A writer's answer becomes its candidate's text; once the candidate is stored the answer is
    // deleted here (`releasedCalls`), so the text is kept once and the space is reused. Older
    // rows keep their output in calls.output, which is read when this table has none.
    sql: `
      CREATE TABLE call_outputs (
        key    TEXT PRIMARY KEY REFERENCES calls(key),
        output TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'embeddings in a table of their own, as 8-bit integers and a scale when quantized',
    // A quantized embedding (see embedding-codec.ts) is kept as one signed byte per dimension and
    // its scale; one with no scale is float32 bytes. Kept apart from the text, a candidate row is
    // text-sized, and more of them fill each page. Rows written before keep their float32 bytes
    // in candidates.embedding (new rows leave it empty). A Baton from before this version
    // refuses the database rather than misreading it.
    sql: `
      CREATE TABLE candidate_embeddings (
        id        TEXT PRIMARY KEY REFERENCES candidates(id),
        embedding BLOB NOT NULL,
        scale     REAL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'lenses of planned moves kept once; no index of candidates by parent',
    // Every move.planned event carried its lens whole (a lens's text can be a paragraph); the
    // payload now names a row here instead. Older payloads keep the lens inline and still read.
    // Nothing looks a candidate up by its parent (children are found from the loaded state), and
    // candidates are never deleted, so foreign keys need no such index either.
    sql: `
      CREATE TABLE move_lenses (
        id             INTEGER PRIMARY KEY,
        exploration_id TEXT NOT NULL REFERENCES explorations(id),
        lens_json      TEXT NOT NULL,
        UNIQUE (exploration_id, lens_json)
      );
      DROP INDEX IF EXISTS candidate_parents_by_parent;
    `,
  },
  {
    version: 6,
    name: 'event sequence numbers without AUTOINCREMENT',
    // AUTOINCREMENT updates sqlite_sequence on every insert, which doubled the cost of appending
    // an event. The log is append-only (no row is ever deleted), so the rowid's own max + 1 gives
    // the same increasing numbers. The table is rebuilt once, keeping every seq as it was.
    sql: `
      CREATE TABLE events_v6 (
        seq            INTEGER PRIMARY KEY,
        exploration_id TEXT NOT NULL REFERENCES explorations(id),
        type           TEXT NOT NULL,
        payload_json   TEXT NOT NULL,
        at             TEXT NOT NULL
      );
      INSERT INTO events_v6 (seq, exploration_id, type, payload_json, at)
        SELECT seq, exploration_id, type, payload_json, at FROM events ORDER BY seq;
      DROP TABLE events;
      ALTER TABLE events_v6 RENAME TO events;
      CREATE INDEX events_by_exploration ON events (exploration_id, seq);
      DELETE FROM sqlite_sequence WHERE name = 'events';
    `,
  },
  {
    version: 7,
    name: 'exploration leases; calls whose usage was estimated',
    // One runner at a time: the lease row says who explores (process, host, since, heartbeat) and
    // whether a decision is waiting for the holder to yield. A provider that reports no usage has
    // its tokens estimated from the text; such calls are marked so the spend can say "estimated".
    sql: `
      CREATE TABLE leases (
        exploration_id  TEXT PRIMARY KEY REFERENCES explorations(id),
        holder          TEXT NOT NULL,
        pid             INTEGER NOT NULL,
        host            TEXT NOT NULL,
        since           TEXT NOT NULL,
        heartbeat       TEXT NOT NULL,
        yield_requested TEXT
      ) WITHOUT ROWID;
      ALTER TABLE calls ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0 CHECK (usage_estimated IN (0, 1));
    `,
  },
  {
    version: 10,
    name: 'explorations can be archived',
    // Archived explorations are hidden from the default list, never changed otherwise.
    sql: `
      ALTER TABLE explorations ADD COLUMN archived_at TEXT;
    `,
  },
  {
    version: 11,
    name: 'forks name the exploration and checkpoint they started from',
    // A fork's log begins with a copy of its source's events up to the checkpoint; those events
    // refer to the source's candidate, judgment, checkpoint and decision rows, which are shared,
    // not copied. No foreign key: deleting a source that has forks is refused by the store.
    sql: `
      ALTER TABLE explorations ADD COLUMN forked_from TEXT;
      ALTER TABLE explorations ADD COLUMN forked_at_checkpoint TEXT;
      CREATE INDEX explorations_by_fork_source ON explorations (forked_from) WHERE forked_from IS NOT NULL;
    `,
  },
  {
    version: 12,
    name: 'running spend totals per exploration; state snapshots to reopen from',
    // The spend was a sum over every call of an exploration, read on every board. Triggers on
    // calls keep one row of totals per exploration, in the same transaction as the call row
    // (whatever statement writes it), so the totals can never disagree with the rows; the sum
    // over the rows is what the conformance suite checks them against. A snapshot is the
    // exploration's folded state up to an event (`seq`): reopening reads it and the events after
    // it instead of the whole log. Snapshots are a cache: one that is missing, or of a format this
    // Baton does not read, means replaying the log.
    sql: `
${SPEND_TOTALS_SQLITE}
      CREATE TABLE exploration_snapshots (
        exploration_id TEXT PRIMARY KEY REFERENCES explorations(id),
        seq            INTEGER NOT NULL,
        format         INTEGER NOT NULL,
        state          BLOB NOT NULL,
        written_at     TEXT NOT NULL
      );
      `,
    },
    {
    version: 14,
    name: 'a judgment belongs to the exploration that made it',
    // A fork shares its source's candidates, and after the fork point both may judge one of them
    // under the same brief version: the engine names both judgments alike (`<candidate>.j<version>`).
    // Each row now says which exploration made it (so a source never lists its forks' judgments),
    // is unique per exploration rather than per candidate and brief, and the row of a judgment
    // whose name another exploration already holds is keyed `<name>@<exploration>`, its name kept
    // in judgment_id (the event names the key). Existing rows belong to the exploration whose log
    // named them first, else to their candidate's. SQLite cannot drop a UNIQUE: the table is rebuilt.
    sql: `
      CREATE TABLE judgments_v14 (
        id                TEXT PRIMARY KEY,
        exploration_id    TEXT NOT NULL,
        judgment_id       TEXT,
        candidate_id      TEXT NOT NULL REFERENCES candidates(id),
        brief_id          TEXT NOT NULL REFERENCES briefs(id),
        quality           REAL NOT NULL,
        scores_json       TEXT NOT NULL,
        failed_json       TEXT NOT NULL,
        flags_json        TEXT NOT NULL,
        critique          TEXT NOT NULL,
        novelty           REAL NOT NULL,
        parent_similarity REAL,
        judge             TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        UNIQUE (exploration_id, candidate_id, brief_id)
      );
      INSERT INTO judgments_v14 (id, exploration_id, judgment_id, candidate_id, brief_id, quality, scores_json, failed_json,
                                 flags_json, critique, novelty, parent_similarity, judge, created_at)
        SELECT j.id, COALESCE(first.exploration_id, c.exploration_id), NULL, j.candidate_id, j.brief_id, j.quality, j.scores_json,
               j.failed_json, j.flags_json, j.critique, j.novelty, j.parent_similarity, j.judge, j.created_at
        FROM judgments j
        JOIN candidates c ON c.id = j.candidate_id
        LEFT JOIN (
          -- SQLite takes the bare column from the row that holds the MIN: the first log to name it.
          SELECT json_extract(payload_json, '$.id') AS judgment, exploration_id, MIN(seq)
          FROM events WHERE type = 'candidate.judged' GROUP BY judgment
        ) first ON first.judgment = j.id
        ORDER BY j.rowid;
      DROP TABLE judgments;
      ALTER TABLE judgments_v14 RENAME TO judgments;
      CREATE INDEX judgments_by_exploration ON judgments (exploration_id);
      `,
    },
    {
    version: 13,
    name: 'people, shares, and who made each decision',
    // A person is a name and the SHA-256 of their token (never the token). A share gives one
    // person read or decide access to one exploration; it goes with either. A decision's actor is
    // the person's name as it was (kept when the person is removed); NULL is the store's owner.
    sql: `
      CREATE TABLE people (
        name       TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE shares (
        exploration_id TEXT NOT NULL REFERENCES explorations(id) ON DELETE CASCADE,
        person         TEXT NOT NULL REFERENCES people(name) ON DELETE CASCADE,
        access         TEXT NOT NULL CHECK (access IN ('read', 'decide')),
        created_at     TEXT NOT NULL,
        PRIMARY KEY (exploration_id, person)
      ) WITHOUT ROWID;
      CREATE INDEX shares_by_person ON shares (person);
      ALTER TABLE decisions ADD COLUMN actor TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

function userVersion(db: Database.Database): number {
  const value: unknown = db.pragma('user_version', { simple: true });
  return typeof value === 'number' ? value : 0;
}

/**
 * Brings the database up to `SCHEMA_VERSION` in one immediate transaction (so two processes
 * opening the same file at once do not both migrate). Returns how many migrations ran.
 * A database written by a newer Baton is refused rather than guessed at.
 */
export function migrate(db: Database.Database, location: string): number {
  // Up to date: no write transaction, so a read-only database still opens for reading.
  if (userVersion(db) === SCHEMA_VERSION) return 0;
  const run = db.transaction((): number => {
    const current = userVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new BatonError(
        'invalid_input',
        `${location} has schema version ${current}, but this version of Baton only knows up to ${SCHEMA_VERSION}. ` +
          'It was written by a newer Baton: upgrade Baton, or point --db / BATON_DB at another file.',
        { cause: { location, databaseVersion: current, codeVersion: SCHEMA_VERSION } },
      );
    }
    const pending = MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      db.exec(migration.sql);
      // user_version lives in the database header, which is written inside this transaction.
      db.pragma(`user_version = ${migration.version}`);
    }
    return pending.length;
  });
  return run.immediate();
}
