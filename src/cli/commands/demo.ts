import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import { progressReporter } from '../io.js';
import { reportOutcome } from './run.js';

interface Options extends CommonOptions {
  seed: number;
  latency?: number;
  brief?: string;
}

/** The bundled example the demo explores; it ships with the package. */
export const DEMO_BRIEF = fileURLToPath(new URL('../../../examples/lighthouse-story.md', import.meta.url));

export function registerDemo(program: Command, ctx: CliContext): void {
  common(
    program
      .command('demo')
      .description('Run a real exploration offline on the rehearsal model, to its first checkpoint (exits 0 there)')
      .option('--seed <n>', 'seed (the same seed gives the same exploration)', integer('--seed', 0), 1)
      .option('--latency <ms>', 'simulated model latency, to watch it work', integer('--latency', 0, 60_000))
      .option('--brief <file>', 'explore this brief instead of the bundled example'),
  ).action(async (options: Options) => {
    await withBaton(ctx, options, async (baton) => {
      const id = await baton.start(options.brief ?? DEMO_BRIEF, { seed: options.seed, model: 'rehearsal', judge: 'rehearsal' });
      if (!options.json) ctx.io.err(`Baton demo — exploration ${id} on the offline rehearsal model (no API key, no network).\n`);
      const progress = progressReporter(ctx.io, !options.json);
      const outcome = await baton.run(id, progress.onProgress ? { onProgress: progress.onProgress } : {});
      progress.done();
      // Same output as `run`; but reaching the checkpoint is the demo's success, so it exits 0.
      reportOutcome(ctx, outcome, options);
      if (!options.json) ctx.io.err(`\nThe exploration is saved; pick it up any time with: baton board ${id}\n`);
    });
  });
}
