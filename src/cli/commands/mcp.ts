import type { Command } from 'commander';
import { serveStdio } from '../../mcp/stdio.js';
import type { CliContext, CommonOptions } from '../context.js';
import { integer, openBaton } from '../context.js';
import { stopRequested } from './serve.js';

interface Options extends Pick<CommonOptions, 'db'> {
  allowModules?: boolean;
  latency?: number;
  concurrency?: number;
}

export function registerMcp(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description('Serve Baton to an MCP client (Claude, Cursor, VS Code, Zed…) over stdio: tools, resources and prompts to run the whole loop')
    .option('--db <file>', 'SQLite database (default: $BATON_DB or ./.baton/baton.db)')
    .option('--allow-modules', 'let briefs sent by the client run `module:` checks (JS code on this machine); only if you trust every client')
    .option('--concurrency <n>', 'moves run at once', integer('--concurrency', 1, 64))
    .option('--latency <ms>', 'simulated latency of the rehearsal model', integer('--latency', 0, 600_000))
    .addHelpText(
      'after',
      `
Add it to a client's MCP configuration, e.g.:
  { "mcpServers": { "baton": { "command": "npx", "args": ["baton", "mcp", "--db", "/path/to/baton.db"] } } }`,
    )
    .action(async (options: Options) => {
      // Briefs from the client are text, not files: they run no module unless the person allowed it.
      const baton = openBaton(ctx, { ...options, allowModules: options.allowModules === true });
      try {
        await serveStdio({ baton, allowModules: options.allowModules === true, log: (line) => ctx.io.err(`${line}\n`) }, stopRequested());
      } finally {
        await baton.close();
      }
    });
}
