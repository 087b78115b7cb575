import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { printJson } from '../io.js';
import { renderList } from '../render.js';

export function registerLs(program: Command, ctx: CliContext): void {
  common(program.command('ls').description('List explorations, newest first')).action(async (options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const records = await baton.list();
      if (options.json) printJson(ctx.io, { explorations: records });
      else ctx.io.out(renderList(records));
    });
  });
}
