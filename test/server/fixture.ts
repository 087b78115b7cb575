import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RunningServer, ServeOptions } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { EXAMPLES, tempDir } from '../support/cli.js';
import type { HttpRequest, HttpResponse } from './http.js';
import { send } from './http.js';

/** A real server on 127.0.0.1:0 over a real SQLite file in a temp dir, on the rehearsal model. */

export const LEAK_KEY = 'sk-test-LEAKCHECK-4f1c9a7e2b';
export const LIGHTHOUSE = readFileSync(join(EXAMPLES, 'lighthouse-story.md'), 'utf8');
export const INDEX_HTML = '<!doctype html><title>Baton</title><div id="root"></div>\n';

export interface TestServer {
  server: RunningServer;
  port: number;
  dir: string;
  db: string;
  /** Every response this fixture saw, to check that no secret ever left the server. */
  responses: HttpResponse[];
  /** Sends with `Authorization: Bearer`. */
  bearer(path: string, options?: HttpRequest): Promise<HttpResponse>;
  /** Sends as the signed-in browser: session cookie, same Origin, CSRF header on POST. */
  browser(path: string, options?: HttpRequest): Promise<HttpResponse>;
  raw(path: string, options?: HttpRequest): Promise<HttpResponse>;
  cookie: string;
  csrf: string;
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
});

export async function testServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const dir = tempDir('baton-serve-');
  const web = join(dir, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), INDEX_HTML);
  const db = join(dir, 'baton.db');
  const server = await startServer({
    db,
    cwd: dir,
    env: { OPENAI_API_KEY: LEAK_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    webRoot: web,
    pollMs: 100,
    log: () => undefined,
    ...options,
  });
  servers.push(server);
  const port = server.port;
  const responses: HttpResponse[] = [];
  const raw = async (path: string, request: HttpRequest = {}): Promise<HttpResponse> => {
    const response = await send(port, path, request);
    responses.push(response);
    return response;
  };
  const login = await raw(`/?token=${server.token}`);
  const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const fixture: TestServer = {
    server,
    port,
    dir,
    db,
    responses,
    raw,
    cookie,
    csrf: '',
    bearer: (path, request = {}) => raw(path, { ...request, headers: { authorization: `Bearer ${server.token}`, ...request.headers } }),
    browser: (path, request = {}) => {
      const method = request.method ?? (request.body !== undefined ? 'POST' : 'GET');
      const headers: Record<string, string> = { cookie, ...(method === 'GET' ? {} : { origin: server.origin, 'x-baton-csrf': fixture.csrf }), ...request.headers };
      return raw(path, { ...request, method, headers });
    },
  };
  fixture.csrf = (JSON.parse((await fixture.browser('/api/session')).body) as { csrfToken: string }).csrfToken;
  return fixture;
}

export function json<T = Record<string, unknown>>(response: HttpResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new Error(`not JSON (status ${response.status}): ${response.body.slice(0, 500)}`);
  }
}
