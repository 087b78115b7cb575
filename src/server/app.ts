import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { McpHttpHandler } from '../mcp/http.js';
import type { ApiDeps } from './api.js';
import { apiRoutes } from './api.js';
import { HttpProblem, problemOf, sendProblem } from './problems.js';
import type { Listening } from './security.js';
import { explorationAccess } from './people-guard.js';
import { actorOf, apiGuard, hostAllowlist, securityHeaders, tokenExchange } from './security.js';
import { webAssets } from './web-assets.js';

export interface AppOptions extends ApiDeps {
  listening: Listening;
  /** The built UI; default dist/web. */
  webRoot?: string;
  /** Where internal errors are logged (with their stack: the operator's log, not the client). */
  log: (line: string) => void;
  /** MCP over Streamable HTTP at /mcp, behind the API's guards. */
  mcp?: McpHttpHandler;
}

/** Briefs are at most 1 MiB; a JSON body carrying one is a little larger. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The whole HTTP app: guards, the API under /api, and the built UI everywhere else. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.use(securityHeaders());
  app.use(hostAllowlist(options.listening));
  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('/api/*', apiGuard(options.secrets, options.listening));
  app.use('/api/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => sendProblem(c, new HttpProblem('invalid_input', 'the body is over 2 MiB', '')) }));
  app.use('/api/explorations/:id', explorationAccess(options.baton));
  app.use('/api/explorations/:id/*', explorationAccess(options.baton));
  app.route('/api', apiRoutes(options));
  const mcp = options.mcp;
  if (mcp) {
    app.use('/mcp', apiGuard(options.secrets, options.listening));
    app.use('/mcp', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => sendProblem(c, new HttpProblem('invalid_input', 'the body is over 2 MiB', '')) }));
    app.all('/mcp', (c) => mcp.handle(c.req.raw, actorOf(c.req.raw)));
  }
  app.use(tokenExchange(options.secrets, options.listening));
  app.use(webAssets(options.webRoot));
  app.notFound((c) => sendProblem(c, new HttpProblem('not_found', `nothing at ${c.req.path}`)));
  app.onError((error, c) => {
    const problem = problemOf(error);
    if (problem.status >= 500 && problem.body.code === 'internal') options.log(`baton serve: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return sendProblem(c, error);
  });
  return app;
}
