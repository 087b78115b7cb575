import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { printJson } from '../io.js';

/** `baton rename`, `baton archive` and `baton delete`: managing explorations, one store call each. */
export function registerManage(program: Command, ctx: CliContext): void {
  common(
    program
      .command('rename')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .argument('<title>', 'the new title')
      .description('Give an exploration a new title'),
  ).action(async (exploration: string, title: string, options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const record = await baton.rename(exploration, title);
      if (options.json) printJson(ctx.io, record);
      else ctx.io.err(`Renamed ${record.id}.\n`);
    });
  });

  common(
    program
      .command('archive')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .option('--undo', 'unarchive it')
      .description('Archive an exploration (hidden from the board’s list unless asked for; nothing is deleted)'),
  ).action(async (exploration: string, options: CommonOptions & { undo?: boolean }) => {
    await withBaton(ctx, options, async (baton) => {
      const record = await baton.archive(exploration, options.undo !== true);
      if (options.json) printJson(ctx.io, record);
      else ctx.io.err(`${options.undo ? 'Unarchived' : 'Archived'} ${record.id}.\n`);
    });
  });

  common(
    program
      .command('delete')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .option('--yes', 'confirm: the exploration and all its rows are deleted for good')
      .description('Delete an exploration and everything recorded for it (asks for --yes)'),
  ).action(async (exploration: string, options: CommonOptions & { yes?: boolean }) => {
    await withBaton(ctx, options, async (baton) => {
      const id = await baton.resolveId(exploration);
      if (options.yes !== true) {
        throw new BatonError('invalid_input', `Deleting ${id} removes its candidates, decisions and spend record for good; run again with --yes to confirm.`, { location: { field: '--yes' } });
      }
      await baton.remove(id);
      if (options.json) printJson(ctx.io, { deleted: id });
      else ctx.io.err(`Deleted ${id}.\n`);
    });
  });
}
