import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, LATEST_PROTOCOL_VERSION, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATON_BIN, tempDir } from '../support/cli.js';
import { send } from '../server/http.js';
import type { OutcomeContent } from './client.js';
import { call, ok, textOf } from './client.js';
import { STORY } from './client.js';

/**
 * MCP over Streamable HTTP at /mcp of a real `baton serve` (the binary): the API's guards (token,
 * Host, Origin) in front of it, and the loop from a brief to an exported result through the SDK's
 * client, the checkpoint answered through elicitation, and subscriptions over the session's stream.
 */

let child: ChildProcessWithoutNullStreams;
let port = 0;
let token = '';
let stderr = '';

beforeAll(async () => {
  const dir = tempDir('baton-mcp-http-');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'BATON_DB') env[key] = value;
  child = spawn(process.execPath, [BATON_BIN, 'serve', '--db', join(dir, 'b.db'), '--json'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const printed = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', () => reject(new Error(`baton serve exited: ${stderr}`)));
  });
  const { url } = JSON.parse(printed) as { url: string };
  port = Number(new URL(url).port);
  token = new URL(url).searchParams.get('token') ?? '';
});

afterAll(async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const mcpHeaders = { accept: 'application/json, text/event-stream' };

async function connect(capabilities: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'baton-http-test', version: '1.0.0' }, capabilities);
  await client.connect(transport);
  return client;
}

describe('MCP over Streamable HTTP on baton serve', () => {
  it('is behind the API\'s token, Host and Origin checks', async () => {
    const anonymous = await send(port, '/mcp', { method: 'POST', headers: mcpHeaders, body: initialize });
    expect(anonymous.status).toBe(401);
    const auth = { ...mcpHeaders, authorization: `Bearer ${token}` };
    expect((await send(port, '/mcp', { method: 'POST', headers: { ...mcpHeaders, authorization: 'Bearer wrong' }, body: initialize })).status).toBe(401);
    const rebound = await send(port, '/mcp', { method: 'POST', headers: { ...auth, host: `evil.example:${port}` }, body: initialize });
    expect(rebound.status).toBe(403);
    const foreign = await send(port, '/mcp', { method: 'POST', headers: { ...auth, origin: 'http://evil.example' }, body: initialize });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('evil.example');
    const foreignGet = await send(port, '/mcp', { method: 'GET', headers: { ...auth, origin: 'http://evil.example' } });
    expect(foreignGet.status).toBe(403);
    const noSession = await send(port, '/mcp', { method: 'POST', headers: auth, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(noSession.status).toBe(400);
    expect(noSession.body).toContain('initialize');
    const unknown = await send(port, '/mcp', { method: 'POST', headers: { ...auth, 'mcp-session-id': 'nope' }, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(unknown.status).toBe(404);
    const own = await send(port, '/mcp', { method: 'POST', headers: { ...auth, origin: `http://127.0.0.1:${port}` }, body: initialize });
    expect(own.status).toBe(200);
    expect(own.headers['mcp-session-id']).toBeTruthy();
    expect(own.body).toContain(`"protocolVersion":"${LATEST_PROTOCOL_VERSION}"`);
  });

  it('runs the loop from a brief to an exported result, the checkpoint answered through elicitation', async () => {
    const client = await connect({ capabilities: { elicitation: { form: {} } } });
    let answer: Record<string, string> = { action: 'continue', reason: 'see more directions first' };
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: answer };
    });
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 11 });
    const boardUri = `baton://explorations/${explorationId}/board`;
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await client.subscribeResource({ uri: boardUri });

    const first = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    expect(first.decision).toMatchObject({ action: 'continue', reason: 'see more directions first' });
    await expect.poll(() => updated).toContain(boardUri);

    // The person accepts the best candidate of the next board they are shown.
    let outcome = first;
    for (let i = 0; i < 10 && outcome.status === 'running'; i += 1) {
      const board = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId, ask: false });
      if (board.status !== 'awaiting') {
        outcome = board;
        continue;
      }
      answer = { action: 'accept', candidates: board.board.cards[0]?.candidateId ?? '', reason: 'it says the most with the least' };
      outcome = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    }
    expect(outcome.status).toBe('accepted');
    expect(asked.length).toBe(2);
    const exported = textOf(await call(client, 'export_result', { explorationId }));
    expect(exported).toContain('it says the most with the least');
    expect(exported).toContain('see more directions first');

    // The same server's API sees what the MCP client did.
    const api = await send(port, `/api/explorations/${explorationId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(JSON.parse(api.body)).toMatchObject({ status: 'accepted' });
    await client.close();
    expect(stderr).not.toMatch(/internal error|bug/u);
  });
});
