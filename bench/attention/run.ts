import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import type { BenchResult } from './bench.js';
import { runBenchmark } from './bench.js';
import { renderMarkdown, renderPlot, renderSummary } from './report.js';
import type { World } from './world.js';
import { loadWorld, WorldError } from './world.js';

/**
 * `npm run bench:attention`: runs Baton and the baselines on the shipped worlds (or `--world
 * FILE`, repeatable) for `--seeds N` seeds, writes bench/attention/RESULTS.md and
 * bench/attention/utility-vs-interventions.svg (or into `--out DIR`), and prints the table —
 * or, with `--json`, the whole result for machines.
 */

const here = dirname(fileURLToPath(import.meta.url));
const SHIPPED = ['easy', 'moderate', 'hard', 'attentive', 'fickle', 'biased', 'sensitive'].map((name) => join(here, 'worlds', `${name}.json`));

interface Options {
  world?: string[];
  seeds?: number;
  firstSeed?: number;
  quick?: boolean;
  json?: boolean;
  out?: string;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return n;
}

function seedNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('expected a whole number from 1 to 1000000');
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('bench:attention')
    .description('Baton against ALWAYS, TERMINATE, NEVER, best-of-N and ToT-BFS on simulated worlds and people')
    .option('--world <file...>', 'a world JSON file (repeatable); default: the shipped worlds')
    .option('--seeds <n>', 'seeds per world (default 20; 2 with --quick)', positive)
    .option('--first-seed <n>', 'the first seed (default 1; the policy was tuned on seeds from 1001, held out from the report)', seedNumber)
    .option('--quick', 'a fast run: 2 seeds, unless --seeds says otherwise')
    .option('--json', 'print the result as JSON on stdout')
    .option('--out <dir>', 'where RESULTS.md and the plot go', here)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let options: Options;
  try {
    options = program.parse(argv, { from: 'user' }).opts<Options>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const seeds = options.seeds ?? (options.quick ? 2 : 20);
  const files = options.world ?? SHIPPED;
  let worlds: Array<{ world: World; file: string }>;
  try {
    worlds = await Promise.all(files.map(async (file) => ({ world: await loadWorld(file), file: relative(process.cwd(), file) || basename(file) })));
  } catch (error) {
    if (error instanceof WorldError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const command = ['npm run bench:attention', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const result = await runBenchmark({ worlds, seeds, ...(options.firstSeed !== undefined ? { firstSeed: options.firstSeed } : {}), command, onProgress: (line) => process.stderr.write(`${line}\n`) });
  const out = options.out ?? here;
  await writeFile(join(out, 'RESULTS.md'), renderMarkdown(result));
  await writeFile(join(out, 'utility-vs-interventions.svg'), await renderPlot(result));
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(summaryText(result, out));
  return 0;
}

function summaryText(result: BenchResult, out: string): string {
  return `${renderSummary(result)}\nWrote ${join(out, 'RESULTS.md')} and ${join(out, 'utility-vs-interventions.svg')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench:attention failed (a bug): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
