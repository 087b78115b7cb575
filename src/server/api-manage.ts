import type { Hono } from 'hono';
import type { Baton } from '../baton.js';
import { isBatonError } from '../errors.js';
import type { ExplorationRecord } from '../store/store.js';
import { DeleteQuery, ForkBody, UpdateExplorationBody } from './contract.js';
import type { StartedResponse } from './contract.js';
import { HttpProblem, jsonBody, validate } from './problems.js';
import type { BackgroundRuns } from './runs.js';
import { actorOf } from './security.js';
import { shareWithStarter } from '../team/people.js';

/**
 * Managing explorations over HTTP — rename and archive (`PATCH`), delete, fork — a thin shell
 * over the facade. An exploration being explored (here or by another process) is not deleted.
 */
export function manageRoutes(api: Hono, deps: { baton: Baton; runs: BackgroundRuns }): void {
  const { baton, runs } = deps;

  api.patch('/explorations/:id', async (c) => {
    const body = validate(UpdateExplorationBody, await jsonBody(c));
    const id = await baton.resolveId(c.req.param('id'));
    let record: ExplorationRecord | undefined;
    if (body.title !== undefined) record = await baton.rename(id, body.title).catch(fieldProblem('title'));
    if (body.archived !== undefined) record = await baton.archive(id, body.archived);
    return c.json({ id: record?.id ?? id, title: record?.title ?? null, archivedAt: record?.archivedAt ?? null });
  });

  api.delete('/explorations/:id', async (c) => {
    const id = await baton.resolveId(c.req.param('id'));
    const { confirm } = validate(DeleteQuery, c.req.query());
    if (confirm !== id) throw new HttpProblem('invalid_input', `confirm=${confirm} does not name exploration ${id}: nothing was deleted`, 'confirm');
    if (runs.isRunning(id) || (await runs.leaseOf(id))) {
      throw new HttpProblem('conflict', `exploration ${id} is being explored; delete it once it stops`, 'exploration');
    }
    await baton.remove(id);
    return c.body(null, 204);
  });

  api.post('/explorations/:id/fork', async (c) => {
    const body = validate(ForkBody, await jsonBody(c));
    const fork = await baton
      .fork(c.req.param('id'), { ...(body.at !== undefined ? { at: body.at } : {}), ...(body.title !== undefined ? { title: body.title } : {}) })
      .catch(fieldProblem('at'));
    await shareWithStarter(baton, actorOf(c.req.raw), fork.id);
    return c.json<StartedResponse>({ id: fork.id }, 201);
  });
}

/** A facade error about a field, named as the request body names it. */
function fieldProblem(field: string): (error: unknown) => never {
  return (error) => {
    if (isBatonError(error) && error.code === 'invalid_input') throw new HttpProblem('invalid_input', error.message, error.location?.field ?? field);
    throw error;
  };
}
