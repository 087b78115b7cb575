import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import type { ProviderCheck } from '../../models/doctor.js';
import { checkProviders } from '../../models/doctor.js';
import { measureJudgeBias } from '../../explore/judge-bias.js';
import { resolveModel } from '../../models/registry.js';
import type { CliContext } from '../context.js';
import { printJson } from '../io.js';

/** `baton doctor`: one tiny request to each configured provider; exit 3 when one fails. Never prints a key. */
export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('Check each configured model provider with one tiny request, and explain what is wrong')
    .option('--model <provider:model>', 'check this model (repeatable); its provider is checked even if not configured', collect, [])
    .option('--structured', 'also probe whether each answering server honours a JSON schema (one more request each)')
    .option('--judge <provider:model>', "measure this judge's length and position bias on a small built-in set (12 calls), instead of checking providers")
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (options: { model: string[]; json?: boolean; structured?: boolean; judge?: string }) => {
      if (options.judge !== undefined) {
        const port = resolveModel(options.judge, { seed: 1, env: ctx.io.env, retry: { maxAttempts: 1 } });
        const report = await measureJudgeBias(port);
        if (options.json) printJson(ctx.io, report);
        else ctx.io.out(`Judge ${report.judge}${port.info.rehearsal ? ' (rehearsal)' : ''} · ${report.calls} calls\n  ${report.length}\n  ${report.position}\n`);
        if (report.lengthShift === null && report.comparisons === 0) ctx.exitCode = EXIT.provider;
        return;
      }
      const checks = await checkProviders({ env: ctx.io.env, models: options.model, ...(options.structured ? { structured: true } : {}) });
      const ok = !checks.some((c) => c.status === 'failed');
      if (options.json) printJson(ctx.io, { ok, providers: checks });
      else ctx.io.out(renderChecks(checks));
      if (!ok) ctx.exitCode = EXIT.provider;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function renderChecks(checks: readonly ProviderCheck[]): string {
  const width = Math.max(...checks.map((c) => c.provider.length));
  const lines = checks.flatMap((c) => [
    `${c.provider.padEnd(width)}  ${c.status.padEnd(7)}  ${c.message}`,
    ...(c.structured ? [`${''.padEnd(width)}  ${c.structured.status.padEnd(7)}  ${c.structured.message}`] : []),
  ]);
  const failed = checks.filter((c) => c.status === 'failed').length;
  const checked = checks.filter((c) => c.status !== 'skipped').length;
  lines.push('');
  if (failed > 0) lines.push(`${failed} of ${checked} checked ${checked === 1 ? 'provider' : 'providers'} failed.`);
  else if (checked > 0) lines.push(`All ${checked} checked ${checked === 1 ? 'provider' : 'providers'} answered.`);
  else lines.push('No provider is configured apart from the offline rehearsal model: see `baton models` for the variables to set.');
  return `${lines.join('\n')}\n`;
}
