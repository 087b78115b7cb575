import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { printJson } from '../io.js';
import { renderCandidate, renderExploration } from '../render.js';

export function registerShow(program: Command, ctx: CliContext): void {
  common(
    program
      .command('show')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .argument('[candidate]', 'a candidate (c12 or the full id) to show in full')
      .description('Show an exploration (its tree and ledger) or one candidate (text, scores, lineage)'),
  ).action(async (exploration: string, candidate: string | undefined, options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      if (candidate) {
        const view = await baton.candidate(exploration, candidate);
        if (options.json) printJson(ctx.io, view);
        else ctx.io.out(renderCandidate(view));
        return;
      }
      const view = await baton.show(exploration);
      if (options.json) printJson(ctx.io, view);
      else ctx.io.out(renderExploration(view));
    });
  });
}
