import { decide } from '../../src/steer/decisions.js';
import { currentBoard, runUntilCheckpoint } from '../../src/steer/steering.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createBenchExploration, loadBenchEngine } from './baton-workload.js';
import type { ModelClock } from './fake-model.js';
import { diskBytes, median, overheadPerMoveUs, timeMs } from './measure.js';

/**
 * An exploration grown to `candidates` through the real engine: enough lenses that every path
 * (two openings per lens, deepened to depth 8) is needed, every checkpoint answered `continue`.
 * Overhead per move is measured per slice of the growth, so a cost that grows with the
 * exploration shows as a rising line. Then, at full size: the board, reopening from the file,
 * resuming to the next model call, and the overhead of new moves.
 */

export interface ScaleSetup {
  dbPath: string;
  candidates: number;
  clock: ModelClock;
  /** Slices the growth is measured in. */
  slices: number;
}

export interface ScaleResult {
  candidates: number;
  buildMs: number;
  /** Overhead per move (µs) for each slice of the growth, first to last. */
  overheadBySliceUs: number[];
  boardMs: number;
  reopenMs: number;
  resumeMs: number;
  /** Overhead per move of new moves at full size. */
  newMovesOverheadUs: number;
  diskBytesPerCandidate: number;
}

const CONCURRENCY = 16;
const MOVES_PER_LENS = 16;

export async function scaleExploration(setup: ScaleSetup): Promise<ScaleResult> {
  let store: Store = openSqliteStore(setup.dbPath);
  // A few lenses more than needed, so that moves remain to be made at full size.
  const lenses = Math.ceil(setup.candidates / MOVES_PER_LENS) + 4;
  const engineSetup = { dbPath: setup.dbPath, lenses, concurrency: CONCURRENCY, attention: 1_000_000, clock: setup.clock };
  const id = await createBenchExploration(store, engineSetup);
  let engine = await loadBenchEngine(store, id, engineSetup);
  const sliceSize = Math.ceil(setup.candidates / setup.slices);
  const slices: { wall: number; model: number; moves: number }[] = Array.from({ length: setup.slices }, () => ({ wall: 0, model: 0, moves: 0 }));
  const built = performance.now();
  while (engine.state.order.length < setup.candidates) {
    const before = engine.state.order.length;
    const modelBefore = setup.clock.spentMs;
    const started = performance.now();
    if (engine.state.status === 'awaiting') await decide(engine, { action: 'continue', reason: 'keep going' });
    const outcome = await runUntilCheckpoint(engine, { maxWaves: 8 });
    const slice = slices[Math.min(setup.slices - 1, Math.floor(before / sliceSize))];
    if (slice) {
      slice.wall += performance.now() - started;
      slice.model += setup.clock.spentMs - modelBefore;
      slice.moves += engine.state.order.length - before;
    }
    if (outcome.status !== 'running' && outcome.status !== 'awaiting') break;
  }
  const buildMs = performance.now() - built;

  const boards: number[] = [];
  for (let i = 0; i < 5; i += 1) boards.push((await timeMs(() => currentBoard(engine, null, []))).ms);

  await store.close();
  const reopened = await timeMs(async () => {
    store = openSqliteStore(setup.dbPath);
    return loadBenchEngine(store, id, engineSetup);
  });
  engine = reopened.value;

  setup.clock.mark();
  const resumeStarted = performance.now();
  if (engine.state.status === 'awaiting') await decide(engine, { action: 'continue', reason: 'keep going' });
  const before = engine.state.order.length;
  const modelBefore = setup.clock.spentMs;
  await runUntilCheckpoint(engine, { maxWaves: 4 });
  const resumeMs = (setup.clock.firstCallAt ?? Number.NaN) - resumeStarted;
  const newMovesWall = performance.now() - resumeStarted;
  const newMoves = engine.state.order.length - before;
  const candidates = engine.state.order.length;
  await store.close();

  return {
    candidates,
    buildMs,
    overheadBySliceUs: slices.map((s) => overheadPerMoveUs(s.wall, s.model, s.moves)),
    boardMs: median(boards),
    reopenMs: reopened.ms,
    resumeMs,
    newMovesOverheadUs: overheadPerMoveUs(newMovesWall, setup.clock.spentMs - modelBefore, newMoves),
    diskBytesPerCandidate: diskBytes(setup.dbPath) / candidates,
  };
}

