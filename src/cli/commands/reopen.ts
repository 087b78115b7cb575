import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import { budgetAddedText } from '../../steer/ledger.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import { printJson, progressReporter, shortId } from '../io.js';
import { exitCodeOf, reportOutcome } from './run.js';

interface Options extends CommonOptions {
  budget?: string[];
  why?: string;
  run: boolean;
  latency?: number;
  concurrency?: number;
  /** Commander's `--no-assume`. */
  assume: boolean;
}

export type BudgetAdded = { calls?: number; tokens?: number; usd?: number };

/**
 * Reads `--budget`: `40` (calls), `calls=40`, `tokens=20000`, `usd=0.5`, `$0.5`, or several
 * joined by commas or given again. Each says how much to add to what the brief allows.
 */
export function parseBudgetSpec(specs: readonly string[]): BudgetAdded {
  const added: BudgetAdded = {};
  const fail = (part: string, why: string): never => {
    throw new BatonError('invalid_input', `--budget ${JSON.stringify(part)}: ${why} (e.g. --budget 40, --budget calls=40,usd=0.5)`, { location: { field: '--budget' } });
  };
  for (const part of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^(?:(calls|tokens|usd)\s*=\s*)?(\$)?([0-9]+(?:\.[0-9]+)?)$/iu.exec(part);
    if (!match) fail(part, 'not a budget');
    const [, named, dollar, digits] = match as RegExpExecArray;
    const key = (dollar ? 'usd' : (named?.toLowerCase() ?? 'calls')) as keyof BudgetAdded;
    if (dollar && named && named.toLowerCase() !== 'usd') fail(part, 'a $ amount is usd');
    const value = Number(digits);
    if (!(value > 0)) fail(part, 'must be more than 0');
    if (key !== 'usd' && !Number.isInteger(value)) fail(part, `${key} must be a whole number`);
    if (added[key] !== undefined) fail(part, `${key} is given twice`);
    added[key] = value;
  }
  return added;
}

export function registerReopen(program: Command, ctx: CliContext): void {
  common(
    program
      .command('reopen')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .description('Continue an ended exploration (accepted, exhausted, or out of budget), with more budget; recorded in the ledger')
      .option('--budget <amount...>', 'budget to add: 40 (calls), calls=40, tokens=20000, usd=0.5 or $0.5; comma-separated or repeated')
      .option('--why <text>', 'the reason (kept in the ledger)')
      .option('--no-run', 'only record the reopening; do not explore on')
      .option('--no-assume', 'never skip a checkpoint on the strength of your taste: always ask')
      .option('--concurrency <n>', 'moves run at once', integer('--concurrency', 1, 64))
      .option('--latency <ms>', 'simulated latency of the rehearsal model', integer('--latency', 0, 600_000))
      .addHelpText('after', '\nExample:\n  baton reopen x1a2b3 --budget 40 --why "one more round on the warm lens"'),
  ).action(async (exploration: string, options: Options) => {
    const budget = parseBudgetSpec(options.budget ?? []);
    await withBaton(ctx, options, async (baton) => {
      const progress = progressReporter(ctx.io, !options.json && options.run);
      try {
        const run = options.run ? { ...(progress.onProgress ? { onProgress: progress.onProgress } : {}), ...(options.assume === false ? { assume: false } : {}) } : false;
        const { reopening, outcome } = await baton.reopen(exploration, {
          ...(Object.keys(budget).length > 0 ? { budget } : {}),
          ...(options.why !== undefined ? { reason: options.why } : {}),
          run,
        });
        progress.done();
        if (!options.json) ctx.io.err(`Reopened ${shortId(outcome.explorationId)} (had ended ${reopening.from}; ${budgetAddedText(reopening.budget)})${reopening.reason ? ` — why: ${reopening.reason}` : ''}\n`);
        if (options.json && !options.run) printJson(ctx.io, { reopening, status: outcome.status });
        else reportOutcome(ctx, outcome, options);
        ctx.exitCode = exitCodeOf(outcome);
      } finally {
        progress.done();
      }
    });
  });
}
