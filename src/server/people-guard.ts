import type { MiddlewareHandler } from 'hono';
import type { Baton } from '../baton.js';
import { requireAccess } from '../team/people.js';
import { actorOf } from './security.js';

/**
 * The API's door per exploration (`/api/explorations/:id…`) for people on a shared server: to
 * look (GET, and forking, which copies nothing but a starting point) the exploration must be
 * shared with them; to change anything (decide, run, reopen, rename, archive, delete) shared with
 * the right to decide. A 403 problem otherwise. The owner passes.
 */
export function explorationAccess(baton: Baton): MiddlewareHandler {
  return async (c, next) => {
    const actor = actorOf(c.req.raw);
    const ref = c.req.param('id');
    if (actor.kind === 'owner' || ref === undefined) return next();
    const id = await baton.resolveId(ref);
    const looking = c.req.method === 'GET' || c.req.method === 'HEAD' || (c.req.method === 'POST' && c.req.path.endsWith('/fork'));
    await requireAccess(baton.store, actor, id, looking ? 'read' : 'decide');
    await next();
  };
}
