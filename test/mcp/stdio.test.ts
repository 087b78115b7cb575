import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BATON_BIN, REPO_ROOT, tempDir } from '../support/cli.js';
import type { OutcomeContent } from './client.js';
import { call, ok, shortId, STORY, textOf, toolError } from './client.js';

/**
 * `baton mcp` over stdio, driven by the SDK's own client spawning the real binary: the whole loop
 * from a brief to an accepted, exported result with no CLI command and no browser; a checkpoint
 * reaching the person through elicitation; subscriptions; bad input as tool errors.
 */

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(db: string, capabilities: ConstructorParameters<typeof Client>[1] = {}, args: string[] = [], cwd = REPO_ROOT): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BATON_BIN, 'mcp', '--db', db, ...args],
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'baton-test', version: '1.0.0' }, capabilities);
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

describe('baton mcp over stdio', () => {
  it('lists the tools with their annotations, the resource templates and the prompts', async () => {
    const { client } = await connect(join(tempDir(), 'baton.db'));
    expect(client.getServerVersion()?.name).toBe('baton');
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(['check_judge_bias', 'decide', 'export_result', 'get_board', 'lint_brief', 'list_explorations', 'reopen', 'run_to_checkpoint', 'show_candidate', 'start_exploration']);
    expect(byName.get('reopen')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(byName.get('get_board')?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(byName.get('check_judge_bias')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: true });
    expect(byName.get('decide')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(byName.get('start_exploration')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.get('decide')?.inputSchema.required).toEqual(expect.arrayContaining(['explorationId', 'action', 'reason']));
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'baton://explorations/{explorationId}/board',
      'baton://explorations/{explorationId}/candidates/{candidateId}',
      'baton://explorations/{explorationId}/ledger',
    ]);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['review_board', 'write_brief']);
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
  });

  it('runs the whole loop — brief to accepted, exported result — through tools alone', async () => {
    const db = join(tempDir(), 'baton.db');
    const { client } = await connect(db);

    const lint = await ok<{ findings: Array<{ severity: string }> }>(client, 'lint_brief', { briefText: STORY });
    expect(lint.findings.filter((f) => f.severity === 'error')).toEqual([]);

    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    expect(explorationId).toMatch(/^x[0-9a-z]{6}$/u);

    const progress: Array<{ progress: number; message?: string | undefined }> = [];
    const first = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId }, { onprogress: (p) => progress.push(p) });
    expect(first.status).toBe('awaiting');
    expect(first.checkpoint?.reasons.length).toBeGreaterThan(0);
    expect(first.board.label).toContain('rehearsal');
    expect(progress.length).toBe(first.board.candidates);
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
    expect(progress[0]?.message).toMatch(/^candidate x.+quality \d/u);

    const board = await ok<OutcomeContent>(client, 'get_board', { explorationId });
    expect(board.checkpoint?.id).toBe(first.checkpoint?.id);
    const best = board.board.cards[0]?.candidateId ?? '';
    const candidate = await ok<{ candidate: { id: string; text: string } }>(client, 'show_candidate', { explorationId, candidate: shortId(best) });
    expect(candidate.candidate.id).toBe(best);
    expect(candidate.candidate.text.length).toBeGreaterThan(0);

    const deepened = await ok<OutcomeContent>(client, 'decide', { explorationId, action: 'deepen', candidates: [shortId(best)], feedback: 'make the ending quieter', reason: 'closest to the intent', run: true });
    expect(deepened.decision).toMatchObject({ action: 'deepen', reason: 'closest to the intent' });
    expect(deepened.board.candidates).toBeGreaterThan(first.board.candidates);

    let current = deepened;
    for (let i = 0; i < 10 && current.status !== 'awaiting'; i += 1) current = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    const chosen = current.board.cards[0]?.candidateId ?? '';
    const accepted = await ok<OutcomeContent>(client, 'decide', { explorationId, action: 'accept', candidates: [chosen], reason: 'the ending finally earns the first line' });
    expect(accepted.status).toBe('accepted');

    const exported = await call(client, 'export_result', { explorationId, format: 'json' });
    const doc = JSON.parse(textOf(exported)) as { result: { candidateId: string } | null; ledger: Array<{ decision: { action: string; reason?: string } | null }> };
    expect(doc.result?.candidateId).toBe(chosen);
    expect(doc.ledger.map((e) => e.decision?.reason)).toEqual(expect.arrayContaining(['closest to the intent', 'the ending finally earns the first line']));
    const markdown = textOf(await call(client, 'export_result', { explorationId }));
    expect(markdown).toContain('the ending finally earns the first line');

    // What the client did is in the database, as the CLI would have left it.
    const row = new Database(db, { readonly: true }).prepare('SELECT status FROM explorations WHERE id = ?').get(explorationId) as { status: string };
    expect(row.status).toBe('accepted');

    // An ended exploration reopens with more budget, the reason in the ledger; bad budget is a tool error.
    expect(await toolError(client, 'reopen', { explorationId, calls: -3, reason: 'more' })).toMatch(/calls/u);
    const reopened = await ok<OutcomeContent & { reopening: { from: string; budget: { calls?: number } } }>(client, 'reopen', { explorationId, calls: 20, reason: 'one more round on the quieter ending', run: false });
    expect(reopened.reopening).toMatchObject({ from: 'accepted', budget: { calls: 20 } });
    const after = new Database(db, { readonly: true }).prepare('SELECT status FROM explorations WHERE id = ?').get(explorationId) as { status: string };
    expect(after.status).toBe('running');
    const ledger = JSON.parse(textOf(await call(client, 'export_result', { explorationId, format: 'json' }))) as unknown;
    expect(JSON.stringify(ledger)).toContain('one more round on the quieter ending');
  });

  it('asks the person at a checkpoint through elicitation, and records their answer as the decision', async () => {
    const { client } = await connect(join(tempDir(), 'baton.db'), { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      expect(request.params.mode ?? 'form').toBe('form');
      return { action: 'accept', content: { action: 'continue', reason: 'let the other directions catch up' } };
    });
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    const result = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(`exploration ${explorationId}`);
    expect(asked[0]).toMatch(/quality \d/u);
    expect(result.decision).toMatchObject({ action: 'continue', reason: 'let the other directions catch up' });
    expect(result.status).toBe('running');
    const ledger = await client.readResource({ uri: `baton://explorations/${explorationId}/ledger` });
    expect((ledger.contents[0] as { text: string }).text).toContain('let the other directions catch up');
  });

  it('returns the board when the person declines to answer', async () => {
    const { client } = await connect(join(tempDir(), 'baton.db'), { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' }));
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    const result = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    expect(result.status).toBe('awaiting');
    expect(result.decision).toBeUndefined();
    expect(result.board.cards.length).toBeGreaterThan(0);
  });

  it('reads the board, ledger and a candidate by URI, and notifies subscribers when the exploration changes', async () => {
    const { client } = await connect(join(tempDir(), 'baton.db'));
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    const boardUri = `baton://explorations/${explorationId}/board`;
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await client.subscribeResource({ uri: boardUri });
    const outcome = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    await expect.poll(() => updated).toContain(boardUri);

    const read = await client.readResource({ uri: boardUri });
    const board = JSON.parse((read.contents[0] as { text: string }).text) as OutcomeContent;
    expect(board.checkpoint?.id).toBe(outcome.checkpoint?.id);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining([boardUri, `baton://explorations/${explorationId}/ledger`]));
    const card = outcome.board.cards[0]?.candidateId ?? '';
    const candidate = await client.readResource({ uri: `baton://explorations/${explorationId}/candidates/${card}` });
    expect(JSON.parse((candidate.contents[0] as { text: string }).text)).toMatchObject({ candidate: { id: card } });
    await expect(client.readResource({ uri: `baton://explorations/xnope00/board` })).rejects.toThrow(/no exploration "xnope00"/u);
  });

  it('offers the prompts: brief design with the template, board review with the board attached', async () => {
    const { client } = await connect(join(tempDir(), 'baton.db'));
    const write = await client.getPrompt({ name: 'write_brief', arguments: { goal: 'a bedtime story' } });
    const text = (write.messages[0]?.content as { text: string }).text;
    expect(text).toContain('a bedtime story');
    expect(text).toContain('criteria');
    expect(text).toContain('lint_brief');
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    await ok(client, 'run_to_checkpoint', { explorationId, ask: false });
    const review = await client.getPrompt({ name: 'review_board', arguments: { explorationId } });
    const attached = review.messages[1]?.content as { type: string; resource: { uri: string; text: string } };
    expect(attached.type).toBe('resource');
    expect(attached.resource.uri).toBe(`baton://explorations/${explorationId}/board`);
    expect(JSON.parse(attached.resource.text)).toMatchObject({ explorationId, status: 'awaiting' });
  });

  it('turns every tool\'s bad input into a tool error with a clear message, and keeps serving', async () => {
    const { client, stderr } = await connect(join(tempDir(), 'baton.db'));
    expect(await toolError(client, 'lint_brief', {})).toMatch(/briefText/u);
    expect(await toolError(client, 'start_exploration', { briefText: '---\nquestion: [unclosed\n---\n' })).toMatch(/^invalid_input: brief\.md:\d+/u);
    expect(await toolError(client, 'start_exploration', { briefText: STORY.replace('model: rehearsal', 'model: nosuch:model') })).toMatch(/nosuch/u);
    expect(await toolError(client, 'start_exploration', { briefText: STORY, seed: -1 })).toMatch(/seed/u);
    expect(await toolError(client, 'run_to_checkpoint', { explorationId: 'xnope00' })).toMatch(/^not_found: no exploration "xnope00"/u);
    expect(await toolError(client, 'get_board', { explorationId: 'xnope00' })).toMatch(/not_found/u);
    expect(await toolError(client, 'show_candidate', { explorationId: 'xnope00' })).toMatch(/candidate/u);
    expect(await toolError(client, 'export_result', { explorationId: 'xnope00', format: 'pdf' })).toMatch(/format/u);
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    await ok(client, 'run_to_checkpoint', { explorationId });
    expect(await toolError(client, 'show_candidate', { explorationId, candidate: 'c999' })).toMatch(/c999/u);
    expect(await toolError(client, 'decide', { explorationId, action: 'deepen', candidates: ['c1'] })).toMatch(/reason/u);
    expect(await toolError(client, 'decide', { explorationId, action: 'explode', reason: 'x' })).toMatch(/action/u);
    expect(await toolError(client, 'decide', { explorationId, action: 'combine', candidates: ['c1', 'c1'], reason: 'x' })).toMatch(/must differ/u);
    expect(await toolError(client, 'decide', { explorationId, action: 'redirect', reason: 'x' })).toMatch(/brief/u);
    // Still serving, and nothing was a bug.
    expect((await ok<OutcomeContent>(client, 'get_board', { explorationId })).status).toBe('awaiting');
    expect(stderr()).not.toMatch(/internal error|bug/u);
  });

  it('stops a run when the client cancels the call, and lets the next one explore on', async () => {
    const { client, stderr } = await connect(join(tempDir(), 'baton.db'), {}, ['--latency', '150', '--concurrency', '1']);
    const { explorationId } = await ok<{ explorationId: string }>(client, 'start_exploration', { briefText: STORY, seed: 7 });
    const controller = new AbortController();
    let seen = 0;
    const running = call(client, 'run_to_checkpoint', { explorationId }, {
      signal: controller.signal,
      onprogress: () => {
        seen += 1;
        controller.abort();
      },
    });
    await expect(running).rejects.toThrow(/abort/iu);
    expect(seen).toBeGreaterThanOrEqual(1);
    // The run stops after the move in flight: short of its checkpoint, with few candidates.
    let board = await ok<OutcomeContent & { running: boolean }>(client, 'get_board', { explorationId });
    for (let i = 0; i < 100 && board.running; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      board = await ok<OutcomeContent & { running: boolean }>(client, 'get_board', { explorationId });
    }
    expect(board.running).toBe(false);
    expect(board.status).toBe('running');
    expect(board.checkpoint).toBeNull();
    const stoppedAt = board.board.candidates;
    // The next call explores on from there to the checkpoint.
    const next = await ok<OutcomeContent>(client, 'run_to_checkpoint', { explorationId });
    expect(next.status).toBe('awaiting');
    expect(next.board.candidates).toBeGreaterThan(stoppedAt);
    expect(stderr()).not.toMatch(/internal error|bug/u);
  });

  it('refuses a brief that would run a module check, unless the server allows it', async () => {
    const withModule = STORY.replace(/criteria:\n/u, 'criteria:\n  - check: { module: ./check.mjs }\n');
    const { client } = await connect(join(tempDir(), 'baton.db'));
    expect(await toolError(client, 'start_exploration', { briefText: withModule })).toMatch(/may not run `module:` checks \(criteria\.0\.check\.module\).*--allow-modules/u);
    expect((await ok<{ explorations: unknown[] }>(client, 'list_explorations')).explorations).toEqual([]);
    // Allowed, the module resolves in the server's workspace (its working folder), as a brief file's would in its folder.
    const workspace = tempDir();
    writeFileSync(join(workspace, 'check.mjs'), 'export function check(text) { return { pass: text.length > 0 }; }\n');
    const allowed = await connect(join(workspace, 'baton.db'), {}, ['--allow-modules'], workspace);
    expect((await ok<{ explorationId: string }>(allowed.client, 'start_exploration', { briefText: withModule })).explorationId).toMatch(/^x/u);
  });
});
