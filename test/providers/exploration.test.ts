import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import type { CliResult } from '../support/cli.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import { FAKE_KEY } from './adapters.js';

/**
 * An exploration end to end against a loopback OpenAI endpoint: the writer and the judge are
 * `openai:gpt-4o-mini`, answered by aimock. The recognisable fake key must reach the wire and
 * nowhere else: not the database file, not its journal.
 */

const tmp = tempDirs();
let mock: LLMock;
let drafts = 0;

const JUDGE_ANSWER = {
  scores: [
    { criterion: 'evidence', score: 7, reason: 'Cites rerun counts per shard.' },
    { criterion: 'durable', score: 6, reason: 'Names an owner for the quarantine list.' },
    { criterion: 'sequenced', score: 8, reason: 'Cheapest step first.' },
  ],
  constraints: [{ index: 3, pass: true, reason: 'Nothing is deleted.' }],
  flags: [],
  critique: 'Say how the quarantine list is kept short.',
};

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1', auth: { apiKeys: [FAKE_KEY] } });
  mock.on({ systemMessage: 'You are a strict, fair judge' }, { content: JSON.stringify(JUDGE_ANSWER), usage: { prompt_tokens: 900, completion_tokens: 120 } });
  mock.on({ userMessage: /[\s\S]*/u }, () => {
    drafts += 1;
    return {
      content: `1. Quarantine each flaky test within a day of its third rerun (draft ${drafts}).\n2. Track reruns per shard weekly.\n3. Give the quarantine list an owner.`,
      usage: { prompt_tokens: 600, completion_tokens: 60 },
    };
  });
  await mock.start();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await mock.stop();
  tmp.cleanup();
});

describe('an exploration against a loopback OpenAI endpoint', () => {
  it('runs to a checkpoint and never writes the key to the database', async () => {
    const dir = tmp.make('baton-openai-');
    const db = join(dir, 'baton.db');
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1` };
    // Only Baton's own env carries the key: the process environment must not be needed.
    for (const name of Object.keys(env)) vi.stubEnv(name, undefined);
    const baton = Baton.open({ db, cwd: dir, env });
    try {
      const id = await baton.start(EXAMPLE_BRIEFS.engineering, { model: 'openai:gpt-4o-mini', judge: 'openai:gpt-4o-mini', seed: 11 });
      const outcome = await baton.run(id);
      expect(outcome.checkpoint).not.toBeNull();
      expect(outcome.board.cards.length).toBeGreaterThan(0);
    } finally {
      await baton.close();
    }

    const requests = mock.getRequests();
    const paths = new Set(requests.map((r) => r.path));
    expect([...paths]).toEqual(['/v1/chat/completions']);
    expect(requests.every((r) => r.response.status === 200)).toBe(true);
    expect(requests.some((r) => JSON.stringify(r.body).includes('You are a strict, fair judge'))).toBe(true);

    // The database (and any journal beside it) holds the exploration, but not the key.
    const files = readdirSync(dir);
    expect(files).toContain('baton.db');
    const all = Buffer.concat(files.map((file) => readFileSync(join(dir, file))));
    expect(all.includes('openai:gpt-4o-mini')).toBe(true);
    expect(all.includes('Quarantine each flaky test')).toBe(true);
    expect(all.includes(FAKE_KEY)).toBe(false);
  });

  it('keeps the key out of everything the CLI prints, exports and stores', async () => {
    const dir = tmp.make('baton-openai-cli-');
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1`, BATON_DB: join(dir, 'baton.db') };
    const outputs: string[] = [];
    const cli = async (args: string[]): Promise<CliResult> => {
      const result = await runCli(args, { cwd: dir, env });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const run = await cli(['run', EXAMPLE_BRIEFS.engineering, '--model', 'openai:gpt-4o-mini', '--json', '--seed', '5']);
    expect(run.code, run.stderr).toBe(10);
    const { exploration, board } = JSON.parse(run.stdout) as { exploration: string; board: { cards: Array<{ candidateId: string }> } };
    const best = board.cards[0]?.candidateId as string;
    expect((await cli(['decide', exploration, 'accept', best, '--why', 'cheapest first step', '--json'])).code).toBe(0);
    expect((await cli(['export', exploration, '--format', 'md', '-o', 'result.md'])).code).toBe(0);
    expect((await cli(['export', exploration, '--format', 'json', '-o', 'result.json'])).code).toBe(0);
    expect((await cli(['show', exploration, '--json'])).code).toBe(0);
    expect((await cli(['models', '--json'])).code).toBe(0);

    const files = readdirSync(dir).map((file) => readFileSync(join(dir, file)));
    const everything = Buffer.concat([...files, ...outputs.map((text) => Buffer.from(text))]);
    expect(everything.includes('cheapest first step')).toBe(true);
    expect(everything.includes(FAKE_KEY)).toBe(false);
  });

  it('keeps a key that comes from the user config file out of everything too', async () => {
    const dir = tmp.make('baton-openai-config-');
    const home = tmp.make('baton-openai-config-home-');
    const config = join(home, 'config.yaml');
    writeFileSync(config, `providers:\n  openai:\n    apiKey: ${FAKE_KEY}\n    baseUrl: ${mock.url}/v1\n`);
    chmodSync(config, 0o600);
    // Neither the key nor the base URL is in the environment: both come from the file.
    const env = { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, BATON_CONFIG: config, BATON_DB: join(dir, 'baton.db') };
    const outputs: string[] = [];
    const cli = async (args: string[]): Promise<CliResult> => {
      const result = await runCli(args, { cwd: dir, env });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const run = await cli(['run', EXAMPLE_BRIEFS.engineering, '--model', 'openai:gpt-4o-mini', '--json', '--seed', '6']);
    expect(run.code, run.stderr).toBe(10);
    const { exploration, board } = JSON.parse(run.stdout) as { exploration: string; board: { cards: Array<{ candidateId: string }> } };
    expect((await cli(['decide', exploration, 'accept', board.cards[0]?.candidateId as string, '--why', 'from the config', '--json'])).code).toBe(0);
    expect((await cli(['export', exploration, '--format', 'json', '-o', 'result.json'])).code).toBe(0);
    const models = await cli(['models']);
    expect(models.stdout).toContain(`from ${config}`);
    expect((await cli(['doctor', '--json'])).code).toBe(0);

    const files = readdirSync(dir).map((file) => readFileSync(join(dir, file)));
    const everything = Buffer.concat([...files, ...outputs.map((text) => Buffer.from(text))]);
    expect(everything.includes('from the config')).toBe(true);
    expect(everything.includes(FAKE_KEY)).toBe(false);
  });
});
