import type { Baton, DecideOptions, ReopenOptions } from '../baton.js';
import type { Reopening } from '../explore/events.js';
import { BatonError, isBatonError } from '../errors.js';
import type { Decision } from '../steer/types.js';
import { hostname } from 'node:os';
import { DEFAULT_LEASE_SETTINGS, describeLease, leaseAbandoned } from '../store/lease-keeper.js';
import type { LeaseInfo, RunStatus } from './contract.js';

const ENDED: ReadonlySet<string> = new Set(['accepted', 'exhausted', 'stopped']);

/**
 * Explorations running in the background of the server: at most one run per exploration (a
 * second run or decision is a 409 until it ends). A run that fails — a provider down, the budget
 * spent — is kept as the exploration's `lastError` and announced as a `status`; it never takes
 * the server down.
 */
export class BackgroundRuns {
  readonly #baton: Baton;
  readonly #log: (line: string) => void;
  readonly #running = new Map<string, Promise<void>>();
  readonly #lastError = new Map<string, string>();
  readonly #listeners = new Set<(status: RunStatus) => void>();
  readonly #abort = new AbortController();

  constructor(baton: Baton, log: (line: string) => void) {
    this.#baton = baton;
    this.#log = log;
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  lastError(id: string): string | null {
    return this.#lastError.get(id) ?? null;
  }

  /** Calls `listener` with every run's status changes; returns the unsubscribe. */
  onStatus(listener: (status: RunStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Who explores `id` now, when someone does (this server, or another process). */
  async leaseOf(id: string): Promise<LeaseInfo | null> {
    const lease = await this.#baton.store.getLease(id);
    if (!lease || leaseAbandoned(lease, Date.now(), DEFAULT_LEASE_SETTINGS.staleMs)) return null;
    const elsewhere = lease.pid !== process.pid || lease.host !== hostname();
    return { pid: lease.pid, host: lease.host, since: lease.since, heartbeat: lease.heartbeat, elsewhere };
  }

  /**
   * Starts exploring `id` to its next checkpoint in the background. An ended exploration, or one
   * another process is exploring, is refused (409) before anything starts.
   */
  async run(id: string): Promise<void> {
    const record = await this.#baton.store.getExploration(id);
    if (record && ENDED.has(record.status)) {
      throw new BatonError('conflict', `exploration ${id} has ended (${record.status}); there is nothing left to run`);
    }
    const lease = await this.#baton.store.getLease(id);
    if (lease && !this.#running.has(id) && !leaseAbandoned(lease, Date.now(), DEFAULT_LEASE_SETTINGS.staleMs)) {
      throw new BatonError('exploration_busy', describeLease(lease));
    }
    this.#claim(id);
    this.#announce(id, 'started');
    this.#track(id, this.#baton.run(id, { signal: this.#abort.signal }).then(() => undefined));
  }

  /**
   * Records a decision; resolves as soon as it is durable, while exploring on to the next
   * checkpoint continues in the background. A decision refused before it is recorded rejects.
   */
  decide(id: string, input: DecideOptions): Promise<Decision> {
    return this.#recordThenExplore<Decision>(id, (onRecorded) => this.#baton.decide(id, { ...input, run: { signal: this.#abort.signal }, onRecorded }));
  }

  /** Reopens an ended exploration; resolves once the reopening is durable, exploring on in the background. */
  reopen(id: string, input: Omit<ReopenOptions, 'run' | 'onRecorded'>): Promise<Reopening> {
    return this.#recordThenExplore<Reopening>(id, (onRecorded) => this.#baton.reopen(id, { ...input, run: { signal: this.#abort.signal }, onRecorded }));
  }

  /**
   * Runs `start` under this exploration's claim: resolves with what it records as soon as that is
   * durable (exploring on in the background), rejects if it fails before recording anything.
   */
  #recordThenExplore<T>(id: string, start: (onRecorded: (recorded: T) => void) => Promise<unknown>): Promise<T> {
    this.#claim(id);
    return new Promise<T>((resolve, reject) => {
      let recorded = false;
      const onRecorded = (value: T): void => {
        recorded = true;
        this.#announce(id, 'started');
        resolve(value);
      };
      const work = start(onRecorded).then(() => undefined);
      this.#track(
        id,
        work.catch((error: unknown) => {
          if (recorded) throw error;
          reject(error instanceof Error ? error : new Error(String(error)));
        }),
        () => recorded,
      );
    });
  }

  /** Stops every run after the moves in flight, and waits for them. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running.values()]);
  }

  #claim(id: string): void {
    if (this.#running.has(id)) throw new BatonError('conflict', `exploration ${id} is running; wait for its next checkpoint (the event stream says when)`);
    // Held until #track replaces it, in the same tick: no await between the check and the claim.
    this.#running.set(id, Promise.resolve());
  }

  #track(id: string, work: Promise<void>, announced: () => boolean = () => true): void {
    const done = work.then(
      async () => {
        this.#lastError.delete(id);
        if (announced()) this.#announce(id, 'finished', { status: await this.#statusOf(id) });
      },
      async (error: unknown) => {
        const message = plainMessage(error);
        if (!isBatonError(error)) this.#log(`baton serve: run of ${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        this.#lastError.set(id, message);
        this.#announce(id, 'failed', { message, status: await this.#statusOf(id) });
      },
    );
    const settled = done.finally(() => this.#running.delete(id));
    this.#running.set(id, settled);
  }

  async #statusOf(id: string): Promise<RunStatus['status']> {
    try {
      return (await this.#baton.store.getExploration(id))?.status;
    } catch {
      return undefined;
    }
  }

  #announce(id: string, state: RunStatus['state'], extra: { status?: RunStatus['status'] | undefined; message?: string } = {}): void {
    const status: RunStatus = { explorationId: id, state, at: new Date().toISOString() };
    if (extra.status !== undefined) status.status = extra.status;
    if (extra.message !== undefined) status.message = extra.message;
    for (const listener of this.#listeners) listener(status);
  }
}

/** What a person may read about a failure: a BatonError's message, never a stack trace. */
function plainMessage(error: unknown): string {
  if (isBatonError(error)) return error.message;
  return 'internal error — this is a bug; the server log has the details';
}
