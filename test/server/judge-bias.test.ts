import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import type { JudgeBiasEstimateResponse, JudgeBiasResponse } from '../../src/server/contract.js';
import { ok, textOf, toolError } from '../mcp/client.js';
import { LEAK_KEY, testServer } from './fixture.js';

/**
 * Issue 12, item 5 through the server: the judge bias check over HTTP (`POST /api/judge-bias`) and
 * MCP (`check_judge_bias`). It makes real calls, so it says their number and worst-case cost
 * first, refuses up front past its cap, and says what it spent.
 */

describe('POST /api/judge-bias', () => {
  it('estimates without calling, runs on the rehearsal judge, and says what it found and spent', async () => {
    const t = await testServer();
    const estimate = await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: 'rehearsal', estimateOnly: true } });
    expect(estimate.status, estimate.body).toBe(200);
    expect(JSON.parse(estimate.body)).toMatchObject({ calls: 12, rehearsal: true, worstCaseUsd: 0 });

    const run = await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: 'rehearsal' } });
    expect(run.status, run.body).toBe(200);
    const report = JSON.parse(run.body) as JudgeBiasResponse;
    expect(report.calls).toBe(12);
    expect(report.spend.calls).toBe(12);
    expect(report.spend.usd).toBe(0);
    expect(report.length).toMatch(/length bias/iu);
    expect(report.position).toMatch(/position bias/iu);
    expect(report.comparisons).toBeGreaterThan(0);
  });

  it('a priced judge: the worst case is named before any call, and a cap below it is refused up front (402), calling nothing', async () => {
    // The fixture's OpenAI base URL refuses connections: any call made would fail, not be refused.
    const t = await testServer();
    const estimate = JSON.parse((await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: 'openai:gpt-4o-mini', estimateOnly: true } })).body) as JudgeBiasEstimateResponse;
    expect(estimate).toMatchObject({ judge: 'openai:gpt-4o-mini', calls: 12, rehearsal: false });
    expect(estimate.worstCaseUsd).toBeGreaterThan(0);

    const refused = await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: 'openai:gpt-4o-mini', maxUsd: estimate.worstCaseUsd / 2 } });
    expect(refused.status, refused.body).toBe(402);
    const problem = JSON.parse(refused.body) as { code: string; message: string; field: string };
    expect(problem).toMatchObject({ code: 'budget_exhausted', field: 'maxUsd' });
    expect(problem.message).toContain(`$${estimate.worstCaseUsd.toFixed(4)}`);
    expect(problem.message).toMatch(/12 calls/u);
    expect(t.responses.map((r) => r.body).join('')).not.toContain(LEAK_KEY);
  });

  it('is behind the server’s doors: no token, no check; a bad judge is a located 400', async () => {
    const t = await testServer();
    const anonymous = await t.raw('/api/judge-bias', { method: 'POST', body: { judge: 'rehearsal' } });
    expect(anonymous.status).toBe(401);
    const bad = await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: 'nonsense:model' } });
    expect(bad.status, bad.body).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'invalid_input', field: 'judge' });
    const empty = await t.bearer('/api/judge-bias', { method: 'POST', body: { judge: '' } });
    expect(empty.status).toBe(400);
    // A browser without the CSRF header cannot start paid calls.
    const forged = await t.browser('/api/judge-bias', { method: 'POST', body: { judge: 'rehearsal' }, headers: { 'x-baton-csrf': 'wrong' } });
    expect(forged.status).toBe(403);
  });
});

describe('MCP check_judge_bias', () => {
  it('estimates, runs on the rehearsal judge, and refuses past its cap, through a real MCP client', async () => {
    const t = await testServer();
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${t.port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${t.server.token}` } } });
    const client = new Client({ name: 'baton-judge-bias-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const estimate = await ok<JudgeBiasEstimateResponse>(client, 'check_judge_bias', { judge: 'openai:gpt-4o-mini', estimateOnly: true });
      expect(estimate.calls).toBe(12);
      expect(estimate.worstCaseUsd).toBeGreaterThan(0);
      const report = await ok<JudgeBiasResponse>(client, 'check_judge_bias', { judge: 'rehearsal' });
      expect(report.spend.calls).toBe(12);
      expect(report.position).toMatch(/position bias/iu);
      const { content } = await client.callTool({ name: 'check_judge_bias', arguments: { judge: 'rehearsal' } });
      expect(textOf({ content } as Parameters<typeof textOf>[0])).toMatch(/Spent 12 calls, \$0\.0000/u);
      expect(await toolError(client, 'check_judge_bias', { judge: 'openai:gpt-4o-mini', maxUsd: estimate.worstCaseUsd / 2 })).toMatch(/could cost up to \$/u);
    } finally {
      await client.close();
    }
  });
});
