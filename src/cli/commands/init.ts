import { resolve } from 'node:path';
import type { Command } from 'commander';
import { briefTemplate } from '../../brief/template.js';
import { BatonError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';
import type { CliContext } from '../context.js';
import { printJson } from '../io.js';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .argument('[file]', 'where to write the brief', 'brief.md')
    .description('Write a commented brief template to fill in')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (file: string, options: { force?: boolean; json?: boolean }) => {
      const path = resolve(ctx.io.cwd, file);
      try {
        await writeFileAtomic(path, briefTemplate(), { exclusive: !options.force });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'EEXIST' ? 'it already exists (use --force to replace it)' : (error as Error).message;
        throw new BatonError('invalid_input', `cannot write ${file}: ${why}`, { cause: error, location: { file } });
      }
      if (options.json) printJson(ctx.io, { written: path });
      else ctx.io.err(`Wrote ${file}. Fill it in, then: baton lint ${file} && baton run ${file}\n`);
    });
}
