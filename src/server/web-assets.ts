import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';

/**
 * The built web UI (Vite's output in dist/web), served as static files; any other path that is
 * not the API gets index.html, so the UI's own routes survive a reload. Without a build, a plain
 * 503 says how to make one.
 */

/** dist/web at the package root: the same place from src/server and from dist/server. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export function webAssets(root: string = DEFAULT_WEB_ROOT): MiddlewareHandler {
  let serve: { files: MiddlewareHandler; index: MiddlewareHandler } | undefined;
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    if (!existsSync(join(root, 'index.html'))) {
      return c.text(`The web UI is not built (no ${join(root, 'index.html')}). Run \`npm run build\`, then start baton serve again.\n`, 503);
    }
    // Made on first use: the build may appear after the server started.
    serve ??= { files: serveStatic({ root }), index: serveStatic({ root, path: 'index.html' }) };
    const { files, index } = serve;
    const served = await files(c, async () => {
      const fallback = await index(c, next);
      if (fallback instanceof Response) c.res = fallback;
    });
    return served ?? c.res;
  };
}
