import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { modelClock } from './fake-model.js';
import { diskBytes, median, overheadPerMoveUs, peakRssMb } from './measure.js';
import type { WideTreeResult } from './wide-tree.js';

// Each engine's code is imported only by the scenarios that run it, so a scenario's peak RSS
// holds one engine's modules (LangGraph.js and LangChain weigh ~60 MB loaded).
const batonWorkload = async () => (await import('./baton-workload.js')).runBatonWorkload;
const langGraphWorkload = async () => (await import('./langgraph-workload.js')).runLangGraphWorkload;

/**
 * The scenarios, each run in a process of its own (see child.ts) so that its peak RSS is its
 * own. Every scenario takes plain JSON parameters and returns plain JSON figures.
 */

export const ENGINES = ['baton', 'langgraph'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Depth every path of the workload reaches: the engine's own ceiling (DEFAULT_EXHAUSTION.maxDepth). */
export const WORKLOAD_DEPTH = 8;

export const ScenarioSchema = z.discriminatedUnion('scenario', [
  z.object({ scenario: z.literal('workload'), engine: z.enum(ENGINES), lenses: z.number().int().positive(), reps: z.number().int().positive(), reopen: z.boolean() }),
  z.object({
    scenario: z.literal('scale'),
    /** `open`: reopen and show the board only, changing nothing (repeated for the spread); `reopen`: then run on. */
    phase: z.enum(['grow', 'open', 'reopen']),
    /** The database both phases use (made by the parent, which removes it). */
    dbPath: z.string(),
    candidates: z.number().int().positive(),
    slices: z.number().int().positive(),
    bulk: z.boolean(),
  }),
  z.object({
    scenario: z.literal('concurrency'),
    engine: z.enum(ENGINES),
    lenses: z.number().int().positive(),
    latencyMs: z.number().positive(),
    concurrency: z.number().int().positive(),
  }),
  z.object({
    scenario: z.literal('wide'),
    engine: z.enum(['baton', 'langgraph-sqlite', 'langgraph-memory']),
    width: z.number().int().positive(),
    levels: z.number().int().positive(),
    latencyMs: z.number().positive(),
    reps: z.number().int().positive(),
  }),
]);
export type Scenario = z.infer<typeof ScenarioSchema>;

export interface WorkloadFigures {
  moves: number;
  overheadUs: number;
  overheadRunsUs: number[];
  resumeMs: number;
  /** Every resume measured (one per checkpoint of each measured run). */
  resumeRunsMs: number[];
  diskBytesPerCandidate: number;
  textBytesPerCandidate: number;
  checkpoints: number;
}

export interface ConcurrencyFigures {
  calls: number;
  /** Mean time a model call took, against the latency asked for: timers fire late on a busy machine. */
  meanCallMs: number;
  wallMs: number;
  callsPerSecond: number;
  idealCallsPerSecond: number;
  efficiency: number;
  /** Each round's efficiency, when several rounds were run. */
  efficiencyRuns?: number[];
}

export interface WideFigures {
  calls: number;
  meanCallMs?: number;
  wallMs: number;
  idealMs: number;
  efficiency: number;
  /** Each measured run's efficiency. */
  efficiencyRuns?: number[];
}

export async function runScenario(scenario: Scenario): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  try {
    const figures = await dispatch(scenario, dir);
    return { ...figures, peakRssMb: peakRssMb() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dispatch(scenario: Scenario, dir: string): Promise<object> {
  switch (scenario.scenario) {
    case 'workload':
      return workload(scenario, dir);
    case 'scale':
      if (scenario.phase === 'grow') return (await import('./scale.js')).growExploration({ ...scenario, clock: modelClock() });
      if (scenario.phase === 'open') return (await import('./scale.js')).openExploration({ dbPath: scenario.dbPath, clock: modelClock() });
      return (await import('./scale.js')).reopenExploration({ dbPath: scenario.dbPath, clock: modelClock() });
    case 'concurrency':
      return concurrency(scenario, dir);
    case 'wide':
      return wide(scenario, dir);
  }
}

/** One warm-up run, then `reps` measured runs; medians. Disk is measured on the last run's file. */
async function workload(s: Extract<Scenario, { scenario: 'workload' }>, dir: string): Promise<WorkloadFigures> {
  const overheads: number[] = [];
  const resumes: number[] = [];
  let last: { moves: number; textBytes: number; checkpoints: number; dbPath: string } | undefined;
  for (let rep = 0; rep <= s.reps; rep += 1) {
    const dbPath = join(dir, `${s.engine}-${rep}.db`);
    const clock = modelClock();
    const result =
      s.engine === 'baton'
        ? await (await batonWorkload())({ dbPath, lenses: s.lenses, concurrency: 16, attention: 3, clock }, s.reopen)
        : await (await langGraphWorkload())({ dbPath, paths: 2 * s.lenses, depth: WORKLOAD_DEPTH, pauseAtDepths: [WORKLOAD_DEPTH / 2], concurrency: 16, clock }, s.reopen);
    if (rep === 0) continue;
    overheads.push(overheadPerMoveUs(result.wallMs, result.modelMs, result.moves));
    resumes.push(...result.resumeMs);
    last = { moves: result.moves, textBytes: result.textBytes, checkpoints: result.checkpoints, dbPath };
  }
  if (!last) throw new Error('no measured repetition');
  return {
    moves: last.moves,
    overheadUs: median(overheads),
    overheadRunsUs: overheads,
    resumeMs: median(resumes),
    resumeRunsMs: resumes,
    diskBytesPerCandidate: diskBytes(last.dbPath) / last.moves,
    textBytesPerCandidate: last.textBytes / last.moves,
    checkpoints: last.checkpoints,
  };
}

/** The workload with a slow model: calls per second against `concurrency` / latency. */
async function concurrency(s: Extract<Scenario, { scenario: 'concurrency' }>, dir: string): Promise<ConcurrencyFigures> {
  const clock = modelClock();
  const dbPath = join(dir, 'concurrency.db');
  const started = performance.now();
  if (s.engine === 'baton') {
    await (await batonWorkload())({ dbPath, lenses: s.lenses, concurrency: s.concurrency, attention: 3, clock, latencyMs: s.latencyMs }, false);
  } else {
    await (await langGraphWorkload())(
      { dbPath, paths: 2 * s.lenses, depth: WORKLOAD_DEPTH, pauseAtDepths: [WORKLOAD_DEPTH / 2], concurrency: s.concurrency, clock, latencyMs: s.latencyMs },
      false,
    );
  }
  const wallMs = performance.now() - started;
  const callsPerSecond = clock.calls / (wallMs / 1000);
  const idealCallsPerSecond = s.concurrency / (s.latencyMs / 1000);
  return { calls: clock.calls, meanCallMs: clock.spentMs / clock.calls, wallMs, callsPerSecond, idealCallsPerSecond, efficiency: callsPerSecond / idealCallsPerSecond };
}

async function wide(s: Extract<Scenario, { scenario: 'wide' }>, dir: string): Promise<WideFigures & { runs: number[]; wallRunsMs: number[] }> {
  const runs: WideTreeResult[] = [];
  for (let rep = 0; rep <= s.reps; rep += 1) {
    const setup = { dbPath: join(dir, `wide-${rep}.db`), width: s.width, levels: s.levels, latencyMs: s.latencyMs, clock: modelClock() };
    const { batonWideTree, langGraphWideTree } = await import('./wide-tree.js');
    const result = s.engine === 'baton' ? await batonWideTree(setup) : await langGraphWideTree({ ...setup, durable: s.engine === 'langgraph-sqlite' });
    if (rep > 0) runs.push(result);
  }
  const wallMs = median(runs.map((r) => r.wallMs));
  const idealMs = s.levels * s.latencyMs;
  const meanCallMs = median(runs.map((r) => r.meanCallMs));
  return { calls: runs[0]?.calls ?? 0, meanCallMs, wallMs, idealMs, efficiency: idealMs / wallMs, runs: runs.map((r) => r.efficiency), wallRunsMs: runs.map((r) => r.wallMs) };
}
