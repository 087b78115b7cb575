import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Brief, Lens } from '../../src/index.js';
import { lensesFor, parseBrief } from '../../src/index.js';
import type { PolicyResult } from './baselines.js';
import { runBestOfN, runTotBfs } from './baselines.js';
import type { EngineMode, Judging } from './baton-policy.js';
import { PAIRWISE_RESERVE, runOnBaton, SINGLE_JUDGE } from './baton-policy.js';
import { SimPerson } from './person.js';
import { SimWorld } from './sim.js';
import type { Summary } from './stats.js';
import { summarize } from './stats.js';
import type { World } from './world.js';

/**
 * The attention benchmark: every policy on every world and seed, the same simulated model port
 * and call budget. Utility is relative to the best attainable for that world and seed, defined
 * as the person's utility of the best candidate any policy produced there (an oracle picking
 * from the union of everything explored).
 */

export const POLICIES = ['Baton', 'ALWAYS', 'TERMINATE', 'NEVER', 'best-of-N', 'ToT-BFS', 'ToT-BFS@budget'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** The judging variants measured on worlds with a jury (issue 12, "Measured"), besides the single judge. */
export const JUDGINGS = ['jury', 'pairwise', 'jury+pairwise'] as const;
export type JudgingName = 'single' | (typeof JUDGINGS)[number];
const JUDGING: Record<JudgingName, Judging> = {
  single: SINGLE_JUDGE,
  jury: { jury: true, pairwise: false },
  pairwise: { jury: false, pairwise: true },
  'jury+pairwise': { jury: true, pairwise: true },
};
/** The policies the judging comparison runs: the one that steers and the one that takes the judge's word. */
export const JUDGED_POLICIES = ['Baton', 'NEVER'] as const;

export interface SeedResult {
  seed: number;
  policy: PolicyName;
  /** How the run was judged; absent: the world's single judge (the main table). */
  judging?: JudgingName;
  /** Accepted utility / best attainable, 0–1. */
  relativeUtility: number;
  utility: number;
  best: number;
  interventions: number;
  calls: number;
  /** Baton only: checkpoints skipped as assumptions, and how many the person reversed. */
  assumed?: number;
  reversed?: number;
  /** Engine policies: an `exhausted` checkpoint was raised with over 10% of the call budget unspent. */
  exhaustedEarly?: boolean;
}

export interface PolicySummary {
  policy: PolicyName;
  utility: Summary;
  interventions: Summary;
  calls: Summary;
}

export interface WorldResult {
  world: string;
  description: string;
  file: string;
  seeds: number;
  budget: number;
  attention: number;
  policies: PolicySummary[];
  /** The targets on this world alone. */
  targets: Targets;
  /** Worlds with a jury: each judging variant against the single judge, per policy, at equal calls. */
  judging?: JudgingRow[];
  runs: SeedResult[];
}

export interface JudgingRow {
  policy: (typeof JUDGED_POLICIES)[number];
  judging: (typeof JUDGINGS)[number];
  utility: Summary;
  calls: Summary;
  /** This variant − the single judge, utility per seed (paired). */
  paired: Summary;
}

export interface Targets {
  /** Baton's mean utility / ALWAYS's, and Baton's mean interventions / ALWAYS's. */
  utilityShareOfAlways: number;
  interventionShareOfAlways: number;
  beatsNever: boolean;
  beatsTerminate: boolean;
  callsWithinTot: boolean;
  /** Baton − X utility per seed, paired: mean and 95% interval (absent when X did not run). */
  paired: { never?: Summary; terminate?: Summary; tot?: Summary };
  /** Explorations that raised `exhausted` with over 10% of the call budget unspent. */
  exhaustedEarly: number;
  met: { utility: boolean; interventions: boolean; never: boolean; terminate: boolean; calls: boolean; tot: boolean; exhausted: boolean };
}

export interface BenchResult {
  generatedAt: string;
  command: string;
  seeds: number;
  firstSeed: number;
  /** The machine's 1-minute load average when the run started and ended (it is shared). */
  load: { start: number; end: number };
  worlds: WorldResult[];
  overall: PolicySummary[];
  targets: Targets;
}

export interface BenchOptions {
  worlds: Array<{ world: World; file: string }>;
  seeds: number;
  /** The first seed (seeds run firstSeed … firstSeed + seeds − 1): reporting and tuning use disjoint seeds. */
  firstSeed?: number;
  onProgress?: (line: string) => void;
  command?: string;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-attention-'));
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    const worlds: WorldResult[] = [];
    for (const { world, file } of options.worlds) {
      const runs: SeedResult[] = [];
      const briefs: Briefs = { attended: join(dir, `${world.name}.md`), unattended: join(dir, `${world.name}-unattended.md`), judged: new Map() };
      await writeFile(briefs.attended, briefSource(world));
      await writeFile(briefs.unattended, briefSource(world, 0));
      if (world.jury.length > 0) {
        for (const judging of JUDGINGS) {
          for (const policy of JUDGED_POLICIES) {
            const path = join(dir, `${world.name}-${policy}-${judging.replace('+', '-')}.md`);
            await writeFile(path, briefSource(world, policy === 'NEVER' ? 0 : world.attention, JUDGING[judging], policy === 'NEVER' && JUDGING[judging].pairwise ? PAIRWISE_RESERVE : 0));
            briefs.judged.set(`${policy}:${judging}`, path);
          }
        }
      }
      const brief = parseBrief(briefSource(world), { file: briefs.attended });
      const lenses = lensesFor(brief);
      const first = options.firstSeed ?? 1;
      for (let seed = first; seed < first + options.seeds; seed++) {
        runs.push(...(await runSeed(world, seed, brief, lenses, briefs, dir)));
        options.onProgress?.(`${world.name}: seed ${seed - first + 1}/${options.seeds} done`);
      }
      const main = runs.filter((r) => r.judging === undefined);
      worlds.push({
        world: world.name,
        description: world.description,
        file,
        seeds: options.seeds,
        budget: world.budget.calls,
        attention: world.attention,
        policies: summarizePolicies(main),
        targets: targetsOf(summarizePolicies(main), main),
        ...(world.jury.length > 0 ? { judging: judgingRows(runs) } : {}),
        runs,
      });
    }
    const everyMain = worlds.flatMap((w) => w.runs.filter((r) => r.judging === undefined));
    const overall = summarizePolicies(everyMain);
    return {
      generatedAt: new Date().toISOString(),
      command: options.command ?? 'npm run bench:attention',
      seeds: options.seeds,
      firstSeed: options.firstSeed ?? 1,
      load: { start: loadAtStart, end: loadavg()[0] ?? 0 },
      worlds,
      overall,
      targets: targetsOf(overall, everyMain),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ENGINE_POLICIES: ReadonlyArray<[PolicyName, EngineMode, 'attended' | 'unattended']> = [
  ['Baton', 'baton', 'attended'],
  ['ALWAYS', 'always', 'attended'],
  ['TERMINATE', 'terminate', 'unattended'],
  ['NEVER', 'never', 'unattended'],
];

interface Briefs {
  attended: string;
  unattended: string;
  /** `policy:judging` → the brief file of a judging variant. */
  judged: Map<string, string>;
}

async function runSeed(world: World, seed: number, brief: Brief, lenses: Lens[], briefs: Briefs, dir: string): Promise<SeedResult[]> {
  const fresh = (): { sim: SimWorld; person: SimPerson } => {
    const sim = new SimWorld(world, seed);
    return { sim, person: new SimPerson(sim) };
  };
  const results: Array<{ policy: PolicyName; result: PolicyResult; person: SimPerson; extra?: Partial<SeedResult> }> = [];
  for (const [key, path] of briefs.judged) {
    const [policy, judging] = key.split(':') as [(typeof JUDGED_POLICIES)[number], (typeof JUDGINGS)[number]];
    const { sim, person } = fresh();
    const result = await runOnBaton(sim, person, path, dir, policy === 'NEVER' ? 'never' : 'baton', JUDGING[judging]);
    results.push({ policy, result, person, extra: { judging } });
  }
  for (const [policy, mode, attention] of ENGINE_POLICIES) {
    const { sim, person } = fresh();
    const result = await runOnBaton(sim, person, briefs[attention], dir, mode);
    const extra: Partial<SeedResult> = { exhaustedEarly: result.run.exhaustedEarly };
    if (mode === 'baton') Object.assign(extra, { assumed: result.run.assumed, reversed: result.run.reversed });
    results.push({ policy, result, person, extra });
  }
  {
    const { sim, person } = fresh();
    results.push({ policy: 'best-of-N', result: await runBestOfN(sim, brief, lenses), person });
  }
  {
    const { sim, person } = fresh();
    results.push({ policy: 'ToT-BFS', result: await runTotBfs(sim, person, brief, lenses), person });
  }
  {
    const { sim, person } = fresh();
    results.push({ policy: 'ToT-BFS@budget', result: await runTotBfs(sim, person, brief, lenses, world.budget.calls), person });
  }
  // The best attainable: the best candidate any policy produced for this world and seed.
  const best = Math.max(...results.flatMap(({ result, person }) => result.produced.map((t) => person.utility(t))));
  return results.map(({ policy, result, person, extra }) => {
    const utility = person.acceptedUtility(result.accepted);
    return { seed, policy, relativeUtility: utility / best, utility, best, interventions: result.interventions, calls: result.calls, ...extra };
  });
}

function summarizePolicies(runs: readonly SeedResult[]): PolicySummary[] {
  return POLICIES.map((policy) => {
    const mine = runs.filter((r) => r.policy === policy);
    return {
      policy,
      utility: summarize(mine.map((r) => r.relativeUtility)),
      interventions: summarize(mine.map((r) => r.interventions)),
      calls: summarize(mine.map((r) => r.calls)),
    };
  });
}

/** Baton's utility minus `other`'s, seed by seed (same world and seed: a paired comparison). */
function pairedDifference(runs: readonly SeedResult[], other: PolicyName): Summary | undefined {
  return paired(runs, (r) => r.policy === 'Baton', (r) => r.policy === other);
}

/** `mine` − `theirs` relative utility, matched by world and seed (one denominator per world and seed). */
function paired(runs: readonly SeedResult[], mine: (r: SeedResult) => boolean, theirs: (r: SeedResult) => boolean): Summary | undefined {
  const key = (r: SeedResult): string => `${r.seed}:${r.best}`;
  const other = new Map(runs.filter(theirs).map((r) => [key(r), r.relativeUtility]));
  const diffs = runs.filter((r) => mine(r) && other.has(key(r))).map((r) => r.relativeUtility - (other.get(key(r)) as number));
  return diffs.length > 0 ? summarize(diffs) : undefined;
}

/** Each judging variant against the single judge, for each policy that runs them. */
function judgingRows(runs: readonly SeedResult[]): JudgingRow[] {
  return JUDGED_POLICIES.flatMap((policy) =>
    JUDGINGS.map((judging) => {
      const mine = runs.filter((r) => r.policy === policy && r.judging === judging);
      return {
        policy,
        judging,
        utility: summarize(mine.map((r) => r.relativeUtility)),
        calls: summarize(mine.map((r) => r.calls)),
        paired: paired(runs, (r) => r.policy === policy && r.judging === judging, (r) => r.policy === policy && r.judging === undefined) ?? summarize([]),
      };
    }),
  );
}

function targetsOf(overall: readonly PolicySummary[], runs: readonly SeedResult[]): Targets {
  const of = (p: PolicyName): PolicySummary => overall.find((s) => s.policy === p) as PolicySummary;
  const baton = of('Baton');
  const always = of('ALWAYS');
  const utilityShareOfAlways = baton.utility.mean / always.utility.mean;
  const interventionShareOfAlways = baton.interventions.mean / always.interventions.mean;
  const beatsNever = baton.utility.mean > of('NEVER').utility.mean;
  const beatsTerminate = baton.utility.mean > of('TERMINATE').utility.mean;
  const callsWithinTot = baton.calls.mean <= of('ToT-BFS').calls.mean;
  const paired: Targets['paired'] = {};
  const never = pairedDifference(runs, 'NEVER');
  const terminate = pairedDifference(runs, 'TERMINATE');
  const tot = pairedDifference(runs, 'ToT-BFS@budget');
  if (never) paired.never = never;
  if (terminate) paired.terminate = terminate;
  if (tot) paired.tot = tot;
  const exhaustedEarly = runs.filter((r) => r.exhaustedEarly === true).length;
  // Above zero: the paired interval's low end (a single seed has no interval, its difference counts).
  const above = (s: Summary | undefined): boolean => s !== undefined && s.low > 0;
  return {
    utilityShareOfAlways,
    interventionShareOfAlways,
    beatsNever,
    beatsTerminate,
    callsWithinTot,
    paired,
    exhaustedEarly,
    met: {
      utility: utilityShareOfAlways >= 0.95,
      interventions: interventionShareOfAlways <= 0.1,
      never: beatsNever && above(never),
      terminate: beatsTerminate && above(terminate),
      calls: callsWithinTot,
      tot: above(tot),
      exhausted: exhaustedEarly === 0,
    },
  };
}

/**
 * The brief Baton explores in a world: its criteria, lenses, budget and attention; with a jury,
 * every juror as a judge; with pairwise, ranking at checkpoints; `reserve` calls kept back.
 */
export function briefSource(world: World, attention = world.attention, judging: Judging = SINGLE_JUDGE, reserve = 0): string {
  const sim = { modelId: (j: number): string => (j === 0 ? `sim:${world.name}` : `sim:${world.name}-j${j + 1}`) };
  const front = {
    intent: `A benchmark: explore the simulated world "${world.name}" for a person whose taste the judge cannot see.`,
    question: `What candidate would this person choose in the world "${world.name}"?`,
    criteria: world.criteria.map((c) => ({ id: c.id, text: c.text, weight: c.weight })),
    lenses: world.lenses.map((l) => ({ id: l.id, text: l.text })),
    budget: { calls: world.budget.calls - reserve },
    attention,
    model: `sim:${world.name}`,
    ...(judging.jury ? { judge: Array.from({ length: world.jury.length + 1 }, (_, j) => sim.modelId(j)) } : {}),
    ...(judging.pairwise ? { pairwise: true } : {}),
  };
  return `---\n${stringify(front)}---\n\nGenerated by bench/attention for the world ${world.name}.\n`;
}
