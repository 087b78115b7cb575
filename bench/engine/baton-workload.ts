import { join } from 'node:path';
import type { Brief, Lens } from '../../src/brief/schema.js';
import { ExplorationEngine } from '../../src/explore/engine.js';
import { createLocalEmbedding } from '../../src/models/local-embedding.js';
import { decide } from '../../src/steer/decisions.js';
import { runUntilCheckpoint } from '../../src/steer/steering.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { ModelClock } from './fake-model.js';
import { fakePort } from './fake-model.js';

/**
 * The exploration workload through Baton's real engine and SQLite store: open every lens, deepen
 * each path until the engine's own exhaustion rules stop it (depth 8), stop at every checkpoint
 * the triggers raise, decide `continue`, resume — until nothing is left.
 */

export const CRITERIA = ['vivid', 'true'] as const;

export function benchBrief(attention: number): Brief {
  return {
    intent: 'Measure the orchestration cost of an exploration.',
    question: 'What is the best opening paragraph?',
    constraints: [],
    criteria: CRITERIA.map((id) => ({ id, text: `It is ${id}.`, weight: 1, min: 7 })),
    lenses: 'auto',
    budget: {},
    attention,
    model: 'fake:bench',
    judge: 'fake:bench',
    context: '',
  };
}

export function benchLenses(count: number): Lens[] {
  return Array.from({ length: count }, (_, i) => ({ id: `lens-${i + 1}`, name: `Lens ${i + 1}`, text: `Look at it from angle ${i + 1}.`, builtin: false }));
}

export interface BatonSetup {
  dbPath: string;
  lenses: number;
  concurrency: number;
  attention: number;
  clock: ModelClock;
  latencyMs?: number;
}

/** The id of the exploration a benchmark creates. */
export const BENCH_EXPLORATION = 'xbench';

export async function createBenchExploration(store: Store, setup: Pick<BatonSetup, 'lenses' | 'attention'>, id = BENCH_EXPLORATION): Promise<string> {
  const brief = benchBrief(setup.attention);
  const version = await store.saveBrief({ source: '---\nquestion: bench\n---\n', brief });
  await store.createExploration({
    id,
    briefId: version.id,
    seed: 1,
    model: 'fake:bench',
    judge: 'fake:bench',
    title: 'bench',
    created: { type: 'exploration.created', briefId: version.id, seed: 1, lenses: benchLenses(setup.lenses), model: 'fake:bench', judge: 'fake:bench' },
  });
  return id;
}

export async function loadBenchEngine(store: Store, id: string, setup: BatonSetup): Promise<ExplorationEngine> {
  const port = fakePort({ clock: setup.clock, criteria: CRITERIA, ...(setup.latencyMs !== undefined ? { latencyMs: setup.latencyMs } : {}) });
  return ExplorationEngine.load({ store, writer: port, judge: port, embedding: createLocalEmbedding() }, id, { concurrency: setup.concurrency });
}

/**
 * True when the engine stopped at an `exhausted` checkpoint with nothing left to try on its own:
 * the workload is done (a person would accept, redirect or steer; `continue` is refused).
 */
export function nothingLeft(engine: ExplorationEngine): boolean {
  const exhausted = engine.state.openCheckpoint?.reasons.some((r) => r.kind === 'exhausted') ?? false;
  return exhausted && !engine.hasMoveLeft();
}

export interface BatonWorkloadResult {
  moves: number;
  wallMs: number;
  modelMs: number;
  checkpoints: number;
  /** Decision recorded → next model call, per resume that made one. */
  resumeMs: number[];
  /** UTF-8 bytes of all candidate texts. */
  textBytes: number;
}

/**
 * Runs the whole workload. `reopen`: at each checkpoint the store is closed and the resume starts
 * from the file (a new process would do the same); otherwise the engine stays in memory.
 */
export async function runBatonWorkload(setup: BatonSetup, reopen: boolean): Promise<BatonWorkloadResult> {
  let store = openSqliteStore(setup.dbPath);
  const id = await createBenchExploration(store, setup);
  const started = performance.now();
  let engine = await loadBenchEngine(store, id, setup);
  let result = await runUntilCheckpoint(engine);
  const resumeMs: number[] = [];
  let checkpoints = 0;
  while (result.status === 'awaiting' && !nothingLeft(engine)) {
    checkpoints += 1;
    const calls = setup.clock.calls;
    setup.clock.mark();
    const resumeStarted = performance.now();
    if (reopen) {
      await store.close();
      store = openSqliteStore(setup.dbPath);
      engine = await loadBenchEngine(store, id, setup);
    }
    await decide(engine, { action: 'continue', reason: 'keep going' });
    result = await runUntilCheckpoint(engine);
    const first = setup.clock.firstCallAt;
    if (first !== undefined && setup.clock.calls > calls) resumeMs.push(first - resumeStarted);
  }
  const wallMs = performance.now() - started;
  const moves = engine.state.order.length;
  let textBytes = 0;
  for (const node of engine.state.nodes.values()) textBytes += Buffer.byteLength(node.candidate.text);
  await store.close();
  return { moves, wallMs, modelMs: setup.clock.spentMs, checkpoints, resumeMs, textBytes };
}

export function dbFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`];
}

export function tempDb(dir: string, name: string): string {
  return join(dir, `${name}.db`);
}
