import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';

interface Options extends CommonOptions {
  format: 'md' | 'json';
  output?: string;
}

export function registerExport(program: Command, ctx: CliContext): void {
  common(
    program
      .command('export')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .description('Export the result with the record of why: the path, the ledger with every reason, the spend')
      .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action(async (exploration: string, options: Options) => {
    const format = options.json ? 'json' : options.format;
    await withBaton(ctx, options, async (baton) => {
      const text = await baton.export(exploration, format);
      if (!options.output) {
        ctx.io.out(text);
        return;
      }
      const path = resolve(ctx.io.cwd, options.output);
      try {
        await writeFileAtomic(path, text);
      } catch (error) {
        throw new BatonError('invalid_input', `cannot write ${options.output}: ${(error as Error).message}`, { cause: error, location: { file: options.output } });
      }
      ctx.io.err(`Wrote ${options.output}\n`);
    });
  });
}
