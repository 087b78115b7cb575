import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { describeResult, jsonOf, runCli, tempDir } from '../support/cli.js';
import { JUDGE_ANSWER, JUDGE_SYSTEM_MARK } from './loopback.js';

/**
 * A provider that answers without any usage (as some OpenAI-compatible servers do): Baton
 * estimates the tokens from the text, prices them, says "estimated" in the spend, and the token
 * cap binds (#13, item 5). Then the exploration is read — board, show, export, ls — with no
 * provider key or base URL set at all (#13, item 8).
 */

let server: Server;
let url = '';
let requests = 0;
const TOKEN_CAP = 30_000;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests += 1;
      const judging = body.includes(JUDGE_SYSTEM_MARK);
      const content = judging ? JSON.stringify(JUDGE_ANSWER) : `1. Quarantine each flaky test after its third rerun (draft ${requests}).\n2. Track reruns per shard, and review the list weekly.`;
      res.writeHead(200, { 'content-type': 'application/json' });
      // No `usage` at all.
      res.end(JSON.stringify({ id: `c${requests}`, object: 'chat.completion', created: 1, model: 'house-model', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => {
  server.close();
});

describe('a provider that reports no usage', () => {
  it('is counted by estimate, says so, and its token cap binds; reading the exploration needs no key', { timeout: 300_000 }, async () => {
    const dir = tempDir('baton-no-usage-');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'pricing:\n  openai:house-model:\n    inputPerMTok: 1\n    outputPerMTok: 10\n');
    const brief = join(dir, 'brief.md');
    writeFileSync(brief, readFileSync(EXAMPLE_BRIEFS.engineering, 'utf8').replace('budget:\n  calls: 100', `budget:\n  tokens: ${TOKEN_CAP}`));
    const db = join(dir, 'baton.db');
    const env = { OPENAI_API_KEY: 'sk-test-no-usage', OPENAI_BASE_URL: url, BATON_DB: db, BATON_CONFIG: config, HOME: dir };

    let result = await runCli(['run', brief, '--model', 'openai:house-model', '--seed', '3', '--json'], { cwd: dir, env });
    const id = (jsonOf(result) as { exploration: string }).exploration;
    for (let round = 0; round < 15 && result.code === 10; round += 1) {
      result = await runCli(['decide', id, 'continue', '--why', 'go on', '--json'], { cwd: dir, env });
    }
    expect(result.code, describeResult(result)).toBe(4);

    const sqlite = new Database(db, { readonly: true });
    try {
      const row = sqlite.prepare('SELECT COUNT(*) AS calls, SUM(input_tokens + output_tokens) AS tokens, SUM(usd) AS usd, SUM(usage_estimated) AS estimated FROM calls WHERE exploration_id = ?').get(id) as {
        calls: number;
        tokens: number;
        usd: number;
        estimated: number;
      };
      expect(row.calls).toBeGreaterThan(2);
      expect(row.estimated).toBe(row.calls);
      expect(row.tokens).toBeGreaterThan(0);
      expect(row.tokens).toBeLessThanOrEqual(TOKEN_CAP);
      expect(row.usd).toBeGreaterThan(0);
    } finally {
      sqlite.close();
    }

    // Reading: no key, no base URL, nothing of the provider's in the environment.
    const bare = { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, BATON_DB: db, BATON_CONFIG: join(dir, 'none.yaml'), HOME: dir };
    const board = await runCli(['board', id], { cwd: dir, env: bare });
    expect([0, 4, 10], describeResult(board)).toContain(board.code);
    expect(board.stdout).toMatch(/estimated: \d+ call\(s\) reported no usage/u);
    const boardJson = await runCli(['board', id, '--json'], { cwd: dir, env: bare });
    expect((jsonOf(boardJson) as { board: { spend: { estimatedCalls: number } } }).board.spend.estimatedCalls).toBeGreaterThan(2);
    for (const args of [['show', id], ['export', id, '--format', 'md'], ['export', id, '--format', 'json'], ['ls']]) {
      const read = await runCli(args, { cwd: dir, env: bare });
      expect(read.code, `${args.join(' ')}: ${describeResult(read)}`).toBe(0);
      expect(read.stderr).not.toContain('OPENAI_API_KEY');
    }
  });
});
