import type { Lens } from '../brief/schema.js';
import type { ExplorationEngine } from '../explore/engine.js';
import type { DerivedIndexes } from '../explore/indexes.js';
import type { ExplorationStatus } from '../explore/events.js';
import { COMBINE_LENS } from '../explore/policy.js';
import { assumedSinceLastDecision, buildBoard } from './board.js';
import { assumptionFor, predictDecision } from './taste/assume.js';
import { tasteFromLedger } from './taste/ledger.js';
import { chooseCheckpoint, detectSignals, movesAffordable } from './triggers.js';
import { rankPairwise } from './pairwise-rank.js';
import type { Board, Checkpoint, Spend, TriggerSignal } from './types.js';

/**
 * The steering loop: let the models work, wave after wave, and stop only when a trigger fires
 * and the person's attention allows it (or nothing is left to do). Returns what the person needs
 * to see: the status, and at a checkpoint its reasons and board.
 */

export interface RunOutcome {
  explorationId: string;
  status: ExplorationStatus;
  checkpoint: Checkpoint | null;
  board: Board;
  /** Why the exploration ended, when it did. */
  endReason: string | null;
  /** True when it stopped because the budget is spent. */
  budgetExhausted: boolean;
}

export interface RunUntilOptions {
  signal?: AbortSignal;
  /** Safety valve for tests and benchmarks: stop after this many waves (status stays running). */
  maxWaves?: number;
  now?: () => Date;
  /**
   * Skip a checkpoint when the person's taste predicts their decision confidently enough (see
   * `predictDecision`), recording the assumption for review. Default true; false always asks.
   */
  assume?: boolean;
}

export async function runUntilCheckpoint(engine: ExplorationEngine, options: RunUntilOptions = {}): Promise<RunOutcome> {
  const state = engine.state;
  let waves = 0;
  applyTaste(engine);
  // Resuming after a crash that fell between a completed wave and its checkpoint: look at the
  // triggers before running anything, as the uninterrupted run did.
  if (state.status === 'running' && engine.movesSinceLastCheckpoint > 0) {
    await engine.restoreMarks();
    if (engine.waveComplete()) {
      const reasons = pendingCheckpoint(engine, false, false);
      if (reasons && (await stopOrAssume(engine, reasons, options)) === 'raised') return outcome(engine);
    }
  }
  while (state.status === 'running') {
    if (options.signal?.aborted) break;
    if (options.maxWaves !== undefined && waves >= options.maxWaves) break;
    waves += 1;
    const wave = await engine.runWave();
    const nothingLeft = wave.nothingLeft;
    const budgetSpent = wave.budgetSpent;

    // The budget's end, already put to the person, with nothing done since: end here (the
    // exploration can still be accepted, or reopened with more budget). Nothing left to try with
    // budget left never ends it: the `exhausted` checkpoint is raised again, for the person to
    // steer (a lens, a redirect, a deepening) or accept.
    if (nothingLeft && budgetSpent && engine.movesSinceLastCheckpoint === 0 && state.raisedKeys.has('budget:spent')) {
      await engine.commit([{ type: 'exploration.ended', status: 'stopped', reason: 'the budget is spent' }]);
      break;
    }

    const reasons = pendingCheckpoint(engine, nothingLeft, budgetSpent);
    if (reasons) {
      if ((await stopOrAssume(engine, reasons, options)) === 'raised') break;
      continue;
    }
    // Nothing to do and nothing to ask: only possible if a terminal signal was filtered out.
    if (nothingLeft) break;
  }
  // Stopped mid-run (an abort, `maxWaves`): the moves in flight finish their calls, so the next run pays none twice.
  await engine.drain();
  return outcome(engine);
}

/** The reasons to stop now, if the triggers and the person's attention say so. */
function pendingCheckpoint(engine: ExplorationEngine, nothingLeft: boolean, budgetSpent: boolean): TriggerSignal[] | null {
  const state = engine.state;
  const signals = detectSignals({
    state,
    criteria: engine.brief.brief.criteria,
    budgetShare: engine.budgetShare(),
    nothingLeft,
    budgetSpent,
    ...(engine.brief.brief.pilot !== undefined ? { pilot: engine.brief.brief.pilot } : {}),
    budgetStatus: engine.budgetGuard().describe(),
  });
  return chooseCheckpoint({
    signals,
    attention: engine.brief.brief.attention,
    checkpointsSoFar: state.checkpoints.length,
    movesSoFar: state.order.length,
    anyPathExhausted: anyPathExhausted(state),
    movesSinceCheckpoint: engine.movesSinceLastCheckpoint,
    everyLensTried: everyLensTried(state),
    budgetLeft: 1 - engine.budgetShare(),
    movesAffordable: movesAffordable({
      callsLeft: engine.callsLeftToPlan(),
      callsPerMove: 1 + (engine.deps.jury?.length ?? 1),
      share: engine.budgetShare(),
      movesSoFar: state.order.length,
    }),
  });
}

function anyPathExhausted(state: ExplorationEngine['state']): boolean {
  return state.indexes.exhaustedCount > 0;
}

interface LensesTried {
  lenses: readonly Lens[];
  length: number;
  indexes: DerivedIndexes;
  judgedLenses: number;
  tried: boolean;
}

const lensesTried = new WeakMap<ExplorationEngine['state'], LensesTried>();

/**
 * Every lens in play has a judged candidate (combinations are not a direction of their own). The
 * answer is kept until a lens is added or one gets its first judged candidate (or the indexes are
 * rebuilt): it is asked after every fold, and an exploration may have thousands of lenses.
 */
function everyLensTried(state: ExplorationEngine['state']): boolean {
  const { lenses, indexes } = state;
  const kept = lensesTried.get(state);
  if (kept && kept.lenses === lenses && kept.length === lenses.length && kept.indexes === indexes && kept.judgedLenses === indexes.lensBest.size) return kept.tried;
  const inPlay = lenses.filter((l) => l.id !== COMBINE_LENS.id);
  const tried = inPlay.length > 0 && inPlay.every((l) => indexes.lensBest.has(l.id));
  lensesTried.set(state, { lenses, length: lenses.length, indexes, judgedLenses: indexes.lensBest.size, tried });
  return tried;
}

/** The person's taste, learned from the ledger so far, biases which paths are deepened. */
function applyTaste(engine: ExplorationEngine): void {
  const taste = tasteFromLedger(engine.state, engine.brief.brief.criteria.map((c) => c.id));
  engine.setPreference(taste.observations > 0 ? taste.score : undefined);
}

/**
 * Raises the checkpoint — unless the person's taste predicts its decision with a confidence
 * their past decisions bear out, in which case the decision is assumed and recorded, and the
 * exploration goes on.
 */
async function stopOrAssume(engine: ExplorationEngine, reasons: TriggerSignal[], options: RunUntilOptions): Promise<'raised' | 'assumed'> {
  const state = engine.state;
  const at = (options.now?.() ?? new Date()).toISOString();
  if (options.assume !== false) {
    // A skipped checkpoint has an id of its own (s for skipped): k-numbers are the person's.
    const skippedId = `${state.id}.s${state.assumptions.length + 1}`;
    const board = await currentBoard(engine, skippedId, reasons);
    const taste = tasteFromLedger(state, engine.brief.brief.criteria.map((c) => c.id));
    const prediction = predictDecision(taste, reasons, board);
    if (prediction?.skip) {
      await engine.commit([{ type: 'checkpoint.assumed', assumption: assumptionFor(state, skippedId, reasons, board, prediction, at) }]);
      return 'assumed';
    }
  }
  const id = `${state.id}.k${state.checkpoints.length + 1}`;
  const board = await currentBoard(engine, id, reasons);
  if (engine.brief.brief.pairwise) {
    const pairwise = await rankPairwise(engine, board);
    if (pairwise) {
      board.pairwise = pairwise;
      board.spend = await spendOf(engine);
    }
  }
  const checkpoint: Checkpoint = { id, explorationId: state.id, reasons, board, createdAt: at };
  await engine.commit([{ type: 'checkpoint.raised', checkpoint }]);
  return 'raised';
}

/** The board as it stands: the open checkpoint's reasons, or none between checkpoints. */
export async function currentBoard(engine: ExplorationEngine, checkpointId: string | null, reasons: readonly TriggerSignal[]): Promise<Board> {
  const taste = tasteFromLedger(engine.state, engine.brief.brief.criteria.map((c) => c.id));
  return buildBoard({
    state: engine.state,
    checkpointId,
    reasons,
    spend: await spendOf(engine),
    label: modelLabel(engine),
    ...(engine.boardCards !== undefined ? { maxCards: engine.boardCards } : {}),
    criteria: engine.brief.brief.criteria,
    ...(taste.observations > 0 ? { taste: taste.score } : {}),
  });
}

export async function spendOf(engine: ExplorationEngine): Promise<Spend> {
  const totals = await engine.deps.store.spend(engine.state.id);
  const budget = engine.brief.brief.budget;
  return {
    calls: totals.calls,
    tokens: totals.tokens,
    usd: Math.round(totals.usd * 1e6) / 1e6,
    possiblyBilled: totals.possiblyBilled,
    estimatedCalls: totals.estimatedCalls,
    budget: { ...budget },
    share: engine.budgetShare(),
  };
}

/** `rehearsal` whenever a rehearsal model wrote or judged: it must never pass for a real one. */
export function modelLabel(engine: ExplorationEngine): string {
  const { writer, judge } = engine.deps;
  const models = [writer, ...(engine.deps.jury ?? [judge])];
  const labels = new Set(models.map((m) => m.info.label));
  return models.some((m) => m.info.rehearsal) ? `rehearsal (${[...labels].join(', ')})` : [...labels].join(', ');
}

export async function outcome(engine: ExplorationEngine): Promise<RunOutcome> {
  const state = engine.state;
  const checkpoint = state.status === 'awaiting' ? state.openCheckpoint : null;
  // The checkpoint's board is a snapshot; what was assumed (and reversed since) is kept current.
  const assumed = assumedSinceLastDecision(state);
  const board = checkpoint ? { ...checkpoint.board, ...(assumed.length > 0 ? { assumed } : {}) } : await currentBoard(engine, null, []);
  return {
    explorationId: state.id,
    status: state.status,
    checkpoint,
    board,
    endReason: state.endReason,
    budgetExhausted: state.status === 'stopped' && state.endReason === 'the budget is spent',
  };
}
