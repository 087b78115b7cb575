import type { Baton } from '../baton.js';
import type { Actor } from './people.js';
import { actorField, requireAccess, visibleTo } from './people.js';

/**
 * The `Baton` facade as one person may use it: every method that names an exploration checks
 * their share first (read to look, decide to decide, run or reopen), `list` shows only what is
 * shared with them, and what they start or fork is shared with them to decide. The shells that
 * serve people (MCP over HTTP) hand this to their handlers instead of the facade itself, so no
 * handler can forget a check. For the owner it is the facade unchanged.
 */

const READ = new Set(['show', 'candidate', 'board', 'export', 'resolveId', 'fork']);
const DECIDE = new Set(['decide', 'run', 'reopen', 'rename', 'archive', 'remove']);

export function guardedBaton(baton: Baton, actor: Actor): Baton {
  if (actor.kind === 'owner') return baton;
  const store = baton.store;
  const grant = async (id: string): Promise<void> => {
    await store.share({ explorationId: id, person: actor.name, access: 'decide', createdAt: new Date().toISOString() });
  };
  return new Proxy(baton, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (property === 'list') {
        return async (...args: unknown[]) => {
          const [records, visible] = await Promise.all([method.apply(target, args) as Promise<{ id: string }[]>, visibleTo(store, actor)]);
          return records.filter((r) => visible?.has(r.id) ?? true);
        };
      }
      if (property === 'startFromSource' || property === 'start') {
        return async (...args: unknown[]) => {
          const id = (await method.apply(target, args)) as string;
          await grant(id);
          return id;
        };
      }
      if (READ.has(property) || DECIDE.has(property)) {
        return async (ref: unknown, ...rest: unknown[]) => {
          const id = await target.resolveId(String(ref));
          await requireAccess(store, actor, id, DECIDE.has(property) ? 'decide' : 'read');
          if (property === 'decide') {
            const input = (rest[0] ?? {}) as Record<string, unknown>;
            return method.apply(target, [id, { ...input, ...actorField(actor) }, ...rest.slice(1)]);
          }
          const result = await method.apply(target, [id, ...rest]);
          if (property === 'fork') await grant((result as { id: string }).id);
          return result;
        };
      }
      return method.bind(target);
    },
  });
}
