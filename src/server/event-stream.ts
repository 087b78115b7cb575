import type { SSEStreamingApi } from 'hono/streaming';
import type { StoredEvent } from '../explore/events.js';
import type { Store } from '../store/store.js';
import type { RunStatus, StreamedEvent } from './contract.js';

/**
 * Live updates: the exploration's append-only event log as server-sent events. Each stream reads
 * the store after the last event it sent — so a reconnect with `Last-Event-ID` resumes exactly
 * there — and then waits: a commit in this process wakes it at once, and a cheap poll picks up
 * what another process (`baton run` in a terminal) writes to the same database.
 */

/** Wakes the streams of an exploration when something is committed to it. */
export class CommitSignal {
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #generation = new Map<string, number>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Counts the wakes of an exploration: a wait from an older count returns at once. */
  generation(explorationId: string): number {
    return this.#generation.get(explorationId) ?? 0;
  }

  wake(explorationId: string): void {
    this.#generation.set(explorationId, this.generation(explorationId) + 1);
    const waiters = this.#waiting.get(explorationId);
    this.#waiting.delete(explorationId);
    for (const wake of waiters ?? []) wake();
  }

  /** Ends every wait for good (the server is closing). */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#waiting.keys()]) this.wake(id);
  }

  /** Resolves on the next `wake(explorationId)` after generation `since`, or after `ms`. */
  wait(explorationId: string, ms: number, since: number): Promise<void> {
    if (this.#closed || this.generation(explorationId) !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(explorationId) ?? new Set<() => void>();
      this.#waiting.set(explorationId, waiters);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }
}

/** The store, with every commit (and new exploration) announced to `signal`. */
export function watchCommits(store: Store, signal: CommitSignal): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit') {
        return async (explorationId: string, write: Parameters<Store['commit']>[1]) => {
          const stored = await target.commit(explorationId, write);
          signal.wake(explorationId);
          return stored;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface EventStreamOptions {
  store: Store;
  explorationId: string;
  /** Send the events after this seq (0: from the start). */
  after: number;
  signal: CommitSignal;
  onStatus: (listener: (status: RunStatus) => void) => () => void;
  pollMs: number;
  heartbeatMs: number;
}

export async function streamEvents(stream: SSEStreamingApi, options: EventStreamOptions): Promise<void> {
  const { store, explorationId, signal } = options;
  let after = options.after;
  const statuses: RunStatus[] = [];
  const unsubscribe = options.onStatus((status) => {
    if (status.explorationId !== explorationId) return;
    statuses.push(status);
    signal.wake(explorationId);
  });
  stream.onAbort(() => signal.wake(explorationId));
  let lastWrite = Date.now();
  try {
    await stream.writeSSE({ event: 'ready', data: JSON.stringify({ explorationId, after }), retry: 2000 });
    while (!stream.aborted && !stream.closed && !signal.closed) {
      const generation = signal.generation(explorationId);
      for (const stored of await store.readEvents(explorationId, after)) {
        await stream.writeSSE({ id: String(stored.seq), event: stored.event.type, data: JSON.stringify(streamedEvent(stored)) });
        after = stored.seq;
        lastWrite = Date.now();
      }
      // Statuses after the events: a run's `finished` comes after everything it wrote.
      for (let status = statuses.shift(); status; status = statuses.shift()) {
        await stream.writeSSE({ event: 'status', data: JSON.stringify(status) });
        lastWrite = Date.now();
      }
      if (Date.now() - lastWrite >= options.heartbeatMs) {
        await stream.write(': heartbeat\n\n');
        lastWrite = Date.now();
      }
      await signal.wait(explorationId, options.pollMs, generation);
    }
  } finally {
    unsubscribe();
  }
}

/** The event as the UI gets it: embeddings dropped (large, and of no use in a browser). */
export function streamedEvent(stored: StoredEvent): StreamedEvent {
  const event = JSON.parse(JSON.stringify(stored.event, (key, value: unknown) => (key === 'embedding' ? undefined : value))) as Record<string, unknown>;
  return { seq: stored.seq, at: stored.at, type: stored.event.type, event };
}
