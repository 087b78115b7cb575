import PgBoss from 'pg-boss';
import type pg from 'pg';
import { BatonError } from '../errors.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';

/**
 * The team engine's queue: pg-boss 10 (the newest major that runs on Node 20) in the team store's
 * database. pg-boss provides what a pool of workers needs and Baton does not write itself: jobs
 * fetched with SKIP LOCKED, a job per exploration at a time (the `stately` policy keyed by the
 * exploration's id: at most one queued and one active), expiry of a job whose worker died (the
 * lease: `expireInSeconds`, checked by its maintenance every second), and retries.
 *
 * A job advances one exploration by a slice of waves (as many as a third of the lease allows).
 * When the slice leaves the exploration running, the job's completion and the next slice's job
 * are committed in one transaction, so there is never a
 * moment with no job for a running exploration, nor two active ones. A checkpoint ends the chain;
 * a decision starts it again (`enqueue`), also when no worker is alive: the job waits in the table.
 * `enqueue` also announces the job (NOTIFY on the queue's channel), which wakes an idle slot of
 * each worker at once; polling (`pollSeconds`) is only the fallback.
 */

export const EXPLORE_QUEUE = 'baton-explore';
export const DEFAULT_LEASE_SECONDS = 60;

export interface ExploreJob {
  explorationId: string;
}

export interface TeamQueueOptions {
  /**
   * Seconds a worker may hold one wave before the engine gives it to another worker: the time a
   * killed worker's exploration waits to be taken over. Must exceed the slowest wave. A setting
   * of the queue, not of a job: a worker that gives it sets it for the waves queued from then on
   * (by anyone); the queue starts with 60.
   */
  leaseSeconds?: number;
  /** How often an idle worker asks for work (pg-boss's minimum is 0.5 s). */
  pollSeconds?: number;
}

/** The queue's schema: beside the store's tables (`<schema>_queue`), or `baton_queue`. */
export function queueSchema(store: PostgresStore): string {
  return store.schema === undefined ? 'baton_queue' : `${store.schema}_queue`.slice(0, 63);
}

function dbOf(client: Pick<pg.PoolClient, 'query'>): PgBoss.Db {
  return { executeSql: async (text, values) => client.query(text, values) };
}

export class TeamQueue {
  readonly #boss: PgBoss;
  readonly #store: PostgresStore;
  readonly #lease: number | undefined;
  readonly #poll: number;
  #started: Promise<void> | undefined;
  /** The slot workers' ids (pg-boss's), woken when work is announced. */
  readonly #slots: string[] = [];
  /** Slots running a job now; the others are idle. */
  readonly #busy = new Set<string>();
  /** Where the next announcement's wake-up starts among the slots (round robin). */
  #nextSlot = 0;
  /** The connection that listens for announced work, while this process works. */
  #listener: pg.PoolClient | undefined;

  constructor(store: PostgresStore, options: TeamQueueOptions = {}) {
    this.#store = store;
    this.#lease = options.leaseSeconds;
    this.#poll = options.pollSeconds ?? 0.5;
    this.#boss = new PgBoss({
      db: { executeSql: async (text, values) => store.pool.query(text, values) },
      schema: queueSchema(store),
      // The expiry check is what hands a dead worker's job to another: run it every second.
      maintenanceIntervalSeconds: 1,
      monitorStateIntervalSeconds: 60,
      archiveCompletedAfterSeconds: 3600,
      schedule: false,
    });
    this.#boss.on('error', () => undefined);
  }

  get schema(): string {
    return queueSchema(this.#store);
  }

  /** The NOTIFY channel on which new work is announced to the workers (named after the queue's schema). */
  get channel(): string {
    return this.schema;
  }

  /** Starts the engine (creating its tables and the queue on first use). */
  async start(): Promise<void> {
    this.#started ??= (async () => {
      await this.#store.ready;
      try {
        await this.#boss.start();
        if (!(await this.#boss.getQueue(EXPLORE_QUEUE))) {
          await this.#boss.createQueue(EXPLORE_QUEUE, { name: EXPLORE_QUEUE, policy: 'stately', expireInSeconds: DEFAULT_LEASE_SECONDS });
        }
        if (this.#lease !== undefined) await this.#boss.updateQueue(EXPLORE_QUEUE, { name: EXPLORE_QUEUE, policy: 'stately', expireInSeconds: this.#lease });
      } catch (error) {
        // Two processes creating the queue at once: the other one won, which is as good.
        if (!(await this.#boss.getQueue(EXPLORE_QUEUE).catch(() => null))) {
          throw new BatonError('internal', `The team queue in ${this.#store.location} could not start: ${String(error)}`, { cause: error });
        }
      }
    })();
    return this.#started;
  }

  #jobOptions(explorationId: string): PgBoss.SendOptions {
    // No expiry here: the queue's (the lease the workers set) applies.
    return { singletonKey: explorationId, retryLimit: 5, retryDelay: 1, retryBackoff: true };
  }

  /**
   * Asks the workers to advance an exploration. A no-op when a job for it is already queued
   * (stately: one queued per exploration). Durable once it resolves.
   */
  async enqueue(explorationId: string): Promise<void> {
    await this.start();
    await this.#boss.send(EXPLORE_QUEUE, { explorationId } satisfies ExploreJob, this.#jobOptions(explorationId));
    // Wakes the workers' idle slots now rather than at their next poll (a decision is acted on at once).
    await this.#store.pool.query('SELECT pg_notify($1, $2)', [this.channel, explorationId]).catch(() => undefined);
  }

  /** Completes a job and, in the same transaction, queues the exploration's next wave. */
  async completeAndContinue(job: PgBoss.Job<ExploreJob>): Promise<void> {
    const client = await this.#store.pool.connect();
    try {
      await client.query('BEGIN');
      const db = dbOf(client);
      await this.#boss.complete(EXPLORE_QUEUE, job.id, {}, { db });
      await this.#boss.send(EXPLORE_QUEUE, job.data, { ...this.#jobOptions(job.data.explorationId), db });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Takes jobs with `slots` independent pollers (a process advances several explorations at once:
   * the model's latency, not the CPU, is what a wave waits on). Resolves when polling has begun.
   */
  async work(slots: number, handle: (job: PgBoss.Job<ExploreJob>) => Promise<void>): Promise<void> {
    await this.start();
    for (let i = 0; i < slots; i += 1) {
      let id = '';
      id = await this.#boss.work<ExploreJob>(EXPLORE_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.#poll }, async (jobs) => {
        if (jobs.length > 0) this.#busy.add(id);
        try {
          for (const job of jobs) await handle(job);
        } finally {
          this.#busy.delete(id);
        }
        // Busy: ask again at once rather than after the polling interval (the next wave is queued).
        if (jobs.length > 0) this.#boss.notifyWorker(id);
      });
      this.#slots.push(id);
    }
    await this.#listen();
  }

  /**
   * Listens for work announced by `enqueue` and wakes this process's slots: polling stays the
   * fallback (a notification missed while reconnecting costs one polling interval), not the way
   * a queued exploration is noticed.
   */
  async #listen(): Promise<void> {
    if (this.#listener) return;
    const client = await this.#store.pool.connect().catch(() => undefined);
    if (!client) return;
    // One announcement is one job: it wakes one idle slot here (each process wakes one of its
    // own; SKIP LOCKED gives the job to one of them), not every slot of every worker.
    client.on('notification', () => {
      for (let tried = 0; tried < this.#slots.length; tried += 1) {
        const id = this.#slots[this.#nextSlot % this.#slots.length] ?? '';
        this.#nextSlot += 1;
        if (this.#busy.has(id)) continue;
        this.#boss.notifyWorker(id);
        return;
      }
    });
    client.on('error', () => {
      if (this.#listener === client) this.#listener = undefined;
      client.release(true);
    });
    try {
      await client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
      this.#listener = client;
    } catch {
      client.release(true);
    }
  }

  /**
   * The newest job of an exploration: whether work for it is queued or running, or how its last
   * one failed. Read from the engine's job table; nothing is written there but through pg-boss.
   */
  async lastJob(explorationId: string): Promise<{ state: string; output: unknown } | undefined> {
    await this.start();
    const { rows } = await this.#store.pool.query<{ state: string; output: unknown }>(
      `SELECT state, output FROM "${this.schema}".job WHERE name = $1 AND singleton_key = $2 ORDER BY created_on DESC LIMIT 1`,
      [EXPLORE_QUEUE, explorationId],
    );
    return rows[0];
  }

  /** Stops taking jobs; with `graceful`, waits for the jobs in hand to finish. */
  async stop(graceful = true): Promise<void> {
    if (!this.#started) return;
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener) {
      await listener.query('UNLISTEN *').catch(() => undefined);
      listener.release();
    }
    await this.#started.catch(() => undefined);
    await this.#boss.stop({ graceful, close: false, wait: true, timeout: 30_000 });
  }
}

/** The team queue of a store: only a Postgres store has one. */
export function openTeamQueue(store: Store, options: TeamQueueOptions = {}): TeamQueue {
  // A proxy over the store (the server's commit watcher) passes this check: it forwards the prototype.
  if (!(store instanceof PostgresStore)) {
    throw new BatonError('invalid_input', `Explorations are queued for workers only on a team store (postgres://), not ${store.location}.`);
  }
  return new TeamQueue(store, options);
}
