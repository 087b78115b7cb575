import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import { progressReporter } from '../io.js';
import { reportOutcome } from './run.js';
import { hasDisplay, openBrowser, startServing, stopRequested } from './serve.js';

interface Options extends CommonOptions {
  seed: number;
  latency?: number;
  brief?: string;
  /** true: `--open`, false: `--no-open`, undefined: on a terminal only. */
  open?: boolean;
}

/** The bundled example the demo explores; it ships with the package. */
export const DEMO_BRIEF = fileURLToPath(new URL('../../../examples/lighthouse-story.md', import.meta.url));

export function registerDemo(program: Command, ctx: CliContext): void {
  common(
    program
      .command('demo')
      .description('Run a real exploration offline on the rehearsal model to its first checkpoint, then show the board in the browser (on a terminal) or print it and exit 0')
      .option('--seed <n>', 'seed (the same seed gives the same exploration)', integer('--seed', 0), 1)
      .option('--latency <ms>', 'simulated model latency, to watch it work', integer('--latency', 0, 60_000))
      .option('--brief <file>', 'explore this brief instead of the bundled example')
      .option('--open', 'then serve the web UI and open the board in a browser (the default on a terminal); without a display, print its URL')
      .option('--no-open', 'print the board and exit (the default when output is not a terminal)'),
  ).action(async (options: Options) => {
    const id = await withBaton(ctx, options, async (baton) => {
      const started = await baton.start(options.brief ?? DEMO_BRIEF, { seed: options.seed, model: 'rehearsal', judge: 'rehearsal' });
      if (!options.json) ctx.io.err(`Baton demo — exploration ${started} on the offline rehearsal model (no API key, no network).\n`);
      const progress = progressReporter(ctx.io, !options.json);
      const outcome = await baton.run(started, progress.onProgress ? { onProgress: progress.onProgress } : {});
      progress.done();
      // Same output as `run`; but reaching the checkpoint is the demo's success, so it exits 0.
      reportOutcome(ctx, outcome, options);
      return started;
    });
    if (!(options.open ?? (ctx.io.interactive && !options.json))) {
      if (!options.json) ctx.io.err(`\nThe exploration is saved; pick it up any time with: baton board ${id}\n`);
      return;
    }
    await showInBrowser(ctx, options, id);
  });
}

/** Serves the web UI on the demo's database and opens the board, or prints where it is. */
async function showInBrowser(ctx: CliContext, options: Options, id: string): Promise<void> {
  const server = await startServing(ctx, options);
  const stopped = stopRequested();
  const url = `${server.url}&exploration=${encodeURIComponent(id)}`;
  const display = hasDisplay(ctx.io.env);
  const opened = display && (await openBrowser(url));
  ctx.io.err(
    opened
      ? '\nThe board is open in your browser; this URL opens it again:\n'
      : `\n${display ? 'Could not start a browser' : 'No display here'}: open the board in a browser at\n`,
  );
  // With --json, stdout stays the one JSON document already printed.
  if (options.json) ctx.io.err(`${url}\n`);
  else ctx.io.out(`${url}\n`);
  ctx.io.err('Serving until Ctrl-C.\n');
  await stopped;
  await server.close();
}
