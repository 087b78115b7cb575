import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BatonError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { McpContext } from './context.js';

/**
 * An exploration's board, ledger and candidates as resources (`baton://explorations/{id}/…`), and
 * `resources/updated` for subscribers, driven by the store's event log: a subscribed exploration
 * is read after the last event seen, on every change this server makes and on a poll (another
 * process — `baton run` in a terminal — may write to the same database).
 */

export const RESOURCE_PREFIX = 'baton://explorations/';

function json(uri: URL, data: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(data, null, 2) }] };
}

function single(value: string | string[] | undefined, name: string): string {
  const one = Array.isArray(value) ? value[0] : value;
  if (!one) throw new BatonError('invalid_input', `the resource URI has no ${name}`);
  return decodeURIComponent(one);
}

export function registerResources(server: McpServer, ctx: McpContext): void {
  const { baton } = ctx;
  const perExploration = (suffix: string, title: string) => ({
    list: async () => ({
      resources: (await baton.list()).map((r) => ({ uri: `${RESOURCE_PREFIX}${r.id}/${suffix}`, name: `${r.id}-${suffix}`, title: `${title}: ${r.title}`, mimeType: 'application/json' })),
    }),
  });

  server.registerResource(
    'board',
    new ResourceTemplate(`${RESOURCE_PREFIX}{explorationId}/board`, perExploration('board', 'Board')),
    { title: 'Board', description: 'An exploration\'s board: its status, the open checkpoint, the best candidates, trade-offs, flags and spend.', mimeType: 'application/json' },
    async (uri, { explorationId }) => {
      const outcome = await baton.board(single(explorationId, 'exploration id'));
      return json(uri, outcome);
    },
  );

  server.registerResource(
    'ledger',
    new ResourceTemplate(`${RESOURCE_PREFIX}{explorationId}/ledger`, perExploration('ledger', 'Ledger')),
    { title: 'Ledger', description: 'Every checkpoint and decision of an exploration, with its reason.', mimeType: 'application/json' },
    async (uri, { explorationId }) => {
      const view = await baton.show(single(explorationId, 'exploration id'));
      return json(uri, { explorationId: view.record.id, status: view.record.status, ledger: view.ledger });
    },
  );

  server.registerResource(
    'candidate',
    new ResourceTemplate(`${RESOURCE_PREFIX}{explorationId}/candidates/{candidateId}`, { list: undefined }),
    { title: 'Candidate', description: 'One candidate in full: text, lens, lineage, scores with reasons, flags.', mimeType: 'application/json' },
    async (uri, { explorationId, candidateId }) => json(uri, await baton.candidate(single(explorationId, 'exploration id'), single(candidateId, 'candidate id'))),
  );
}

/** The exploration a Baton resource URI is about, or undefined. */
export function explorationOf(uri: string): string | undefined {
  if (!uri.startsWith(RESOURCE_PREFIX)) return undefined;
  const id = uri.slice(RESOURCE_PREFIX.length).split('/')[0];
  return id ? decodeURIComponent(id) : undefined;
}

/** Subscriptions of one client session, polled while there are any. */
export class Subscriptions {
  readonly #uris = new Map<string, string>();
  readonly #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly server: McpServer,
    private readonly ctx: McpContext,
    private readonly pollMs: number,
  ) {
    server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
    server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      const uri = request.params.uri;
      const ref = explorationOf(uri);
      if (!ref) throw new BatonError('invalid_input', `cannot subscribe to ${uri}: Baton's resources start with ${RESOURCE_PREFIX}`);
      const id = await ctx.baton.resolveId(ref);
      if (!this.#seen.has(id)) this.#seen.set(id, await lastSeq(ctx.baton.store, id));
      this.#uris.set(uri, id);
      this.#timer ??= setInterval(() => this.poke(), this.pollMs).unref();
      return {};
    });
    server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
      this.#uris.delete(request.params.uri);
      if (this.#uris.size === 0) this.#stop();
      return {};
    });
  }

  /** Looks for new events now (coalescing with a look already under way). */
  poke(): void {
    if (this.#closed || this.#uris.size === 0) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = this.#poll()
      .catch((error: unknown) => this.ctx.log(`baton mcp: watching subscriptions failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.#polling = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  async #poll(): Promise<void> {
    const explorations = new Set(this.#uris.values());
    for (const id of explorations) {
      const after = this.#seen.get(id) ?? 0;
      const seq = await lastSeq(this.ctx.baton.store, id, after);
      if (seq <= after) continue;
      this.#seen.set(id, seq);
      for (const [uri, of] of this.#uris) {
        if (of === id && !this.#closed) await this.server.server.sendResourceUpdated({ uri });
      }
    }
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }
}

async function lastSeq(store: Store, id: string, after = 0): Promise<number> {
  const events = await store.readEvents(id, after);
  return events.at(-1)?.seq ?? after;
}
