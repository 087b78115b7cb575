import type { Store } from '../../src/store/store.js';

/**
 * A `Store` that dies like a killed process: the `crashAt`-th write (1-based, counting every
 * write the store port offers) never happens, and from then on every call — read or write —
 * throws `SimulatedCrash`, so nothing after the crash reaches the database. Since each write of
 * the SQLite store is one transaction, crashing before write N is exactly a `kill -9` landing
 * between transactions N-1 and N; sweeping N covers every point a real kill can land on.
 */

export class SimulatedCrash extends Error {
  constructor(readonly at: number) {
    super(`simulated crash before write ${at}`);
  }
}

const WRITES = new Set<string>(['saveBrief', 'createExploration', 'commit', 'beginCall', 'finishCall', 'putNote']);

export interface CrashingStore {
  store: Store;
  /** Writes that reached the inner store so far. */
  writes(): number;
  /** What each write was, in order: `commit:move.planned`, `beginCall`, `commit:calls`, … */
  labels(): string[];
  crashed(): boolean;
}

/** Wraps `inner`; with `crashAt` undefined it only counts writes (to size a sweep). */
export function crashingStore(inner: Store, crashAt?: number): CrashingStore {
  let writes = 0;
  let dead = false;
  const labels: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        if (property === 'close') return method.apply(target, args);
        if (dead) return Promise.reject(new SimulatedCrash(crashAt ?? 0));
        if (WRITES.has(property)) {
          if (crashAt !== undefined && writes + 1 >= crashAt) {
            dead = true;
            return Promise.reject(new SimulatedCrash(crashAt));
          }
          writes += 1;
          labels.push(labelOf(property, args));
        }
        return method.apply(target, args);
      };
    },
  });
  return { store, writes: () => writes, labels: () => [...labels], crashed: () => dead };
}

function labelOf(method: string, args: unknown[]): string {
  if (method !== 'commit') return method;
  const write = args[1] as Parameters<Store['commit']>[1];
  const types = [...new Set(write.events.map((e) => e.type))];
  return types.length > 0 ? `commit:${types.join('+')}` : 'commit:calls';
}
