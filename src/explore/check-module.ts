import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A brief's `module:` check runs in a worker thread of its own, never in Baton's: a module that
 * throws, calls `process.exit`, loops forever, exhausts memory or returns junk ends as that
 * criterion's failure (or, when it cannot even be loaded, a located error), and Baton — the CLI
 * or `baton serve` — carries on. The worker gets an empty environment (no provider keys), its
 * console output is discarded (it cannot corrupt `--json`), and each call has a time limit.
 */

/** How long loading a module, and one call of its check, may take. */
export const MODULE_TIMEOUT_MS = 5_000;
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };
const MAX_REASON_CHARS = 1_000;

export type ModuleVerdict = { ok: true; pass: boolean; reason: string | undefined } | { ok: false; reason: string };
export type ModuleLoad = { ok: true } | { ok: false; reason: string };

// Plain JavaScript run with `eval: true`, so it works the same from dist/ and from the sources
// under test. It loads the module, then answers one message at a time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// A module's console output would land in Baton's stdout (and break --json): it goes nowhere.
for (const stream of [process.stdout, process.stderr]) stream.write = (_chunk, _encoding, callback) => { if (typeof callback === 'function') callback(); else if (typeof _encoding === 'function') _encoding(); return true; };
const describe = (e) => { try { return String(e && e.message !== undefined ? e.message : e); } catch { return 'an unprintable error'; } };
const shape = (out) => {
  if (typeof out === 'boolean') return { pass: out };
  if (typeof out === 'object' && out !== null && typeof out.pass === 'boolean') {
    const said = typeof out.reason === 'string' && out.reason !== '' ? out.reason : out.pass ? 'passed' : 'did not pass';
    return { pass: out.pass, reason: said.slice(0, ${MAX_REASON_CHARS}) };
  }
  if (out === null) return { junk: 'null' };
  if (Array.isArray(out)) return { junk: 'an array' };
  return { junk: typeof out === 'object' ? 'an object without a boolean \`pass\`' : typeof out };
};
import(workerData.href).then((mod) => {
  const fn = typeof mod.check === 'function' ? mod.check : typeof mod.default === 'function' ? mod.default : undefined;
  if (!fn) { parentPort.postMessage({ type: 'no-function' }); return; }
  parentPort.on('message', async ({ text }) => {
    try { parentPort.postMessage({ type: 'result', ...shape(await fn(text)) }); }
    catch (e) { try { parentPort.postMessage({ type: 'threw', message: describe(e).slice(0, ${MAX_REASON_CHARS}) }); } catch { parentPort.postMessage({ type: 'threw', message: 'an unprintable error' }); } }
  });
  parentPort.postMessage({ type: 'ready' });
}, (e) => parentPort.postMessage({ type: 'load-error', message: describe(e).slice(0, ${MAX_REASON_CHARS}) }));
`;

interface WorkerMessage {
  type: 'ready' | 'no-function' | 'load-error' | 'result' | 'threw';
  message?: string;
  pass?: boolean;
  reason?: string;
  junk?: string;
}

/** One loaded module in its worker; calls are answered one at a time. */
class ModuleWorker {
  private readonly worker: Worker;
  private waiting: ((message: WorkerMessage | { type: 'gone'; why: string }) => void) | undefined;
  private ended: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(absolute: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { href: pathToFileURL(absolute).href },
      env: {},
      resourceLimits: RESOURCE_LIMITS,
    });
    this.worker.on('message', (message: WorkerMessage) => this.deliver(message));
    this.worker.on('error', (error) => this.end(`it failed: ${error.message.slice(0, MAX_REASON_CHARS)}`));
    this.worker.on('exit', (code) => this.end(`it ended its thread (exit code ${code}), e.g. by calling process.exit`));
    // The CLI must be able to exit with a worker loaded; a pending call keeps it alive by its
    // timer. After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  private deliver(message: WorkerMessage | { type: 'gone'; why: string }): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(message);
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    this.deliver({ type: 'gone', why });
  }

  /** The next message from the worker, or `timeout` (the worker is then stopped). */
  private next(timeoutMs: number): Promise<WorkerMessage | { type: 'gone'; why: string } | { type: 'timeout' }> {
    if (this.ended !== undefined) return Promise.resolve({ type: 'gone', why: this.ended });
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.stop(`it did not answer within ${timeoutMs / 1000} s`);
        resolvePromise({ type: 'timeout' });
      }, timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        resolvePromise(message);
      };
    });
  }

  async loaded(timeoutMs: number): Promise<ModuleLoad> {
    const message = await this.next(timeoutMs);
    if (message.type === 'ready') return { ok: true };
    if (message.type === 'no-function') return { ok: false, reason: 'it must export a function `check(text)` (or a default function)' };
    if (message.type === 'load-error') return { ok: false, reason: `it could not be loaded: ${message.message ?? ''}` };
    if (message.type === 'timeout') return { ok: false, reason: `loading it took longer than ${timeoutMs / 1000} s` };
    if (message.type === 'gone') return { ok: false, reason: `while loading, ${message.why}` };
    return { ok: false, reason: 'it answered before it was asked' };
  }

  check(text: string, timeoutMs: number): Promise<ModuleVerdict> {
    const run = async (): Promise<ModuleVerdict> => {
      if (this.ended !== undefined) return { ok: false, reason: this.ended };
      const answer = this.next(timeoutMs);
      this.worker.postMessage({ text });
      const message = await answer;
      if (message.type === 'result') {
        if (message.junk !== undefined) return { ok: false, reason: `expected a boolean or {pass, reason}, got ${message.junk}` };
        return { ok: true, pass: message.pass === true, reason: message.reason };
      }
      if (message.type === 'threw') return { ok: false, reason: message.message ?? 'it threw' };
      if (message.type === 'timeout') return { ok: false, reason: `it did not answer within ${timeoutMs / 1000} s` };
      if (message.type === 'gone') return { ok: false, reason: message.why };
      return { ok: false, reason: 'it sent an unexpected message' };
    };
    const result = this.queue.then(run, run);
    this.queue = result;
    return result;
  }

  stop(why: string): void {
    this.end(why);
    void this.worker.terminate();
  }
}

const workers = new Map<string, { worker: ModuleWorker; load: Promise<ModuleLoad> }>();

function workerFor(absolute: string, timeoutMs: number): { worker: ModuleWorker; load: Promise<ModuleLoad> } {
  const existing = workers.get(absolute);
  if (existing && existing.worker.alive) return existing;
  const worker = new ModuleWorker(absolute);
  const entry = { worker, load: worker.loaded(timeoutMs) };
  workers.set(absolute, entry);
  return entry;
}

/**
 * Loads a check module in its worker, to learn before a run whether it can be used at all.
 *
 * @example
 * const loaded = await loadCheckModule('/briefs/check.mjs'); // { ok: false, reason: 'it must export…' }
 */
export async function loadCheckModule(absolute: string, timeoutMs = MODULE_TIMEOUT_MS): Promise<ModuleLoad> {
  const { load } = workerFor(absolute, timeoutMs);
  return load;
}

/**
 * Runs a module's `check(text)` in its worker, with a time limit. A module that cannot be
 * loaded, throws, exits, times out or returns junk gives `{ ok: false, reason }`.
 */
export async function runCheckModule(absolute: string, text: string, timeoutMs = MODULE_TIMEOUT_MS): Promise<ModuleVerdict | { ok: false; reason: string; load: true }> {
  const { worker, load } = workerFor(absolute, timeoutMs);
  const loaded = await load;
  if (!loaded.ok) {
    workers.delete(absolute);
    return { ok: false, reason: loaded.reason, load: true };
  }
  return worker.check(text, timeoutMs);
}

/** Stops every module worker (for tests and a server that closes). */
export async function stopCheckModules(): Promise<void> {
  for (const { worker } of workers.values()) worker.stop('stopped');
  workers.clear();
}
