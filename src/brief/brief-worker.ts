import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SourceLocation } from '../errors.js';
import { BatonError } from '../errors.js';
import type { CheckContext } from '../explore/checks.js';
import type { BriefAnswer, BriefJobInput } from './brief-worker-main.js';
import type { LintFinding } from './lint.js';
import type { Brief } from './schema.js';

/**
 * Reading a brief given as text — parsing its YAML, linting it, checking what it names — runs in
 * a worker thread with a time and memory limit, never on the caller's event loop: a huge or
 * hostile brief sent to `baton serve` (or its MCP server) cannot stall every other request. A
 * brief past a limit is a `limit_exceeded` error (HTTP 422) saying which limit, never a 5xx.
 *
 * One worker is kept and reused (loading the brief code takes longer than reading most briefs);
 * a worker past a limit is stopped and the next brief gets a fresh one.
 */

export interface BriefLimits {
  /** How long reading one brief may take, ms (default 10 s). */
  timeoutMs: number;
  /** Heap of the worker that reads briefs, MB (default 256). */
  memoryMb: number;
}

export const DEFAULT_BRIEF_LIMITS: BriefLimits = { timeoutMs: 10_000, memoryMb: 256 };
/** Loading the worker's code is not the brief's fault: it has a limit of its own. */
const LOAD_TIMEOUT_MS = 60_000;

// From the TypeScript sources (tests, `tsx`) the worker's file is TypeScript too: it is loaded
// through tsx's loader, registered inside the worker. From dist/ it is plain JavaScript.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const start = workerData.tsx ? import(workerData.tsx).then((tsx) => tsx.register()) : Promise.resolve();
start.then(() => import(workerData.entry)).catch((error) => { throw error; });
`;

type Settle = (answer: BriefAnswer | { gone: string }) => void;

class BriefWorker {
  private readonly worker: Worker;
  private readonly ready: Promise<string | undefined>;
  private readonly loadTimer: NodeJS.Timeout;
  private readonly pending = new Map<number, Settle>();
  private loaded: (failure: string | undefined) => void = () => {};
  private ended: string | undefined;
  private nextId = 1;
  private active = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly memoryMb: number) {
    const entry = new URL(FROM_SOURCES ? './brief-worker-main.ts' : './brief-worker-main.js', import.meta.url).href;
    const tsx = FROM_SOURCES ? pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/u, '.mjs')).href : undefined;
    this.ready = new Promise((resolvePromise) => (this.loaded = resolvePromise));
    this.loadTimer = setTimeout(() => this.stop(`the brief reader did not start within ${LOAD_TIMEOUT_MS / 1000} s`), LOAD_TIMEOUT_MS);
    this.loadTimer.unref();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { entry, tsx },
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    this.worker.on('message', (message: BriefAnswer | { ready: true }) => {
      if ('ready' in message) {
        clearTimeout(this.loadTimer);
        this.loaded(undefined);
        return;
      }
      const settle = this.pending.get(message.id);
      this.pending.delete(message.id);
      settle?.(message);
    });
    this.worker.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      this.end(code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : `the brief reader failed: ${error.message}`);
    });
    this.worker.on('exit', () => this.end('the brief reader stopped'));
    // A process may exit with the worker idle; while a job waits for it (loading included), the
    // worker is referenced, so a script whose only work is that job does not end with it unsettled.
    this.worker.unref();
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    clearTimeout(this.loadTimer);
    this.loaded(why);
    for (const settle of this.pending.values()) settle({ gone: why });
    this.pending.clear();
  }

  stop(why: string): void {
    this.end(why);
    void this.worker.terminate();
  }

  /** Runs one job after the ones before it; its time limit starts when it reaches the worker. */
  run(job: BriefJobInput, timeoutMs: number): Promise<BriefAnswer | { gone: string } | { timeout: true }> {
    const go = async (): Promise<BriefAnswer | { gone: string } | { timeout: true }> => {
      const failedToLoad = await this.ready;
      if (failedToLoad !== undefined) return { gone: failedToLoad };
      if (this.ended !== undefined) return { gone: this.ended };
      const id = this.nextId++;
      return new Promise((resolvePromise) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          this.stop('timeout');
          resolvePromise({ timeout: true });
        }, timeoutMs);
        this.pending.set(id, (answer) => {
          clearTimeout(timer);
          resolvePromise(answer);
        });
        this.worker.postMessage({ ...job, id });
      });
    };
    if (this.active++ === 0) this.worker.ref();
    const result = this.queue.then(go, go).finally(() => {
      if (--this.active === 0) this.worker.unref();
    });
    this.queue = result;
    return result;
  }
}

let shared: BriefWorker | undefined;

function workerFor(limits: BriefLimits): BriefWorker {
  if (shared?.alive && shared.memoryMb === limits.memoryMb) return shared;
  shared?.stop('replaced');
  shared = new BriefWorker(limits.memoryMb);
  return shared;
}

async function inWorker(job: BriefJobInput, limits: BriefLimits): Promise<unknown> {
  const worker = workerFor(limits);
  const answer = await worker.run(job, limits.timeoutMs);
  if ('timeout' in answer) throw tooCostly(`reading it took longer than ${limits.timeoutMs / 1000} s`, limits);
  if ('gone' in answer) {
    if (answer.gone === 'memory') throw tooCostly(`reading it needed more than ${limits.memoryMb} MB of memory`, limits);
    if (answer.gone === 'timeout') throw tooCostly(`reading it took longer than ${limits.timeoutMs / 1000} s`, limits);
    throw new BatonError('internal', answer.gone);
  }
  if (answer.ok) return answer.value;
  const { code, message, location, details } = answer.error;
  if (code === 'internal') throw new BatonError('internal', message);
  return Promise.reject(
    new BatonError(code as BatonError['code'], message, { ...(location !== undefined && { location: location as SourceLocation }), ...(details !== undefined && { details }) }),
  );
}

function tooCostly(what: string, limits: BriefLimits): BatonError {
  return new BatonError(
    'limit_exceeded',
    `the brief is too large or too complex to read: ${what} (a brief may take at most ${limits.timeoutMs / 1000} s and ${limits.memoryMb} MB to read). Shorten it: fewer or shorter criteria, lenses and lists, and no YAML anchors.`,
    { location: { field: '' } },
  );
}

/**
 * Lints a brief given as text in the brief worker, within `limits`.
 *
 * @example
 * const findings = await lintInWorker(source, 'brief.md', { allowModules: false });
 */
export async function lintInWorker(source: string, name: string, context: CheckContext, limits: BriefLimits = DEFAULT_BRIEF_LIMITS): Promise<LintFinding[]> {
  return (await inWorker({ kind: 'lint', source, name, context }, limits)) as LintFinding[];
}

/** Parses a brief given as text in the brief worker (`parseBrief`'s located errors, or `limit_exceeded`). */
export async function parseInWorker(source: string, name: string, limits: BriefLimits = DEFAULT_BRIEF_LIMITS): Promise<Brief> {
  return (await inWorker({ kind: 'parse', source, name }, limits)) as Brief;
}

/** Stops the brief worker (a server that closes, tests). */
export function stopBriefWorker(): void {
  shared?.stop('stopped');
  shared = undefined;
}
