import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { stopBriefWorker } from '../../src/brief/brief-worker.js';
import { call, textOf, toolError } from '../mcp/client.js';
import type { TestServer } from '../server/fixture.js';
import { testServer } from '../server/fixture.js';

/**
 * Issue 13, item 13: reading a brief sent to the server (lint, a new exploration, a redirect, the
 * MCP tools) runs off the event loop, in the brief worker with limits. A pathological brief is
 * in flight while a cheap request is asked and answered; past its limit it is a 422 problem.
 */

afterAll(() => stopBriefWorker());

/** 90,000 keys in one mapping (under 1 MiB): before the fix, the YAML parser spent minutes on it, on the event loop. */
const PATHOLOGICAL = ['---', 'question: Why?', 'criteria: [clear]', ...Array.from({ length: 90_000 }, (_, i) => `k${i}: 1`), '---', ''].join('\n');

/** How many cheap requests, one after another, must be answered while the slow one is in flight. */
const CHEAP_IN_A_ROW = 10;

/**
 * Sends `slow` and, once its whole body has been sent, `cheap` CHEAP_IN_A_ROW times one after
 * another; says whether the slow one had finished by then. Before the fix the server read the
 * slow brief on its event loop, so the cheap answers stopped until it was done.
 */
async function race(
  slow: (onSent: () => void) => Promise<{ status: number; body: string }>,
  cheap: () => Promise<{ status: number }>,
): Promise<{ slowFirst: boolean; slow: { status: number; body: string }; cheap: number[] }> {
  let slowDone = false;
  let sent: () => void = () => {};
  const bodySent = new Promise<void>((resolvePromise) => (sent = resolvePromise));
  const slowAnswer = slow(sent).then((response) => {
    slowDone = true;
    return response;
  });
  await bodySent;
  const statuses: number[] = [];
  for (let i = 0; i < CHEAP_IN_A_ROW; i += 1) statuses.push((await cheap()).status);
  const slowFirst = slowDone;
  return { slowFirst, slow: await slowAnswer, cheap: statuses };
}

async function mcpClient(t: TestServer): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${t.port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${t.server.token}` } } });
  const client = new Client({ name: 'baton-responsive-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('a pathological brief sent to the server', { timeout: 180_000 }, () => {
  it('POST /api/lint runs off the event loop: GET /api/explorations answers while it is linted', async () => {
    const t = await testServer();
    const result = await race(
      (onSent) => t.bearer('/api/lint', { method: 'POST', body: { text: PATHOLOGICAL }, onSent }),
      () => t.bearer('/api/explorations'),
    );
    expect(result.cheap).toEqual(Array.from({ length: CHEAP_IN_A_ROW }, () => 200));
    expect(result.slowFirst, 'the list was answered only after the lint: lint held the event loop').toBe(false);
    expect(result.slow.status).toBe(200);
    expect(result.slow.body).toMatch(/more unknown keys/u);
  });

  it('POST /api/explorations reads the brief off the event loop too', async () => {
    const t = await testServer();
    const result = await race(
      (onSent) => t.bearer('/api/explorations', { method: 'POST', body: { briefText: PATHOLOGICAL }, onSent }),
      () => t.bearer('/api/session'),
    );
    expect(result.slowFirst, 'the session was answered only after the brief was read').toBe(false);
    expect(result.slow.status).toBe(400);
    expect(JSON.parse(result.slow.body)).toMatchObject({ code: 'invalid_input', field: 'briefText' });
  });

  it('past its limit, lint and start are a 422 problem naming the limit, never a 5xx, and nothing is written', async () => {
    const t = await testServer({ baton: { briefLimits: { timeoutMs: 1 } } });
    const lint = await t.bearer('/api/lint', { method: 'POST', body: { text: PATHOLOGICAL } });
    expect(lint.status, lint.body).toBe(422);
    const problem = JSON.parse(lint.body) as { code: string; message: string };
    expect(problem.code).toBe('limit_exceeded');
    expect(problem.message).toMatch(/too large or too complex to read: reading it took longer than 0\.001 s \(a brief may take at most 0\.001 s and 256 MB to read\)/u);
    const start = await t.bearer('/api/explorations', { method: 'POST', body: { briefText: PATHOLOGICAL } });
    expect(start.status, start.body).toBe(422);
    expect(JSON.parse(start.body)).toMatchObject({ code: 'limit_exceeded' });
    expect((JSON.parse((await t.bearer('/api/explorations')).body) as { explorations: unknown[] }).explorations).toEqual([]);
  });

  it('MCP lint_brief runs off the event loop, and past its limit is a tool error naming the limit', { timeout: 180_000 }, async () => {
    const t = await testServer();
    const client = await mcpClient(t);
    try {
      let slowDone = false;
      const slow = call(client, 'lint_brief', { briefText: PATHOLOGICAL }).then((result) => {
        slowDone = true;
        return result;
      });
      // Fewer than over plain HTTP: each MCP call is several requests, and the machine may be busy.
      for (let i = 0; i < 3; i += 1) expect((await call(client, 'list_explorations')).isError ?? false).toBe(false);
      expect(slowDone, 'list_explorations was answered only after the lint').toBe(false);
      expect(textOf(await slow)).toMatch(/finding/u);
    } finally {
      await client.close();
    }

    const strict = await testServer({ baton: { briefLimits: { timeoutMs: 1 } } });
    const strictClient = await mcpClient(strict);
    try {
      expect(await toolError(strictClient, 'lint_brief', { briefText: PATHOLOGICAL })).toMatch(/too large or too complex to read.*at most 0\.001 s/u);
      expect(await toolError(strictClient, 'start_exploration', { briefText: PATHOLOGICAL })).toMatch(/too large or too complex to read/u);
    } finally {
      await strictClient.close();
    }
  });
});
