import type { Command } from 'commander';
import { hasErrors } from '../../brief/lint.js';
import { EXIT, formatLocation } from '../../errors.js';
import type { CliContext } from '../context.js';
import { withBaton } from '../context.js';
import { printJson } from '../io.js';

export function registerLint(program: Command, ctx: CliContext): void {
  program
    .command('lint')
    .argument('<brief>', 'the brief file to review')
    .description('Review a brief as a good coach would (no model): question, intent, audience, criteria, budget')
    .option('--strict', 'exit 2 on warnings too, not only on errors')
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (file: string, options: { strict?: boolean; json?: boolean }) => {
      const { findings } = await withBaton(ctx, {}, (baton) => baton.lint(file));
      const failing = hasErrors(findings) || (options.strict === true && findings.some((f) => f.severity === 'warning'));
      ctx.exitCode = failing ? EXIT.invalidInput : EXIT.ok;
      if (options.json) {
        printJson(ctx.io, { file, findings });
        return;
      }
      if (findings.length === 0) {
        ctx.io.err(`${file}: the brief reads clean.\n`);
        return;
      }
      for (const f of findings) {
        ctx.io.out(`${formatLocation(f.location)}: ${f.severity} ${f.code}: ${f.message}\n    try: ${f.suggestion}\n`);
      }
      const errors = findings.filter((f) => f.severity === 'error').length;
      ctx.io.err(`${findings.length} finding(s), ${errors} error(s).\n`);
    });
}
