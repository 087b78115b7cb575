import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { ExplorationStatus, StoredEvent } from '../explore/events.js';
import type { Candidate, Judgment } from '../explore/types.js';
import { BatonError, isBatonError } from '../errors.js';
import { migrate } from './migrations.js';
import { SqlPeopleStore } from './sql-people-store.js';
import { archiveRow, deleteRows, forkRows, referencedIds, renameRow } from './sqlite-admin.js';
import { hydrate, hydrateEvent, prefetchCandidates, prefetchRows, readCandidate, writeEventData } from './sqlite-events.js';
import { rawToJudgment } from './sqlite-rows.js';
import { leaseStatements } from './sqlite-lease.js';
import type { LeaseStatements } from './sqlite-lease.js';
import { prepareStatements } from './sqlite-statements.js';
import { storageError } from './storage-errors.js';
import type { Statements } from './sqlite-statements.js';
import { toBriefVersion, toCall, toExploration, toJudgment, toStatus } from './sqlite-rows.js';
import type {
  AcquireLeaseOptions,
  BriefVersion,
  CallIntent,
  CallRecord,
  CallResult,
  ExplorationRecord,
  ExplorationWrite,
  Lease,
  LeaseAttempt,
  LeaseClaim,
  NewBriefVersion,
  NewExploration,
  NewFork,
  SpendTotals,
  StateSnapshot,
  Store,
} from './store.js';

// A database in a folder this user cannot write can still be read, but only opened as an
// immutable URI (SQLite cannot create the -shm file WAL needs). better-sqlite3 reads URI filenames
// only when SQLITE_USE_URI=1 is in the environment the first time it opens a database; our own
// filenames are always absolute paths (or :memory:), so turning URIs on changes nothing else.
process.env.SQLITE_USE_URI ??= '1';

/**
 * The database file Baton uses when none is given: `BATON_DB`, else `<cwd>/.baton/baton.db`.
 *
 * @example
 * const store = openSqliteStore(defaultDbPath(process.cwd(), process.env));
 */
export function defaultDbPath(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env.BATON_DB;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv === ':memory:' ? fromEnv : resolve(cwd, fromEnv);
  return resolve(cwd, '.baton', 'baton.db');
}

/** A short random id, e.g. `b_3f9a0c41d2`: 40 random bits, plenty for ids scoped to one database. */
export function shortId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/**
 * Opens (creating if needed) a SQLite store at `path`; `:memory:` gives a private in-memory one.
 * Opening is synchronous; the schema is migrated on open.
 *
 * @example
 * const store = openSqliteStore('.baton/baton.db');
 * const brief = await store.saveBrief({ source, brief });
 * await store.close();
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const location = path === ':memory:' ? path : resolve(path);
  let db: Database.Database;
  try {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    db = new Database(location);
  } catch (error) {
    throw storageError(error, location) ?? error;
  }
  try {
    // WAL with synchronous=NORMAL: a committed transaction is in the WAL file before commit
    // returns, so killing the process (even kill -9) never loses it. Only a power loss or OS
    // crash can drop the last transactions, and never corrupts the database.
    // 16 KB pages (new databases only): a ~3 KB candidate row (2 KB text and its embedding)
    // would take a whole 4 KB page; five fit in 16 KB.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // No memory map: mapped pages count in the process's resident memory (the whole file, once
    // a large exploration is reopened), and with 16 KB pages a read call per page costs little.
    db.pragma('mmap_size = 0');
    migrate(db, location);
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPageCount))}`);
    return new SqliteStore(db, location);
  } catch (error) {
    db.close();
    if (location !== ':memory:' && cannotWriteHere(error) && existsSync(location)) {
      const readOnly = openReadOnly(location);
      if (readOnly) return readOnly;
    }
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') {
      throw new BatonError('invalid_input', `${location} is not a SQLite database.`, { cause: error });
    }
    throw storageError(error, location) ?? error;
  }
}

/** A failure that says this user may not write the database or its folder (not that it is broken). */
function cannotWriteHere(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM');
}

/**
 * Opens an existing database this user cannot write, for reading: first as SQLite's plain
 * read-only open (which sees a WAL still being written, when its -shm file exists), else as an
 * immutable file (no -shm needed: the state last checkpointed into the file). Writing then fails
 * as `storage_unavailable` (exit 6) naming the file. Undefined when neither can read it.
 */
function openReadOnly(location: string): Store | undefined {
  for (const name of [location, `${pathToFileURL(location).href}?immutable=1`]) {
    let db: Database.Database | undefined;
    try {
      db = new Database(name, { readonly: true, fileMustExist: true });
      db.pragma('foreign_keys = ON');
      db.pragma('mmap_size = 0');
      // Reads the header and the schema: this is where a missing -shm file fails.
      migrate(db, location);
      return new SqliteStore(db, location);
    } catch (error) {
      db?.close();
      if (isBatonError(error)) throw error;
    }
  }
  return undefined;
}

export interface SqliteStoreOptions {
  /**
   * The most pages (16 KB each) the database may grow to; past it, writes fail as on a full disk
   * (`storage_unavailable`). For quotas, and to rehearse a full disk.
   */
  maxPageCount?: number;
}

const now = (): string => new Date().toISOString();

let stampedAt = Number.NaN;
let stamp = '';
/** `now()` for the per-call rows: the same text, formatted once per millisecond rather than once per row. */
function callTime(): string {
  const ms = Date.now();
  if (ms !== stampedAt) {
    stampedAt = ms;
    stamp = new Date(ms).toISOString();
  }
  return stamp;
}

/** Turns constraint and storage failures into Baton errors; anything else is a bug and passes through. */
function translate(error: unknown, location: string): unknown {
  if (isBatonError(error) || !(error instanceof Database.SqliteError)) return error;
  const storage = storageError(error, location);
  if (storage) return storage;
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new BatonError('conflict', `Already stored: ${error.message}.`, { cause: error });
  }
  if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new BatonError('invalid_input', 'A record refers to a brief, exploration, candidate or checkpoint that is not stored.', {
      cause: error,
    });
  }
  return error;
}

function guarded<T>(location: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translate(error, location);
  }
}

/** A call row write waiting for the next group commit. */
interface QueuedWrite {
  key: string;
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

class SqliteStore extends SqlPeopleStore implements Store {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #leases: LeaseStatements;
  /**
   * Group commit for call rows: the intents and results that arrive in the same turn of the event
   * loop (a wave's requests, answers landing together) are written in one transaction, and each
   * promise resolves only once that transaction is committed — the durability contract holds, at
   * the cost of one transaction per turn instead of one per call.
   */
  #queued: QueuedWrite[] = [];
  readonly #queuedKeys = new Set<string>();

  constructor(db: Database.Database, location: string) {
    super();
    this.#db = db;
    this.location = location;
    this.#sql = prepareStatements(db);
    this.#leases = leaseStatements(db);
  }

  /** A people statement (./people.ts): after the queued call rows, its `$n` parameters as positional `?`. */
  protected async runPeopleSql(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; changes: number }> {
    this.#flush();
    // `$n` becomes a positional `?`, with the values in the order they occur.
    const values: unknown[] = [];
    const statement = this.#db.prepare(
      sql.replace(/\$(\d+)/gu, (_, n: string) => {
        values.push(params[Number(n) - 1]);
        return '?';
      }),
    );
    if (statement.reader) return { rows: statement.all(...values) as Record<string, unknown>[], changes: 0 };
    return { rows: [], changes: statement.run(...values).changes };
  }

  async saveBrief(input: NewBriefVersion): Promise<BriefVersion> {
    const save = this.#db.transaction((): BriefVersion => {
      const id = shortId('b');
      let lineageId = id;
      let version = 1;
      if (input.parentId !== undefined) {
        const parent = this.#sql.getBrief.get(input.parentId);
        if (!parent) throw new BatonError('not_found', `No brief version ${input.parentId} to derive from.`);
        lineageId = parent.lineage_id;
        // The lineage's next number: a parent that already has a child branches, not collides.
        version = (this.#sql.maxBriefVersion.get(lineageId) ?? 0) + 1;
      }
      const row = {
        id,
        lineage_id: lineageId,
        version,
        parent_id: input.parentId ?? null,
        path: input.path ?? null,
        source: input.source,
        brief_json: JSON.stringify(input.brief),
        note: input.note ?? null,
        created_at: now(),
      };
      this.#sql.insertBrief.run(row);
      return toBriefVersion(row);
    });
    return guarded(this.location, () => save.immediate());
  }

  async getBrief(id: string): Promise<BriefVersion | undefined> {
    const row = this.#sql.getBrief.get(id);
    return row && toBriefVersion(row);
  }

  async createExploration(input: NewExploration): Promise<ExplorationRecord> {
    if (input.created.briefId !== input.briefId) {
      throw new BatonError('invalid_input', `The exploration.created event names brief ${input.created.briefId}, not ${input.briefId}.`);
    }
    const create = this.#db.transaction((): ExplorationRecord => {
      if (!this.#sql.getBrief.get(input.briefId)) {
        throw new BatonError('not_found', `No brief version ${input.briefId}.`);
      }
      const at = now();
      const row = {
        id: input.id,
        brief_id: input.briefId,
        current_brief_id: input.briefId,
        status: 'running',
        seed: input.seed,
        model: input.model,
        judge: input.judge,
        title: input.title,
        created_at: at,
        updated_at: at,
      };
      this.#sql.insertExploration.run(row);
      this.#sql.insertEvent.run(input.id, input.created.type, JSON.stringify(input.created), at);
      return toExploration(row);
    });
    return guarded(this.location, () => create.immediate());
  }

  async getExploration(id: string): Promise<ExplorationRecord | undefined> {
    const row = this.#sql.getExploration.get(id);
    return row && toExploration(row);
  }

  async listExplorations(): Promise<ExplorationRecord[]> {
    return this.#sql.listExplorations.all().map(toExploration);
  }

  async resolveExplorationId(idOrPrefix: string): Promise<string | undefined> {
    if (idOrPrefix === '') return undefined;
    if (this.#sql.getExploration.get(idOrPrefix)) return idOrPrefix;
    const matches = this.#sql.explorationIdsByPrefix.all({ prefix: idOrPrefix, limit: 11 });
    if (matches.length <= 1) return matches[0];
    const shown = matches.slice(0, 10).join(', ') + (matches.length > 10 ? ', …' : '');
    throw new BatonError('invalid_input', `"${idOrPrefix}" matches several explorations: ${shown}. Give more of the id.`, {
      details: matches.slice(0, 10),
    });
  }

  #enqueue(key: string, write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) setImmediate(() => this.#flush());
      this.#queued.push({ key, write, resolve, reject });
      this.#queuedKeys.add(key);
    });
  }

  /** Writes every queued call row now, in one transaction; a failing one is isolated and rejected alone. */
  #flush(): void {
    const batch = this.#queued;
    if (batch.length === 0) return;
    this.#queued = [];
    this.#queuedKeys.clear();
    if (!this.#db.open) {
      for (const item of batch) item.reject(new BatonError('internal', `The store ${this.location} was closed before call ${item.key} was recorded.`));
      return;
    }
    try {
      this.#db.transaction(() => batch.forEach((item) => item.write())).immediate();
      for (const item of batch) item.resolve();
    } catch {
      for (const item of batch) {
        try {
          this.#db.transaction(item.write).immediate();
          item.resolve();
        } catch (error) {
          item.reject(translate(error, this.location));
        }
      }
    }
  }

  /** Reads see every write made before them: flush first when a queued write concerns them. */
  #flushFor(key?: string): void {
    if (key === undefined || this.#queuedKeys.has(key)) this.#flush();
  }

  async commit(explorationId: string, write: ExplorationWrite): Promise<StoredEvent[]> {
    // The call rows queued in this turn (a move's results, landing just before it is folded) go
    // in the same transaction as the events: one WAL write instead of two. Should one of them
    // fail, they are written as `#flush` writes them (each failing one rejected alone), and the
    // events are committed on their own.
    const batch = this.#queued;
    if (batch.length > 0 && this.#db.open) {
      this.#queued = [];
      this.#queuedKeys.clear();
      let stored: StoredEvent[] | undefined;
      try {
        stored = this.#db.transaction(() => {
          for (const item of batch) item.write();
          return this.#commitEvents(explorationId, write);
        }).immediate();
      } catch {
        this.#queued = batch.concat(this.#queued);
        for (const item of batch) this.#queuedKeys.add(item.key);
      }
      if (stored) {
        for (const item of batch) item.resolve();
        return stored;
      }
    }
    this.#flush();
    return guarded(this.location, () => this.#db.transaction(() => this.#commitEvents(explorationId, write)).immediate());
  }

  /** Writes an exploration's events (and the call rows and releases that go with them); inside a transaction. */
  #commitEvents(explorationId: string, write: ExplorationWrite): StoredEvent[] {
    const exploration = this.#sql.getExploration.get(explorationId);
    if (!exploration) throw new BatonError('not_found', `No exploration ${explorationId}.`);
    const at = now();
    for (const result of write.calls ?? []) this.#recordResult(explorationId, result, at);

    let status: ExplorationStatus = toStatus(exploration.status, explorationId);
    let currentBriefId = exploration.current_brief_id;
    const stored: StoredEvent[] = [];
    for (const event of write.events) {
      const payload = writeEventData(this.#sql, explorationId, event);
      if (event.type === 'checkpoint.raised') status = 'awaiting';
      else if (event.type === 'decision.made' && event.decision.action !== 'accept') status = 'running';
      else if (event.type === 'exploration.ended') status = event.status;
      else if (event.type === 'exploration.reopened') status = 'running';
      else if (event.type === 'brief.redirected') currentBriefId = event.briefId;
      const { lastInsertRowid } = this.#sql.insertEvent.run(explorationId, event.type, JSON.stringify(payload), at);
      stored.push({ seq: Number(lastInsertRowid), explorationId, at, event });
    }
    for (const key of write.releasedCalls ?? []) {
      if (this.#sql.getCall.get(key)?.status !== 'done') continue;
      this.#sql.releaseCallOutput.run(key);
      this.#sql.releaseLegacyCallOutput.run(key);
    }
    if (write.events.length > 0) {
      this.#sql.updateExploration.run({ id: explorationId, status, current_brief_id: currentBriefId, updated_at: at });
    }
    return stored;
  }

  #recordResult(explorationId: string | null, result: CallResult, at: string): void {
    const { key, usage } = result;
    const answer = result.answer ?? null;
    const estimated = usage.estimated === true ? 1 : 0;
    if (this.#sql.finishCall.run(result.status, usage.inputTokens, usage.outputTokens, result.usd, result.latencyMs, at, answer, estimated, key).changes > 0) {
      this.#sql.putCallOutput.run(key, result.output);
      return;
    }
    if (result.purpose === undefined || result.model === undefined) {
      throw new BatonError('invalid_input', `Call ${key} has no recorded intent; its result must name its purpose and model.`);
    }
    this.#sql.insertFinishedCall.run({
      key,
      status: result.status,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      usd: result.usd,
      latency_ms: result.latencyMs,
      finished_at: at,
      answer,
      usage_estimated: estimated,
      exploration_id: explorationId,
      purpose: result.purpose,
      model: result.model,
      started_at: at,
    });
    this.#sql.putCallOutput.run(key, result.output);
  }

  async finishCall(result: CallResult): Promise<void> {
    const at = callTime();
    return this.#enqueue(result.key, () => this.#recordResult(null, result, at));
  }

  async readEvents(explorationId: string, afterSeq = 0): Promise<StoredEvent[]> {
    const read = this.#db.transaction((): StoredEvent[] => {
      if (afterSeq > 0) {
        return this.#sql.readEvents.all({ exploration_id: explorationId, after: afterSeq }).map((row) => ({
          seq: row.seq,
          explorationId: row.exploration_id,
          at: row.at,
          event: hydrateEvent(this.#sql, row),
        }));
      }
      // The whole log (reopening): join candidates and judgments from two scans, not a query each.
      const prefetched = prefetchRows(this.#sql, explorationId);
      const events: StoredEvent[] = [];
      for (const [seq, type, payload, at] of this.#sql.wholeLog.iterate(explorationId)) {
        events.push({ seq, explorationId, at, event: hydrate(this.#sql, explorationId, seq, type, payload, prefetched) });
      }
      return events;
    });
    // One read transaction: the scans and the log see the same snapshot.
    return read.deferred();
  }

  async getCandidate(id: string): Promise<Candidate | undefined> {
    return readCandidate(this.#sql, id);
  }

  async renameExploration(id: string, title: string): Promise<ExplorationRecord> {
    return toExploration(guarded(this.location, () => renameRow(this.#db, id, title, new Date().toISOString())));
  }

  async setArchived(id: string, archived: boolean): Promise<ExplorationRecord> {
    return toExploration(guarded(this.location, () => archiveRow(this.#db, id, archived, new Date().toISOString())));
  }

  async deleteExploration(id: string): Promise<void> {
    this.#flush();
    guarded(this.location, () => deleteRows(this.#db, id));
  }

  async forkExploration(input: NewFork): Promise<ExplorationRecord> {
    this.#flush();
    return toExploration(guarded(this.location, () => forkRows(this.#db, input, new Date().toISOString())));
  }

  /** A fork's candidates and judgments are partly its source's rows: its log names them all. */
  #isFork(explorationId: string): boolean {
    return (this.#sql.getExploration.get(explorationId)?.forked_from ?? null) !== null;
  }

  async listCandidates(explorationId: string): Promise<Candidate[]> {
    if (this.#isFork(explorationId)) {
      return referencedIds(this.#db, explorationId, 'candidate.added').flatMap((id) => readCandidate(this.#sql, id) ?? []);
    }
    // The scans reopening uses (rows as arrays, embeddings in one slab): every candidate is read.
    return [...prefetchCandidates(this.#sql, explorationId).values()];
  }

  async listJudgments(explorationId: string): Promise<Judgment[]> {
    if (this.#isFork(explorationId)) {
      return referencedIds(this.#db, explorationId, 'candidate.judged').flatMap((id) => {
        const row = this.#sql.getJudgment.get(id);
        return row ? [toJudgment(row)] : [];
      });
    }
    return this.#sql.rawJudgmentsByExploration.all(explorationId).map(rawToJudgment);
  }

  async getSnapshot(explorationId: string): Promise<StateSnapshot | undefined> {
    this.#flush();
    const row = this.#sql.getSnapshot.get(explorationId);
    return row && { seq: row[0], format: row[1], state: new Uint8Array(row[2].buffer, row[2].byteOffset, row[2].byteLength), events: row[3] };
  }

  async putSnapshot(explorationId: string, snapshot: StateSnapshot): Promise<void> {
    this.#flush();
    const state = Buffer.from(snapshot.state.buffer, snapshot.state.byteOffset, snapshot.state.byteLength);
    guarded(this.location, () =>
      this.#sql.putSnapshot.run({ exploration_id: explorationId, seq: snapshot.seq, format: snapshot.format, state, written_at: new Date().toISOString() }),
    );
  }

  async beginCall(intent: CallIntent): Promise<void> {
    const { key, explorationId, purpose, model, reservedTokens, reservedUsd } = intent;
    const startedAt = callTime();
    return this.#enqueue(key, () => this.#sql.beginCall.run(key, explorationId, purpose, model, reservedTokens, reservedUsd, startedAt));
  }

  async getCall(key: string): Promise<CallRecord | undefined> {
    this.#flushFor(key);
    // Most calls asked about were never made: say so from the primary key alone.
    if (this.#sql.callStatus.get(key) === undefined) return undefined;
    const row = this.#sql.getCall.get(key);
    return row && toCall(row);
  }

  async listCalls(explorationId: string): Promise<CallRecord[]> {
    this.#flush();
    return this.#sql.callsByExploration.all(explorationId).map(toCall);
  }

  async spend(explorationId: string): Promise<SpendTotals> {
    this.#flush();
    const row = this.#sql.spend.get(explorationId);
    return {
      calls: row?.calls ?? 0,
      tokens: row?.tokens ?? 0,
      usd: row?.usd ?? 0,
      possiblyBilled: row?.possibly_billed ?? 0,
      possiblyBilledUsd: row?.possibly_billed_usd ?? 0,
      estimatedCalls: row?.estimated_calls ?? 0,
    };
  }

  async acquireLease(explorationId: string, claim: LeaseClaim, options: AcquireLeaseOptions = {}): Promise<LeaseAttempt> {
    this.#flush();
    if (!this.#sql.getExploration.get(explorationId)) throw new BatonError('not_found', `No exploration ${explorationId}.`);
    return guarded(this.location, () => this.#leases.acquire(explorationId, claim, options));
  }

  async renewLease(explorationId: string, holder: string, at: string): Promise<Lease | undefined> {
    return guarded(this.location, () => this.#leases.renew(explorationId, holder, at));
  }

  async releaseLease(explorationId: string, holder: string): Promise<void> {
    guarded(this.location, () => this.#leases.release(explorationId, holder));
  }

  async getLease(explorationId: string): Promise<Lease | undefined> {
    return this.#leases.get(explorationId);
  }

  async putNote(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      guarded(this.location, () => this.#sql.deleteNote.run(key));
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new BatonError('invalid_input', `Note ${key} cannot be stored as JSON.`);
    guarded(this.location, () => this.#sql.putNote.run({ key, value_json: json }));
  }

  async getNote(key: string): Promise<unknown> {
    const json = this.#sql.getNote.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }

  async close(): Promise<void> {
    this.#flush();
    if (this.#db.open) this.#db.close();
  }
}
