import type { Command } from 'commander';
import { describeProviders } from '../../models/registry.js';
import { loadUserConfig } from '../../config/user-config.js';
import type { ProviderStatus, SettingSource } from '../../models/providers.js';
import type { CliContext } from '../context.js';
import { printJson } from '../io.js';

/** `baton models`: which providers this environment can use. Shows variable names, never values. */
export function registerModels(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description('List model providers and which of their environment variables are set (never their values)')
    .option('--json', 'print machine-readable JSON on stdout')
    .action((options: { json?: boolean }) => {
      const config = loadUserConfig({ env: ctx.io.env, cwd: ctx.io.cwd });
      const providers = describeProviders(ctx.io.env, config);
      if (options.json) printJson(ctx.io, { config: config.path, providers });
      else ctx.io.out(`${renderProviders(providers)}\nConfig file: ${config.path ?? 'none (set BATON_CONFIG, or write ~/.config/baton/config.yaml)'}\n`);
    });
}

function renderProviders(providers: readonly ProviderStatus[]): string {
  const lines: string[] = [];
  for (const p of providers) {
    lines.push(`${p.id}  ${p.ready ? 'ready' : 'not configured'} — ${p.description}`);
    lines.push(`  model id:  ${p.example}`);
    if (p.key) {
      const state = p.key.source?.from === 'config' ? `from ${p.key.source.path}` : p.key.present ? 'is set' : p.key.required ? 'is not set (required)' : 'is not set (optional)';
      lines.push(`  key:       ${p.key.source?.from === 'config' ? state : `${p.key.variable} ${state}`}`);
    }
    if (p.baseUrl) {
      const where = p.baseUrl.source ? describeSource(p.baseUrl.source) : p.baseUrl.default ? `default; set ${p.baseUrl.variable} to change` : `set ${p.baseUrl.variable} (required)`;
      lines.push(`  base URL:  ${p.baseUrl.effective ?? '—'} (${where})`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function describeSource(source: SettingSource): string {
  if (source === null) return 'from nowhere';
  return source.from === 'environment' ? `from ${source.variable}` : `from ${source.path}`;
}
