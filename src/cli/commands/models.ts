import type { Command } from 'commander';
import { describeProviders } from '../../models/registry.js';
import type { ProviderStatus } from '../../models/providers.js';
import type { CliContext } from '../context.js';
import { printJson } from '../io.js';

/** `baton models`: which providers this environment can use. Shows variable names, never values. */
export function registerModels(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description('List model providers and which of their environment variables are set (never their values)')
    .option('--json', 'print machine-readable JSON on stdout')
    .action((options: { json?: boolean }) => {
      const providers = describeProviders(ctx.io.env);
      if (options.json) printJson(ctx.io, { providers });
      else ctx.io.out(renderProviders(providers));
    });
}

function renderProviders(providers: readonly ProviderStatus[]): string {
  const lines: string[] = [];
  for (const p of providers) {
    lines.push(`${p.id}  ${p.ready ? 'ready' : 'not configured'} — ${p.description}`);
    lines.push(`  model id:  ${p.example}`);
    if (p.key) lines.push(`  key:       ${p.key.variable} ${p.key.present ? 'is set' : p.key.required ? 'is not set (required)' : 'is not set (optional)'}`);
    if (p.baseUrl) {
      const where = p.baseUrl.set ? `from ${p.baseUrl.variable}` : p.baseUrl.default ? `default; set ${p.baseUrl.variable} to change` : `set ${p.baseUrl.variable} (required)`;
      lines.push(`  base URL:  ${p.baseUrl.effective ?? '—'} (${where})`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
