import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { RunningServer, ServeOptions } from '../../server/server.js';
import { isLoopback, startServer } from '../../server/server.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer } from '../context.js';
import { printJson } from '../io.js';

interface Options extends CommonOptions {
  port: number;
  host: string;
  allowRemote?: boolean;
  allowModules?: boolean;
}

export function registerServe(program: Command, ctx: CliContext): void {
  common(
    program
      .command('serve')
      .description('Serve the web UI and its API on 127.0.0.1 (prints the URL with this launch\'s token; Ctrl-C stops)')
      .option('--port <n>', 'port to listen on (default: a free one)', integer('--port', 0, 65_535), 0)
      .option('--host <address>', 'address to listen on; anything but loopback needs --allow-remote', '127.0.0.1')
      .option('--allow-remote', 'allow listening beyond loopback: anyone who can reach it and has the token can steer your explorations')
      .option('--allow-modules', 'let briefs sent to the server (web editor, API) run `module:` checks — JavaScript from files in the server\'s folder'),
  ).action(async (options: Options) => {
    const server = await startServing(ctx, options);
    const stopped = stopRequested();
    if (options.json) printJson(ctx.io, { url: server.url, port: server.port });
    else ctx.io.out(`${server.url}\n`);
    ctx.io.err('Baton is serving the web UI: open the URL above (its token changes at every launch). Ctrl-C stops.\n');
    await stopped;
    await server.close();
  });
}

/** Starts the server on the command's database, warning loudly when it is reachable from afar. */
export async function startServing(ctx: CliContext, options: CommonOptions & { port?: number; host?: string; allowRemote?: boolean; allowModules?: boolean }): Promise<RunningServer> {
  const serve: ServeOptions = { cwd: ctx.io.cwd, env: ctx.io.env, log: (line) => ctx.io.err(`${line}\n`) };
  const db = options.db ?? ctx.io.env.BATON_DB;
  if (db) serve.db = db;
  if (options.port !== undefined) serve.port = options.port;
  if (options.host !== undefined) serve.host = options.host;
  if (options.allowRemote) serve.allowRemote = true;
  if (options.allowModules) serve.allowModules = true;
  const server = await startServer(serve);
  if (options.host !== undefined && !isLoopback(options.host)) {
    ctx.io.err(`Warning: listening on ${options.host}, beyond this machine. Anyone who can reach port ${server.port} and learns the token can read and steer your explorations; the traffic is not encrypted.\n`);
  }
  return server;
}

/**
 * Resolves on SIGINT or SIGTERM. Call it before printing the URL: whoever reads the URL may stop
 * the server at once, and the store must still be closed cleanly.
 */
export function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** True when a browser can be shown: a desktop session on Linux, or macOS / Windows. */
export function hasDisplay(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens `url` in the default browser; resolves false if no opener could be started. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
