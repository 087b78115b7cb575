import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import type { BatonOptions } from '../baton.js';
import { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import { isServerLocation, openStore, resolveStoreLocation } from '../store/open-store.js';
import { createMcpHttpHandler } from '../mcp/http.js';
import { ExclusiveRuns } from '../mcp/context.js';
import { createApp } from './app.js';
import { BackgroundRuns } from './runs.js';
import { CommitSignal, watchCommits } from './event-stream.js';
import type { Listening } from './security.js';
import { personOfToken } from '../team/people.js';
import { LOOPBACK_NAMES, newSecrets } from './security.js';

/**
 * `baton serve`: the web UI's HTTP server on the library. Loopback only unless `allowRemote`;
 * a per-launch token in the printed URL; the store closed cleanly on `close()`.
 */

export interface ServeOptions {
  /** SQLite file; default `BATON_DB` or ./.baton/baton.db. */
  db?: string;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  allowRemote?: boolean;
  /** Let briefs sent to the API or over MCP (/mcp) run `module:` checks (JavaScript, in a worker). Default false. */
  allowModules?: boolean;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** The launch token; default random. */
  token?: string;
  webRoot?: string;
  /** How often event streams look for events written by other processes, ms. */
  pollMs?: number;
  heartbeatMs?: number;
  log?: (line: string) => void;
  /** Passed to the facade (e.g. the rehearsal model's latency). */
  baton?: Pick<BatonOptions, 'latencyMs' | 'concurrency' | 'now' | 'briefLimits'>;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT/?token=…`: the one URL to open. */
  url: string;
  /** `http://127.0.0.1:PORT`, without the token. */
  origin: string;
  port: number;
  token: string;
  baton: Baton;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/u.test(host);
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.allowRemote) {
    throw new BatonError('invalid_input', `--host ${host} would let other machines reach Baton; add --allow-remote if that is really what you want`, { location: { field: '--host' } });
  }
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const commits = new CommitSignal();
  const location = resolveStoreLocation(options.db, cwd, env);
  const store = watchCommits(openStore(location), commits);
  // On a team store, runs and decisions are queued for the workers (`baton worker`).
  const baton = Baton.open({ drive: isServerLocation(location) ? 'queue' : 'in-process', ...options.baton, store, env, cwd, allowModules: options.allowModules === true });
  const runs = new BackgroundRuns(baton, log);
  const secrets = newSecrets(options.token);
  // People (`baton user add`) sign in with their own tokens; without any, only the launch token works.
  secrets.findPerson = async (token) => (await personOfToken(store, token))?.name;
  const listening: Listening = { port: 0, hostNames: hostNames(host) };
  const streams = new Set<Promise<void>>();
  const mcp = createMcpHttpHandler({ baton, log, allowModules: options.allowModules === true, runs: new ExclusiveRuns((id) => runs.isRunning(id)), pollMs: options.pollMs ?? 500 });
  const app = createApp({
    mcp,
    baton,
    runs,
    commits,
    secrets,
    listening,
    log,
    pollMs: options.pollMs ?? 500,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    streams,
    ...(options.webRoot !== undefined ? { webRoot: options.webRoot } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await baton.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new BatonError('invalid_input', `cannot listen on ${host}:${options.port ?? 0}: ${code ?? (error as Error).message}`, { cause: error, location: { field: '--port' } });
  }
  listening.port = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(host)}:${listening.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${secrets.token}`,
    origin,
    port: listening.port,
    token: secrets.token,
    baton,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Event streams end first (their clients see a clean end), then the runs stop.
        commits.close();
        await Promise.race([Promise.allSettled([...streams]), delay(2_000)]);
        await mcp.close();
        await runs.stop();
        // Idle keep-alive sockets go now; a response still being written gets a moment to finish.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        await Promise.race([closed, delay(2_000)]);
        if ('closeAllConnections' in server) server.closeAllConnections();
        await closed;
        await baton.close();
      })();
      return closing;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Names the Host header may carry: loopback names, plus the bound host; bound to every interface,
 * the machine's name and addresses.
 */
function hostNames(host: string): string[] {
  const names = new Set(LOOPBACK_NAMES);
  if (['0.0.0.0', '::', '[::]'].includes(host)) {
    names.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(urlHost(address.address).toLowerCase());
    }
  } else {
    names.add(urlHost(host).toLowerCase());
  }
  return [...names];
}

function urlHost(host: string): string {
  const bare = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return bare.includes(':') && !bare.startsWith('[') ? `[${bare}]` : bare;
}
