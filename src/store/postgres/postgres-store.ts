import type pg from 'pg';
import type { ExplorationStatus, StoredEvent } from '../../explore/events.js';
import type { Candidate, Judgment } from '../../explore/types.js';
import { SqlPeopleStore } from '../sql-people-store.js';
import { BatonError } from '../../errors.js';
import { shortId } from '../sqlite-store.js';
import { toBriefVersion, toCall, toExploration, toStatus } from '../sqlite-rows.js';
import type { BriefRow, CallRow, ExplorationRow } from '../sqlite-rows.js';
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
} from '../store.js';
import { openPool, parsePostgresLocation, translatePgError } from './connection.js';
import type { PostgresLocation } from './connection.js';
import { migratePostgres } from './migrations.js';
import { SPEND_TOTALS_SELECT } from '../spend-totals.js';
import { archiveRow, deleteRows, forkRows, referencedIds, renameRow } from './postgres-admin.js';
import { acquireLeaseRow, getLeaseRow, releaseLeaseRow, renewLeaseRow } from './postgres-lease.js';
import { queryCandidates, queryJudgments, readHydratedEvents, writeEventData } from './postgres-events.js';
import type { Queryable } from './postgres-events.js';

/**
 * Opens the Postgres store at a `postgres://` URL (optionally `?schema=NAME`). Opening is
 * synchronous, as SQLite's is: the connection and the migration happen in the background, and
 * every method waits for them, so a server that cannot be reached fails the first operation with
 * a clear error rather than the constructor.
 *
 * Durability: every write runs in a transaction, and its promise resolves after COMMIT returns
 * (synchronous_commit as the server has it: on by default, so the commit is in the WAL on disk).
 *
 * @example
 * const store = openPostgresStore('postgres://baton@db.internal/baton');
 * await store.ready;
 */
export function openPostgresStore(url: string, options: { poolSize?: number } = {}): PostgresStore {
  return new PostgresStore(parsePostgresLocation(url), options.poolSize ?? 10);
}

const now = (): string => new Date().toISOString();

const CALL_SELECT = `SELECT key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, output, input_tokens, output_tokens,
                            usd, latency_ms, started_at, finished_at, answer, usage_estimated FROM calls`;

export class PostgresStore extends SqlPeopleStore implements Store {
  readonly location: string;
  /** Resolves once the server answered and the schema is migrated; rejects with why not. */
  readonly ready: Promise<void>;
  readonly #pool: pg.Pool;
  readonly #where: PostgresLocation;
  #closed = false;

  constructor(location: PostgresLocation, poolSize: number) {
    super();
    this.#where = location;
    this.location = location.display;
    this.#pool = openPool(location, poolSize);
    this.ready = this.#migrate();
    // Awaited by every method; a store never used must not report an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** The pool, for modules built on the same database (the team engine); not part of the port. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  get schema(): string | undefined {
    return this.#where.schema;
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw translatePgError(error, this.location);
    });
    try {
      await migratePostgres(client, this.#where.schema, this.location);
    } catch (error) {
      throw translatePgError(error, this.location);
    } finally {
      client.release();
    }
  }

  /** One query outside a transaction (autocommit), once the store is ready. */
  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    await this.ready;
    if (this.#closed) throw new BatonError('internal', `The store ${this.location} is closed.`);
    try {
      // A name prepares the statement once per connection (the hot path's statements: parsed and planned once).
      return await (name === undefined ? this.#pool.query<R>(sql, params) : this.#pool.query<R>({ name, text: sql, values: params }));
    } catch (error) {
      throw translatePgError(error, this.location);
    }
  }

  /** Runs `work` in one transaction; resolves only after COMMIT. Any failure rolls it back whole. */
  async #transaction<T>(work: (db: Queryable) => Promise<T>, readOnly = false): Promise<T> {
    await this.ready;
    if (this.#closed) throw new BatonError('internal', `The store ${this.location} is closed.`);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw translatePgError(error, this.location);
    }
    let broken = false;
    try {
      await client.query(readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw translatePgError(error, this.location);
    } finally {
      client.release(broken);
    }
  }

  async saveBrief(input: NewBriefVersion): Promise<BriefVersion> {
    return this.#transaction(async (db) => {
      const id = shortId('b');
      let lineageId = id;
      let version = 1;
      if (input.parentId !== undefined) {
        const parent = await db.query<BriefRow>('SELECT * FROM briefs WHERE id = $1', [input.parentId]);
        const found = parent.rows[0];
        if (!found) throw new BatonError('not_found', `No brief version ${input.parentId} to derive from.`);
        lineageId = found.lineage_id;
        // Versions of a lineage are numbered one writer at a time: lock its first version.
        await db.query('SELECT 1 FROM briefs WHERE id = $1 FOR UPDATE', [lineageId]);
        const max = await db.query<{ max: number | null }>('SELECT MAX(version) AS max FROM briefs WHERE lineage_id = $1', [lineageId]);
        // The lineage's next number: a parent that already has a child branches, not collides.
        version = (max.rows[0]?.max ?? 0) + 1;
      }
      const row: BriefRow = {
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
      await db.query(
        `INSERT INTO briefs (id, lineage_id, version, parent_id, path, source, brief_json, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [row.id, row.lineage_id, row.version, row.parent_id, row.path, row.source, row.brief_json, row.note, row.created_at],
      );
      return toBriefVersion(row);
    });
  }

  async getBrief(id: string): Promise<BriefVersion | undefined> {
    const { rows } = await this.#query<BriefRow>('SELECT * FROM briefs WHERE id = $1', [id]);
    return rows[0] && toBriefVersion(rows[0]);
  }

  async createExploration(input: NewExploration): Promise<ExplorationRecord> {
    if (input.created.briefId !== input.briefId) {
      throw new BatonError('invalid_input', `The exploration.created event names brief ${input.created.briefId}, not ${input.briefId}.`);
    }
    return this.#transaction(async (db) => {
      const brief = await db.query('SELECT 1 FROM briefs WHERE id = $1', [input.briefId]);
      if (brief.rowCount === 0) throw new BatonError('not_found', `No brief version ${input.briefId}.`);
      const at = now();
      const row: ExplorationRow = {
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
      await db.query(
        `INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [row.id, row.brief_id, row.current_brief_id, row.status, row.seed, row.model, row.judge, row.title, row.created_at, row.updated_at],
      );
      const { type: _type, ...payload } = input.created;
      await db.query('INSERT INTO events (exploration_id, type, payload_json, at) VALUES ($1, $2, $3, $4)', [
        input.id,
        input.created.type,
        JSON.stringify(payload),
        at,
      ]);
      return toExploration(row);
    });
  }

  async getExploration(id: string): Promise<ExplorationRecord | undefined> {
    const { rows } = await this.#query<ExplorationRow>('SELECT * FROM explorations WHERE id = $1', [id]);
    return rows[0] && toExploration(rows[0]);
  }

  async listExplorations(): Promise<ExplorationRecord[]> {
    const { rows } = await this.#query<ExplorationRow>('SELECT * FROM explorations ORDER BY created_at DESC, ord DESC');
    return rows.map(toExploration);
  }

  async resolveExplorationId(idOrPrefix: string): Promise<string | undefined> {
    if (idOrPrefix === '') return undefined;
    if ((await this.#query('SELECT 1 FROM explorations WHERE id = $1', [idOrPrefix])).rowCount) return idOrPrefix;
    // left(), not LIKE: ids contain `_`, which LIKE treats as a wildcard.
    const { rows } = await this.#query<{ id: string }>('SELECT id FROM explorations WHERE left(id, length($1)) = $1 ORDER BY id LIMIT 11', [
      idOrPrefix,
    ]);
    const matches = rows.map((r) => r.id);
    if (matches.length <= 1) return matches[0];
    const shown = matches.slice(0, 10).join(', ') + (matches.length > 10 ? ', …' : '');
    throw new BatonError('invalid_input', `"${idOrPrefix}" matches several explorations: ${shown}. Give more of the id.`, {
      details: matches.slice(0, 10),
    });
  }

  async commit(explorationId: string, write: ExplorationWrite): Promise<StoredEvent[]> {
    return this.#transaction(async (db) => {
      // The row lock serializes commits to one exploration, so its events' seqs commit in order.
      // With events, the row lock is taken by the update of updated_at the commit makes anyway
      // (one round trip, not a SELECT … FOR UPDATE and an UPDATE); status and brief follow only if they change.
      const at = now();
      const locked =
        write.events.length > 0
          ? await db.query<ExplorationRow>({
              name: 'baton_commit_touch',
              text: 'UPDATE explorations SET updated_at = $2 WHERE id = $1 RETURNING status, current_brief_id',
              values: [explorationId, at],
            })
          : await db.query<ExplorationRow>({ name: 'baton_commit_lock', text: 'SELECT status, current_brief_id FROM explorations WHERE id = $1 FOR UPDATE', values: [explorationId] });
      const exploration = locked.rows[0];
      if (!exploration) throw new BatonError('not_found', `No exploration ${explorationId}.`);
      for (const result of write.calls ?? []) await recordResult(db, explorationId, result, at);

      const statusBefore: ExplorationStatus = toStatus(exploration.status, explorationId);
      let status = statusBefore;
      let currentBriefId = exploration.current_brief_id;
      const types: string[] = [];
      const payloads: string[] = [];
      for (const event of write.events) {
        payloads.push(await writeEventData(db, explorationId, event));
        types.push(event.type);
        if (event.type === 'checkpoint.raised') status = 'awaiting';
        else if (event.type === 'decision.made' && event.decision.action !== 'accept') status = 'running';
        else if (event.type === 'exploration.ended') status = event.status;
        else if (event.type === 'exploration.reopened') status = 'running';
        else if (event.type === 'brief.redirected') currentBriefId = event.briefId;
      }
      // The wave's events in one statement: rows are inserted (and take their seqs) in the order
      // given, so the returned seqs, ascending, are the events' in order.
      const seqs =
        write.events.length === 0
          ? []
          : (
              await db.query<{ seq: number }>({
                name: 'baton_events_insert',
                text: `INSERT INTO events (exploration_id, type, payload_json, at)
                       SELECT $1, e.type, e.payload, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(type, payload, n) ORDER BY e.n
                       RETURNING seq`,
                values: [explorationId, types, payloads, at],
              })
            ).rows
              .map((row) => Number(row.seq))
              .sort((a, b) => a - b);
      const stored: StoredEvent[] = write.events.map((event, i) => ({ seq: seqs[i] ?? 0, explorationId, at, event }));
      if ((write.releasedCalls ?? []).length > 0) {
        await db.query("UPDATE calls SET output = NULL WHERE key = ANY($1) AND status = 'done'", [write.releasedCalls]);
      }
      if (status !== statusBefore || currentBriefId !== exploration.current_brief_id) {
        await db.query({
          name: 'baton_commit_status',
          text: 'UPDATE explorations SET status = $2, current_brief_id = $3, updated_at = $4 WHERE id = $1',
          values: [explorationId, status, currentBriefId, at],
        });
      }
      return stored;
    });
  }

  async readEvents(explorationId: string, afterSeq = 0): Promise<StoredEvent[]> {
    // One snapshot: the log and the rows it names are read as of the same moment.
    return this.#transaction((db) => readHydratedEvents(db, explorationId, afterSeq), true);
  }

  async getCandidate(id: string): Promise<Candidate | undefined> {
    await this.ready;
    return (await this.#guard(() => queryCandidates(this.#pool, 'c.id = $1', [id])))[0];
  }

  async renameExploration(id: string, title: string): Promise<ExplorationRecord> {
    return toExploration(await this.#transaction((db) => renameRow(db, id, title, now())));
  }

  async setArchived(id: string, archived: boolean): Promise<ExplorationRecord> {
    return toExploration(await this.#transaction((db) => archiveRow(db, id, archived, now())));
  }

  async deleteExploration(id: string): Promise<void> {
    await this.#transaction((db) => deleteRows(db, id));
  }

  async forkExploration(input: NewFork): Promise<ExplorationRecord> {
    return toExploration(await this.#transaction((db) => forkRows(db, input, now())));
  }

  /** A fork's candidates and judgments are partly its source's rows: its log names them all. */
  async listCandidates(explorationId: string): Promise<Candidate[]> {
    return this.#transaction(async (db) => {
      if (!(await isFork(db, explorationId))) return queryCandidates(db, 'c.exploration_id = $1', [explorationId]);
      const ids = await referencedIds(db, explorationId, 'candidate.added');
      return inOrder(ids, await queryCandidates(db, 'c.id = ANY($1)', [ids]));
    }, true);
  }

  async listJudgments(explorationId: string): Promise<Judgment[]> {
    return this.#transaction(async (db) => {
      // The judgments it made: a source does not list those its forks made of shared candidates.
      if (!(await isFork(db, explorationId))) return [...(await queryJudgments(db, 'j.exploration_id = $1', [explorationId])).values()];
      // A fork's log names its rows by key: its source's up to the fork point, its own after.
      const keys = await referencedIds(db, explorationId, 'candidate.judged');
      const byKey = await queryJudgments(db, 'j.id = ANY($1)', [keys]);
      return keys.flatMap((key) => byKey.get(key) ?? []);
    }, true);
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new BatonError('internal', `The store ${this.location} is closed.`);
    try {
      return await work();
    } catch (error) {
      throw translatePgError(error, this.location);
    }
  }

  async beginCall(intent: CallIntent): Promise<void> {
    await this.#query(
      `INSERT INTO calls (key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, started_at)
       VALUES ($1, $2, $3, $4, 'intent', $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
      [intent.key, intent.explorationId, intent.purpose, intent.model, intent.reservedTokens, intent.reservedUsd, now()],
      'baton_call_begin',
    );
  }

  async finishCall(result: CallResult): Promise<void> {
    // One statement, so no transaction around it: a call's round trips are its model's, not ours.
    await this.ready;
    await this.#guard(() => recordResult(this.#pool, null, result, now()));
  }

  async getCall(key: string): Promise<CallRecord | undefined> {
    const { rows } = await this.#query<CallRow>(`${CALL_SELECT} WHERE key = $1`, [key], 'baton_call_get');
    return rows[0] && toCall(rows[0]);
  }

  async listCalls(explorationId: string): Promise<CallRecord[]> {
    const { rows } = await this.#query<CallRow>(`${CALL_SELECT} WHERE exploration_id = $1 ORDER BY ord`, [explorationId]);
    return rows.map(toCall);
  }

  async spend(explorationId: string): Promise<SpendTotals> {
    // Running totals kept by a trigger on calls (see spend-totals.ts): one row, not a sum.
    const { rows } = await this.#query<Record<'calls' | 'tokens' | 'usd' | 'possibly_billed' | 'possibly_billed_usd' | 'estimated_calls', number>>(
      `${SPEND_TOTALS_SELECT}$1`,
      [explorationId],
    );
    const row = rows[0];
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
    return this.#transaction((db) => acquireLeaseRow(db, explorationId, claim, options));
  }

  async renewLease(explorationId: string, holder: string, at: string): Promise<Lease | undefined> {
    await this.ready;
    return this.#guard(() => renewLeaseRow(this.#pool, explorationId, holder, at));
  }

  async releaseLease(explorationId: string, holder: string): Promise<void> {
    await this.ready;
    await this.#guard(() => releaseLeaseRow(this.#pool, explorationId, holder));
  }

  async getLease(explorationId: string): Promise<Lease | undefined> {
    await this.ready;
    return this.#guard(() => getLeaseRow(this.#pool, explorationId));
  }

  async getSnapshot(explorationId: string): Promise<StateSnapshot | undefined> {
    const { rows } = await this.#query<{ seq: number; format: number; state: Buffer; events: number }>(
      `SELECT s.seq, s.format, s.state, (SELECT COUNT(*) FROM events e WHERE e.exploration_id = s.exploration_id AND e.seq <= s.seq) AS events
       FROM exploration_snapshots s WHERE s.exploration_id = $1`,
      [explorationId],
    );
    const row = rows[0];
    return row && { seq: row.seq, format: row.format, state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength), events: row.events };
  }

  async putSnapshot(explorationId: string, snapshot: StateSnapshot): Promise<void> {
    await this.#query(
      `INSERT INTO exploration_snapshots (exploration_id, seq, format, state, written_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (exploration_id) DO UPDATE SET seq = excluded.seq, format = excluded.format, state = excluded.state, written_at = excluded.written_at
       WHERE excluded.seq >= exploration_snapshots.seq`,
      [explorationId, snapshot.seq, snapshot.format, Buffer.from(snapshot.state.buffer, snapshot.state.byteOffset, snapshot.state.byteLength), new Date().toISOString()],
    );
  }

  async putNote(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.#query('DELETE FROM notes WHERE key = $1', [key]);
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new BatonError('invalid_input', `Note ${key} cannot be stored as JSON.`);
    await this.#query(
      'INSERT INTO notes (key, value_json) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
      [key, json],
    );
  }

  async getNote(key: string): Promise<unknown> {
    const { rows } = await this.#query<{ value_json: string }>('SELECT value_json FROM notes WHERE key = $1', [key]);
    const json = rows[0]?.value_json;
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }

  // People and shares: the methods come from SqlPeopleStore (the SQL is shared: ../people.ts).
  protected async runPeopleSql(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; changes: number }> {
    const result = await this.#query(sql, params);
    return { rows: result.rows, changes: result.rowCount ?? 0 };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.ready.catch(() => undefined);
    await this.#pool.end();
  }
}

/** Records a call's result: on its intent's row, or as a whole row when no intent was recorded. */
async function recordResult(db: Queryable, explorationId: string | null, result: CallResult, at: string): Promise<void> {
  const { key, usage } = result;
  const answer = result.answer ?? null;
  const estimated = usage.estimated === true ? 1 : 0;
  const updated = await db.query({
    name: 'baton_call_finish',
    text: `UPDATE calls SET status = $2, output = $3, input_tokens = $4, output_tokens = $5, usd = $6, latency_ms = $7, finished_at = $8, answer = $9,
                            usage_estimated = $10
           WHERE key = $1`,
    values: [key, result.status, result.output, usage.inputTokens, usage.outputTokens, result.usd, result.latencyMs, at, answer, estimated],
  });
  if ((updated.rowCount ?? 0) > 0) return;
  if (result.purpose === undefined || result.model === undefined) {
    throw new BatonError('invalid_input', `Call ${key} has no recorded intent; its result must name its purpose and model.`);
  }
  // Outside a transaction an intent may land between the UPDATE and this INSERT: then the result goes on it.
  await db.query(
    `INSERT INTO calls (key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, output, input_tokens, output_tokens,
                        usd, latency_ms, started_at, finished_at, answer, usage_estimated)
     VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7, $8, $9, $10, $11, $11, $12, $13)
     ON CONFLICT (key) DO UPDATE SET status = excluded.status, output = excluded.output, input_tokens = excluded.input_tokens,
       output_tokens = excluded.output_tokens, usd = excluded.usd, latency_ms = excluded.latency_ms, finished_at = excluded.finished_at,
       answer = excluded.answer, usage_estimated = excluded.usage_estimated`,
    [key, explorationId, result.purpose, result.model, result.status, result.output, usage.inputTokens, usage.outputTokens, result.usd, result.latencyMs, at, answer, estimated],
  );
}

async function isFork(db: Queryable, explorationId: string): Promise<boolean> {
  const { rows } = await db.query<{ forked_from: string | null }>('SELECT forked_from FROM explorations WHERE id = $1', [explorationId]);
  return (rows[0]?.forked_from ?? null) !== null;
}

/** Rows in the order of `ids` (a log's order); ids with no row are left out. */
function inOrder<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
