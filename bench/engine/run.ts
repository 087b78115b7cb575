import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { describeMachine, median } from './measure.js';
import type { BenchReport, ConcurrencyPair, ScaleFigures, WidePair, WorkloadPair } from './report.js';
import { evaluateTargets, renderMarkdown, renderTable } from './report.js';
import type { ScaleGrowth, ScaleOpen, ScaleReopen } from './scale.js';
import type { ConcurrencyFigures, Scenario, WideFigures, WorkloadFigures } from './scenarios.js';

/**
 * `npm run bench:engine`: the engine benchmark, Baton beside LangGraph.js. Each scenario runs in
 * a child process of its own (peak RSS is per scenario); the table goes to stdout, the results
 * to bench/RESULTS.md (or `--out`), `--json` prints the whole report as JSON instead.
 */

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_OUT = resolve(here, '..', 'RESULTS.md');
const BULK_ABOVE = 20_000;

interface Options {
  json: boolean;
  reps: number;
  quick: boolean;
  scale: number[];
  skipLanggraph: boolean;
  out?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function sizes(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 16)) throw new InvalidArgumentError('expected sizes like 10000,100000');
  return list;
}

/** Runs one scenario in a child process and returns its figures. */
export function runChild<T>(scenario: Scenario, log: (line: string) => void): Promise<T & { peakRssMb: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', join(here, 'child.ts'), JSON.stringify(scenario)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`scenario ${JSON.stringify(scenario)} failed (exit ${code}):\n${err.slice(-2000)}`));
        return;
      }
      const json = line.slice('RESULT '.length);
      log(`  done: ${describe(scenario)}\n    ${json}`);
      resolvePromise(JSON.parse(json) as T & { peakRssMb: number });
    });
  });
}

function describe(scenario: Scenario): string {
  const { scenario: name, ...rest } = scenario;
  return `${name} ${Object.entries(rest).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`;
}

/** Merges the per-round figures of one engine's workload: every run kept, medians over all. */
function combineWorkload(list: readonly WorkloadPair['inProcess'][]): WorkloadPair['inProcess'] {
  const last = list[list.length - 1];
  if (!last) throw new Error('no workload round');
  const overheadRunsUs = list.flatMap((f) => f.overheadRunsUs);
  const resumeRunsMs = list.flatMap((f) => f.resumeRunsMs);
  return {
    ...last,
    overheadRunsUs,
    overheadUs: median(overheadRunsUs),
    resumeRunsMs,
    resumeMs: median(resumeRunsMs),
    peakRssMb: Math.max(...list.map((f) => f.peakRssMb)),
  };
}

/**
 * Rounds alternate the engines (Baton first in even rounds, LangGraph.js first in odd ones), each
 * repetition in a fresh process with its own warm-up: a burst of load on the shared machine
 * lands on both engines alike instead of on one engine's whole series.
 */
function roundOrder<T>(engines: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...engines] : [...engines].reverse();
}

export async function runBench(options: Options, log: (line: string) => void): Promise<BenchReport> {
  // The load average when the run starts (the report is assembled at the end).
  const machine = describeMachine();
  const quick = options.quick;
  const lenses = quick ? 2 : 8;
  const reps = quick ? 1 : options.reps;
  const engines = options.skipLanggraph ? (['baton'] as const) : (['baton', 'langgraph'] as const);

  const rounds: Record<'baton' | 'langgraph', { inProcess: WorkloadPair['inProcess'][]; reopened: WorkloadPair['inProcess'][] }> = {
    baton: { inProcess: [], reopened: [] },
    langgraph: { inProcess: [], reopened: [] },
  };
  for (let round = 0; round < reps; round += 1) {
    for (const engine of roundOrder(engines, round)) {
      rounds[engine].inProcess.push(await runChild<WorkloadFigures>({ scenario: 'workload', engine, lenses, reps: 1, reopen: false }, log));
      rounds[engine].reopened.push(await runChild<WorkloadFigures>({ scenario: 'workload', engine, lenses, reps: 1, reopen: true }, log));
    }
  }
  const workload: Partial<Record<'baton' | 'langgraph', WorkloadPair>> = {};
  for (const engine of engines) workload[engine] = { inProcess: combineWorkload(rounds[engine].inProcess), reopened: combineWorkload(rounds[engine].reopened) };

  const scale: ScaleFigures[] = [];
  for (const candidates of quick ? [400] : options.scale) {
    // Up to 20,000 candidates the exploration grows through the engine; beyond, it is written in bulk.
    // Grown in one process, reopened in others (as a person's next command would): each peak RSS is one process's.
    const dir = mkdtempSync(join(tmpdir(), 'baton-bench-scale-'));
    try {
      const phase = { scenario: 'scale', dbPath: join(dir, 'scale.db'), candidates, slices: 10, bulk: candidates > BULK_ABOVE } as const;
      const grown = await runChild<ScaleGrowth>({ ...phase, phase: 'grow' }, log);
      // Reopening and the board alone, in fresh processes, for their spread; then reopened to run on.
      const opened: Array<ScaleOpen & { peakRssMb: number }> = [];
      for (let i = 1; i < Math.min(reps, 3); i += 1) opened.push(await runChild<ScaleOpen>({ ...phase, phase: 'open' }, log));
      const reopened = await runChild<ScaleReopen>({ ...phase, phase: 'reopen' }, log);
      const growRssMb = grown.peakRssMb;
      const reopenRssMb = Math.max(reopened.peakRssMb, ...opened.map((o) => o.peakRssMb));
      const reopenRunsMs = [reopened.reopenMs, ...opened.map((o) => o.reopenMs)];
      const boardRunsMs = [reopened.boardMs, ...opened.map((o) => o.boardMs)];
      scale.push({
        ...grown,
        ...reopened,
        reopenMs: median(reopenRunsMs),
        boardMs: median(boardRunsMs),
        reopenRunsMs,
        boardRunsMs,
        growRssMb,
        reopenRssMb,
        peakRssMb: Math.max(growRssMb, reopenRssMb),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const latencyMs = quick ? 20 : 200;
  const concurrencyLimit = quick ? 4 : 16;
  const concurrencyRuns: Record<'baton' | 'langgraph', ConcurrencyPair[]> = { baton: [], langgraph: [] };
  for (let round = 0; round < Math.min(reps, 3); round += 1) {
    for (const engine of roundOrder(engines, round)) {
      // Twice as many paths as the limit, so that the limit, not the exploration, bounds the calls in flight.
      concurrencyRuns[engine].push(
        await runChild<ConcurrencyFigures>({ scenario: 'concurrency', engine, lenses: concurrencyLimit, latencyMs, concurrency: concurrencyLimit }, log),
      );
    }
  }
  const concurrency: Partial<Record<'baton' | 'langgraph', ConcurrencyPair>> = {};
  for (const engine of engines) concurrency[engine] = combineConcurrency(concurrencyRuns[engine]);

  const wideShape = quick ? { width: 3, levels: 2, latencyMs: 20 } : { width: 8, levels: 3, latencyMs: 50 };
  const wideEngines = options.skipLanggraph ? (['baton'] as const) : (['baton', 'langgraph-sqlite', 'langgraph-memory'] as const);
  const wideRuns: Record<(typeof wideEngines)[number], Array<WideFigures & { runs: number[]; wallRunsMs: number[]; peakRssMb: number }>> = {
    baton: [],
    'langgraph-sqlite': [],
    'langgraph-memory': [],
  };
  for (let round = 0; round < reps; round += 1) {
    for (const engine of roundOrder(wideEngines, round)) {
      wideRuns[engine].push(await runChild<WideFigures & { runs: number[]; wallRunsMs: number[] }>({ scenario: 'wide', engine, reps: 1, ...wideShape }, log));
    }
  }
  const wide: WidePair = { baton: combineWide(wideRuns.baton) };
  if (!options.skipLanggraph) {
    wide.langgraphSqlite = combineWide(wideRuns['langgraph-sqlite']);
    wide.langgraphMemory = combineWide(wideRuns['langgraph-memory']);
  }

  const report: BenchReport = {
    machine,
    settings: { quick, reps, lenses, paths: 2 * lenses, scale: quick ? [400] : options.scale, latencyMs, concurrency: concurrencyLimit, wide: wideShape },
    workload,
    scale,
    concurrency,
    wide,
    targets: [],
  };
  report.targets = evaluateTargets(report);
  return report;
}

function combineConcurrency(list: readonly ConcurrencyPair[]): ConcurrencyPair {
  const efficiencies = list.map((c) => c.efficiency);
  const mid = median(efficiencies);
  // The run whose efficiency is the median (the lower middle one for an even count) stands for the row.
  const sorted = [...list].sort((a, b) => a.efficiency - b.efficiency);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)] as ConcurrencyPair;
  return { ...chosen, efficiency: mid, efficiencyRuns: efficiencies, peakRssMb: Math.max(...list.map((c) => c.peakRssMb)) };
}

function combineWide(list: ReadonlyArray<WideFigures & { runs: number[]; wallRunsMs: number[]; peakRssMb: number }>): WidePair['baton'] {
  const walls = list.flatMap((w) => w.wallRunsMs);
  const efficiencies = list.flatMap((w) => w.runs);
  const first = list[0];
  if (!first) throw new Error('no wide round');
  return {
    calls: first.calls,
    meanCallMs: median(list.map((w) => w.meanCallMs ?? Number.NaN)),
    wallMs: median(walls),
    idealMs: first.idealMs,
    efficiency: median(efficiencies),
    efficiencyRuns: efficiencies,
    peakRssMb: Math.max(...list.map((w) => w.peakRssMb)),
  };
}

const program = new Command('bench:engine')
  .description("Baton's engine cost beside LangGraph.js: overhead per move, disk, pause/resume, scale, concurrency")
  .option('--json', 'print the report as JSON instead of the table', false)
  .option('--reps <n>', 'measured rounds; each round runs every engine once, alternating which goes first, each in a fresh process after a warm-up', positiveInt, 5)
  .option('--quick', 'a small, fast smoke run (writes no results unless --out is given)', false)
  .option('--scale <sizes>', 'exploration sizes for the scale scenario', sizes, [10_000, 100_000])
  .option('--skip-langgraph', 'run Baton only', false)
  .option('--out <file>', `where to write the Markdown results (default ${DEFAULT_OUT}; none with --quick)`)
  .action(async (options: Options) => {
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    const report = await runBench(options, log);
    const out = options.out ?? (options.quick ? undefined : DEFAULT_OUT);
    if (out) {
      writeFileSync(out, renderMarkdown(report));
      log(`wrote ${out}`);
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`);
  });

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await program.parseAsync(process.argv);
}
