import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { exitCodeOf, reportOutcome } from './run.js';

export function registerBoard(program: Command, ctx: CliContext): void {
  common(
    program
      .command('board')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .description('Show the board: the open checkpoint with its reasons, or the state between checkpoints'),
  ).action(async (exploration: string, options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const outcome = await baton.board(exploration);
      reportOutcome(ctx, outcome, options);
      ctx.exitCode = exitCodeOf(outcome);
    });
  });
}
