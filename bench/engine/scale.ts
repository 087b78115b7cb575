import { decide } from '../../src/steer/decisions.js';
import { currentBoard, runUntilCheckpoint } from '../../src/steer/steering.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { quantizeEmbedding } from '../../src/store/embedding-codec.js';
import type { Lens } from '../../src/brief/schema.js';
import type { ExplorationEvent } from '../../src/explore/events.js';
import { assembleVerdict } from '../../src/explore/judge.js';
import { findingFromAnswer } from '../../src/explore/jury.js';
import { NoveltyIndex } from '../../src/explore/novelty.js';
import type { Candidate, Judgment, PlannedMove } from '../../src/explore/types.js';
import { cosineSimilarity, createLocalEmbedding } from '../../src/models/local-embedding.js';
import type { CallResult } from '../../src/store/store.js';
import { BENCH_EXPLORATION, benchLenses, createBenchExploration, CRITERIA, loadBenchEngine, nothingLeft } from './baton-workload.js';
import { candidateText, judgeAnswer } from './fake-model.js';
import type { ModelClock } from './fake-model.js';
import { diskBytes, median, overheadPerMoveUs, timeMs } from './measure.js';

/**
 * An exploration grown to `candidates` through the real engine: enough lenses that every path
 * (two openings per lens, deepened to depth 8) is needed, every checkpoint answered `continue`.
 * Overhead per move is measured per slice of the growth, so a cost that grows with the
 * exploration shows as a rising line. Then, in a new process as a person's next command would be:
 * reopening from the file, the board, resuming to the next model call, and the overhead of new
 * moves. The two phases run in processes of their own, so each peak RSS is one process's.
 */

export interface ScaleSetup {
  dbPath: string;
  candidates: number;
  clock: ModelClock;
  /** Slices the growth is measured in. */
  slices: number;
  /** Grow through the Store API in bulk instead of through the engine (for the largest sizes). */
  bulk: boolean;
}

export interface ScaleResult {
  candidates: number;
  /** How the exploration was grown: through the engine, or written in bulk through the Store API. */
  built: 'engine' | 'bulk';
  buildMs: number;
  /** Overhead per move (µs) for each slice of the growth, first to last. */
  overheadBySliceUs: number[];
  boardMs: number;
  reopenMs: number;
  /** Every reopening measured (each in a fresh process), and the board's median in each. */
  reopenRunsMs?: number[];
  boardRunsMs?: number[];
  resumeMs: number;
  /** The first wave after reopening, wall time less the model's (ms): it pays once for what reopening deferred. */
  firstWaveMs: number;
  /** Overhead per move of new moves at full size, after that first wave. */
  newMovesOverheadUs: number;
  diskBytesPerCandidate: number;
  textBytesPerCandidate: number;
  /** Peak RSS of the process that grew the exploration, and of the one that reopened it. */
  growRssMb: number;
  reopenRssMb: number;
}

const CONCURRENCY = 16;
const MOVES_PER_LENS = 16;
const ATTENTION = 10;
const WORKLOAD_DEPTH = 8;

/** The growth phase: what it cost to grow the exploration, per slice. */
export type ScaleGrowth = Pick<ScaleResult, 'built' | 'buildMs' | 'overheadBySliceUs'>;

/** Reopening and the board alone. */
export type ScaleOpen = Pick<ScaleResult, 'reopenMs' | 'boardMs'>;

/** The reopening phase, at full size. */
export type ScaleReopen = Pick<
  ScaleResult,
  'candidates' | 'boardMs' | 'reopenMs' | 'resumeMs' | 'firstWaveMs' | 'newMovesOverheadUs' | 'diskBytesPerCandidate' | 'textBytesPerCandidate'
>;

export async function growExploration(setup: ScaleSetup): Promise<ScaleGrowth> {
  const store: Store = openSqliteStore(setup.dbPath);
  const lenses = Math.ceil(setup.candidates / MOVES_PER_LENS) + EXTRA_LENSES;
  // A person's attention as a brief would give it: once it is spent only terminal signals stop
  // the run (every checkpoint is answered "continue" meanwhile).
  const engineSetup = { dbPath: setup.dbPath, lenses, concurrency: CONCURRENCY, attention: ATTENTION, clock: setup.clock };
  const id = await createBenchExploration(store, engineSetup);
  const built = performance.now();
  const grown = setup.bulk ? await growInBulk(store, id, setup, lenses) : await growThroughEngine(store, id, setup, engineSetup);
  const buildMs = performance.now() - built;
  await store.close();
  return { built: setup.bulk ? 'bulk' : 'engine', buildMs, overheadBySliceUs: grown.overheadBySliceUs };
}

/** Lenses beyond those the growth needs, so that moves remain to be made at full size. */
const EXTRA_LENSES = 20;
/** Moves measured at full size after the first wave (a new process: enough for the code to warm up). */
const STEADY_MOVES = 256;

type EngineSetup = Parameters<typeof loadBenchEngine>[2];

async function growThroughEngine(
  store: Store,
  id: string,
  setup: ScaleSetup,
  engineSetup: EngineSetup,
): Promise<{ overheadBySliceUs: number[] }> {
  const engine = await loadBenchEngine(store, id, engineSetup);
  const sliceSize = Math.ceil(setup.candidates / setup.slices);
  const slices: { wall: number; model: number; moves: number }[] = Array.from({ length: setup.slices }, () => ({ wall: 0, model: 0, moves: 0 }));
  while (engine.state.order.length < setup.candidates) {
    const before = engine.state.order.length;
    const modelBefore = setup.clock.spentMs;
    const started = performance.now();
    if (engine.state.status === 'awaiting') {
      if (nothingLeft(engine)) break;
      await decide(engine, { action: 'continue', reason: 'keep going' });
    }
    // Runs of a slice's worth of moves: each run ends with a board (as \`baton run\` shows one).
    // A step folds one move (there is no wave barrier), so `maxWaves` counts moves.
    const outcome = await runUntilCheckpoint(engine, { maxWaves: Math.min(sliceSize, setup.candidates - before) });
    const slice = slices[Math.min(setup.slices - 1, Math.floor(before / sliceSize))];
    if (slice) {
      slice.wall += performance.now() - started;
      slice.model += setup.clock.spentMs - modelBefore;
      slice.moves += engine.state.order.length - before;
    }
    if (outcome.status !== 'running' && outcome.status !== 'awaiting') break;
  }
  return { overheadBySliceUs: slices.map((s) => overheadPerMoveUs(s.wall, s.model, s.moves)) };
}

/**
 * Writes the same exploration the engine would grow (two openings per lens, each deepened to
 * depth 8, judged by the fake judge through the real verdict code, novelty from the real index,
 * call rows recorded) straight through the Store API, a batch of paths per transaction: the way
 * to reach sizes the engine would take many minutes to grow.
 */
async function growInBulk(store: Store, id: string, setup: ScaleSetup, lenses: number): Promise<{ overheadBySliceUs: number[] }> {
  const exploration = await store.getExploration(id);
  const brief = exploration ? await store.getBrief(exploration.briefId) : undefined;
  if (!exploration || !brief) throw new Error('bench exploration missing');
  const embedding = createLocalEmbedding();
  const novelty = new NoveltyIndex();
  const lensList = benchLenses(lenses);
  const paths = Math.ceil(setup.candidates / WORKLOAD_DEPTH);
  let n = 0;
  const at = new Date().toISOString();
  for (let first = 0; first < paths; first += BULK_PATHS) {
    const events: ExplorationEvent[] = [];
    const calls: CallResult[] = [];
    for (let path = first; path < Math.min(paths, first + BULK_PATHS); path += 1) {
      const lens = lensList[Math.floor(path / 2)] as Lens;
      let parent: { id: string; depth: number; embedding: Float32Array } | undefined;
      for (let depth = 1; depth <= WORKLOAD_DEPTH; depth += 1) {
        n += 1;
        const move: PlannedMove = { id: `${id}.m${n}`, kind: parent ? 'deepen' : 'open', parentIds: parent ? [parent.id] : [], lens, origin: 'policy' };
        const text = candidateText(`bulk:${move.id}`, depth);
        const [vector] = await embedding.embed([text]);
        const candidate: Candidate = {
          id: `${id}.c${n}`,
          explorationId: id,
          moveId: move.id,
          kind: move.kind,
          parentIds: move.parentIds,
          lensId: lens.id,
          depth,
          text,
          // As the engine does: a new embedding is quantized before it is used or stored.
          embedding: quantizeEmbedding(vector as Float32Array),
          model: 'fake:bench',
          createdAt: at,
        };
        const answer = judgeAnswer(text, CRITERIA);
        const verdict = await assembleVerdict(brief.brief, text, findingFromAnswer(brief.brief, 'fake:bench', answer), {});
        const judgment: Judgment = {
          id: `${candidate.id}.j${brief.version}`,
          candidateId: candidate.id,
          briefId: brief.id,
          ...verdict,
          novelty: Math.round(novelty.novelty(candidate.embedding) * 10_000) / 10_000,
          parentSimilarity: parent ? Math.round(cosineSimilarity(candidate.embedding, parent.embedding) * 10_000) / 10_000 : null,
          judge: 'fake:bench',
          createdAt: at,
        };
        novelty.add(candidate.id, candidate.embedding);
        const usage = { inputTokens: 1, outputTokens: 1 };
        calls.push(
          { key: `${move.id}:write`, status: 'done', output: text, usage, usd: 0, latencyMs: 0, purpose: move.kind, model: 'fake:bench' },
          { key: `${candidate.id}:judge:${brief.id}`, status: 'done', output: answer, usage, usd: 0, latencyMs: 0, purpose: 'judge', model: 'fake:bench' },
        );
        events.push({ type: 'move.planned', move }, { type: 'candidate.added', candidate }, { type: 'candidate.judged', judgment });
        if (depth === WORKLOAD_DEPTH) events.push({ type: 'path.exhausted', candidateId: candidate.id, reason: `ceiling: depth ${depth} is the deepest a path goes on its own` });
        parent = candidate;
      }
    }
    // As the engine does: a writer's answer is stored once, as its candidate's text, and a
    // judge's raw answer is released once the judgment made of it is stored.
    const releasedCalls = calls.map((c) => c.key);
    await store.commit(id, { events, calls, releasedCalls });
  }
  // As the engine leaves an exploration it grew (a snapshot at its last checkpoint): the next
  // command reopens from it, not from the whole log.
  const engine = await loadBenchEngine(store, id, { dbPath: setup.dbPath, lenses, concurrency: CONCURRENCY, attention: ATTENTION, clock: setup.clock });
  await engine.writeSnapshot();
  return { overheadBySliceUs: [] };
}

const BULK_PATHS = 64;

/** Reopening and the board alone, changing nothing: run in several processes for the spread. */
export async function openExploration(setup: Pick<ScaleSetup, 'dbPath' | 'clock'>): Promise<ScaleOpen> {
  const engineSetup = { dbPath: setup.dbPath, lenses: 0, concurrency: CONCURRENCY, attention: ATTENTION, clock: setup.clock };
  let store: Store | undefined;
  const reopened = await timeMs(async () => {
    store = openSqliteStore(setup.dbPath);
    return loadBenchEngine(store, BENCH_EXPLORATION, engineSetup);
  });
  const boards: number[] = [];
  for (let i = 0; i < 5; i += 1) boards.push((await timeMs(() => currentBoard(reopened.value, null, []))).ms);
  await store?.close();
  return { reopenMs: reopened.ms, boardMs: median(boards) };
}

export async function reopenExploration(setup: Pick<ScaleSetup, 'dbPath' | 'clock'>): Promise<ScaleReopen> {
  const engineSetup = { dbPath: setup.dbPath, lenses: 0, concurrency: CONCURRENCY, attention: ATTENTION, clock: setup.clock };
  let store: Store | undefined;
  const id = BENCH_EXPLORATION;
  const reopened = await timeMs(async () => {
    store = openSqliteStore(setup.dbPath);
    return loadBenchEngine(store, id, engineSetup);
  });
  const engine = reopened.value;
  const boards: number[] = [];
  for (let i = 0; i < 5; i += 1) boards.push((await timeMs(() => currentBoard(engine, null, []))).ms);

  // A checkpoint the growth left due is raised first: the resume measured is a person's answer to it.
  await runUntilCheckpoint(engine, { maxWaves: 0 });
  const before = engine.state.order.length;
  const continueRun = async (): Promise<void> => {
    if (engine.state.status === 'awaiting' && !nothingLeft(engine)) await decide(engine, { action: 'continue', reason: 'keep going' });
  };
  // The first wave after reopening: it also pays, once, for what reopening deferred (hashing
  // every vector into the novelty index at its first query).
  setup.clock.mark();
  const resumeStarted = performance.now();
  await continueRun();
  await runUntilCheckpoint(engine, { maxWaves: 1 });
  const resumeMs = (setup.clock.firstCallAt ?? Number.NaN) - resumeStarted;
  const firstWaveMs = performance.now() - resumeStarted - setup.clock.spentMs;
  // Then the cost per move at full size: runs of several waves' worth of moves (a step folds one
  // move; a wave was `CONCURRENCY` of them), each ending with its board, as a person's `baton run`
  // would (every checkpoint answered "continue").
  const steadyFrom = engine.state.order.length;
  const modelBefore = setup.clock.spentMs;
  const steadyStarted = performance.now();
  while (engine.state.order.length - steadyFrom < STEADY_MOVES && engine.state.status !== 'exhausted' && engine.state.status !== 'stopped') {
    const at = engine.state.order.length;
    await continueRun();
    await runUntilCheckpoint(engine, { maxWaves: 8 * CONCURRENCY });
    if (engine.state.order.length === at) break;
  }
  const newMovesWall = performance.now() - steadyStarted;
  const newMoves = engine.state.order.length - steadyFrom;
  const candidates = engine.state.order.length;
  let textBytes = 0;
  for (const node of engine.state.nodes.values()) textBytes += Buffer.byteLength(node.candidate.text);
  await store?.close();

  return {
    candidates: before,
    boardMs: median(boards),
    reopenMs: reopened.ms,
    resumeMs,
    firstWaveMs,
    newMovesOverheadUs: overheadPerMoveUs(newMovesWall, setup.clock.spentMs - modelBefore, newMoves),
    diskBytesPerCandidate: diskBytes(setup.dbPath) / candidates,
    textBytesPerCandidate: textBytes / candidates,
  };
}
