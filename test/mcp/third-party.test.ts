import { join } from 'node:path';
import type { MCPClient } from '@ai-sdk/mcp';
import { createMCPClient, ElicitationRequestSchema } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BATON_BIN, REPO_ROOT, tempDir } from '../support/cli.js';
import type { OutcomeContent } from './client.js';
import { STORY } from './client.js';

/**
 * A client Baton did not write and whose protocol code is not the official SDK's: the Vercel AI
 * SDK's own MCP client (`@ai-sdk/mcp`, as an AI SDK app would use Baton's tools), over stdio to
 * the real `baton mcp`. It runs the loop — the checkpoint answered through its elicitation
 * handler — and gets tool errors, not crashes, for bad input.
 */

const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(db: string, elicitation: boolean): Promise<MCPClient> {
  const transport = new Experimental_StdioMCPTransport({ command: process.execPath, args: [BATON_BIN, 'mcp', '--db', db], cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, stderr: 'ignore' });
  const client = await createMCPClient({ transport, clientName: 'ai-sdk-test', ...(elicitation ? { capabilities: { elicitation: {} } } : {}) });
  clients.push(client);
  return client;
}

type Tools = Awaited<ReturnType<MCPClient['tools']>>;

async function run(tools: Tools, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const tool = tools[name];
  if (!tool) throw new Error(`no tool ${name}`);
  return (await tool.execute(args, { toolCallId: `call-${name}`, messages: [] })) as CallToolResult;
}

describe('a third-party MCP client (@ai-sdk/mcp) driving baton mcp', () => {
  it('runs the loop to an accepted, exported result, answering the checkpoint through elicitation', async () => {
    const client = await connect(join(tempDir(), 'baton.db'), true);
    expect(client.serverInfo.name).toBe('baton');
    expect(client.instructions).toContain('run_to_checkpoint');
    let answer: Record<string, string> = { action: 'continue', reason: 'let more directions appear' };
    const messages: string[] = [];
    client.onElicitationRequest(ElicitationRequestSchema, (request) => {
      messages.push(request.params.message);
      return { action: 'accept', content: answer };
    });
    const tools = await client.tools();
    expect(Object.keys(tools)).toEqual(expect.arrayContaining(['lint_brief', 'start_exploration', 'run_to_checkpoint', 'decide', 'export_result']));

    const started = await run(tools, 'start_exploration', { briefText: STORY, seed: 3 });
    const { explorationId } = started.structuredContent as { explorationId: string };
    const first = (await run(tools, 'run_to_checkpoint', { explorationId })).structuredContent as unknown as OutcomeContent;
    expect(first.decision).toMatchObject({ action: 'continue', reason: 'let more directions appear' });

    let outcome = first;
    for (let i = 0; i < 10 && outcome.status === 'running'; i += 1) {
      const board = (await run(tools, 'run_to_checkpoint', { explorationId, ask: false })).structuredContent as unknown as OutcomeContent;
      if (board.status === 'awaiting') answer = { action: 'accept', candidates: board.board.cards[0]?.candidateId ?? '', reason: 'the quietest ending wins' };
      outcome = board.status === 'awaiting' ? ((await run(tools, 'run_to_checkpoint', { explorationId })).structuredContent as unknown as OutcomeContent) : board;
    }
    expect(outcome.status).toBe('accepted');
    expect(messages.length).toBe(2);
    const exported = await run(tools, 'export_result', { explorationId, format: 'md' });
    expect((exported.content[0] as { text: string }).text).toContain('the quietest ending wins');

    const ledger = await client.readResource({ uri: `baton://explorations/${explorationId}/ledger` });
    expect((ledger.contents[0] as { text: string }).text).toContain('let more directions appear');
    const prompt = await client.experimental_getPrompt({ name: 'review_board', arguments: { explorationId } });
    expect(prompt.messages.length).toBe(2);
  });

  it('gets a tool error with a clear message for bad input', async () => {
    const client = await connect(join(tempDir(), 'baton.db'), false);
    const tools = await client.tools();
    const missing = await run(tools, 'get_board', { explorationId: 'xnope00' });
    expect(missing.isError).toBe(true);
    expect((missing.content[0] as { text: string }).text).toMatch(/^not_found: no exploration "xnope00"/u);
    const bad = await run(tools, 'decide', { explorationId: 'xnope00', action: 'accept' });
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toMatch(/reason/u);
  });
});
