import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { printJson } from '../io.js';

interface Options extends CommonOptions {
  at?: string;
  title?: string;
}

export function registerFork(program: Command, ctx: CliContext): void {
  common(
    program
      .command('fork')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .description('Fork an exploration at a checkpoint into a new one that reuses its candidates and paid calls (no model is asked again)')
      .option('--at <checkpoint>', 'the checkpoint: its id, or its number (1 = the first); the latest by default')
      .option('--title <title>', 'the new exploration’s title'),
  ).action(async (exploration: string, options: Options) => {
    await withBaton(ctx, options, async (baton) => {
      const fork = await baton.fork(exploration, { ...(options.at !== undefined ? { at: options.at } : {}), ...(options.title !== undefined ? { title: options.title } : {}) });
      if (options.json) {
        printJson(ctx.io, fork);
        return;
      }
      ctx.io.out(`${fork.id}\n`);
      ctx.io.err(`Forked ${fork.forkOf?.explorationId ?? exploration} at ${fork.forkOf?.checkpointId ?? 'its checkpoint'} into ${fork.id} “${plain(fork.title)}”: it awaits your decision (baton board ${fork.id}).\n`);
    });
  });
}

/** A title on the terminal: no control characters (a brief's question can hold anything). */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/gu, ' ');
}
