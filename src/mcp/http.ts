import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { guardedBaton } from '../team/guarded-baton.js';
import type { Actor } from '../team/people.js';
import { actorName, OWNER } from '../team/people.js';
import { ExclusiveRuns } from './context.js';
import type { BatonMcpServer, McpServerOptions } from './server.js';
import { createMcpServer } from './server.js';

/**
 * MCP over Streamable HTTP (`/mcp` on `baton serve`): one MCP session per client, created by its
 * `initialize` and named by the `Mcp-Session-Id` header after it. Authentication, the Host and
 * Origin checks and the body limit are the HTTP server's guards, run before this handler.
 */

/** Sessions held at once; a client past this gets 503 until one ends (memory stays bounded). */
const MAX_SESSIONS = 64;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  mcp: BatonMcpServer;
  /** Who opened it: only they may use it, and only with their rights. */
  actor: Actor;
}

export interface McpHttpHandler {
  /** `actor`: who the server's guard signed in (the owner when not given). */
  handle(request: Request, actor?: Actor): Promise<Response>;
  close(): Promise<void>;
}

export function createMcpHttpHandler(given: McpServerOptions): McpHttpHandler {
  const options = { ...given, runs: given.runs ?? new ExclusiveRuns() };
  const sessions = new Map<string, Session>();

  const open = async (actor: Actor): Promise<Session> => {
    // A person's session sees and does only what is shared with them; decisions carry their name.
    const mcp = createMcpServer({ ...options, baton: guardedBaton(options.baton, actor) });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    const session: Session = { transport, mcp, actor };
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void mcp.close();
    };
    await mcp.server.connect(transport);
    return session;
  };

  return {
    async handle(request, actor = OWNER) {
      // Same rule as the API: a browser page of another origin is refused, whatever it carries.
      const origin = request.headers.get('origin');
      if (origin !== null && origin.toLowerCase() !== `http://${request.headers.get('host') ?? ''}`.toLowerCase()) {
        return rpcError(403, -32000, `Origin ${origin} is not this server`);
      }
      const id = request.headers.get('mcp-session-id');
      if (id !== null) {
        const session = sessions.get(id);
        if (!session) return rpcError(404, -32001, 'no such MCP session (it ended, or the server restarted): initialize again');
        if (actorName(session.actor) !== actorName(actor) || session.actor.kind !== actor.kind) return rpcError(403, -32000, 'this MCP session belongs to someone else');
        return session.transport.handleRequest(request);
      }
      if (request.method !== 'POST') return rpcError(400, -32000, 'no Mcp-Session-Id header: initialize a session with a POST first');
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return rpcError(400, -32700, 'the body is not JSON');
      }
      if (!isInitializeRequest(body)) return rpcError(400, -32000, 'no Mcp-Session-Id header: the first request of a session is initialize');
      if (sessions.size >= MAX_SESSIONS) return rpcError(503, -32000, `too many MCP sessions (${MAX_SESSIONS}); end one (DELETE /mcp) and retry`);
      const session = await open(actor);
      return session.transport.handleRequest(request, { parsedBody: body });
    },
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map(async (s) => s.mcp.close()));
      await options.runs.idle();
    },
  };
}

function rpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}
