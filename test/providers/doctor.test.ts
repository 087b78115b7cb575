import { createServer } from 'node:net';
import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { concurrencyVariable } from '../../src/models/concurrency.js';
import { PROVIDER_SPECS } from '../../src/models/providers.js';
import type { CliResult } from '../support/cli.js';
import { describeResult, jsonOf, runCli, tempDir } from '../support/cli.js';
import { FAKE_KEY } from './adapters.js';

/**
 * `baton doctor` through the real binary, against aimock on 127.0.0.1: one tiny request per
 * configured provider, a plain-words explanation of what fails, exit 3 when anything does, and
 * never a key on stdout or stderr.
 */

interface Check {
  provider: string;
  model: string | null;
  status: 'ok' | 'failed' | 'skipped';
  problem: string | null;
  message: string;
}

let mock: LLMock;
/** Takes no key, as Ollama and local OpenAI-compatible servers do. */
let keyless: LLMock;
let closedPort: number;

/** Every variable a provider reads, removed: the machine's own keys must never be probed. */
const CLEAN: Record<string, undefined> = Object.fromEntries(
  PROVIDER_SPECS.flatMap((spec) => [spec.baseUrl.variable, ...(spec.key ? [spec.key.variable] : []), concurrencyVariable(spec.id)]).map((name) => [name, undefined]),
);

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1', auth: { apiKeys: [FAKE_KEY] } });
  mock.on({ model: 'gpt-nope' }, { error: { message: 'The model `gpt-nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' }, status: 404 });
  mock.on({ model: 'gpt-busy' }, { error: { message: 'Rate limit reached', type: 'rate_limit_error' }, status: 429, retryAfter: 20 });
  mock.on({ userMessage: 'Reply with the single word OK.' }, { content: 'OK' });
  await mock.start();
  keyless = new LLMock({ port: 0, host: '127.0.0.1' });
  keyless.on({ userMessage: 'Reply with the single word OK.' }, { content: 'OK' });
  await keyless.start();
  // A port that was just free: nothing listens on it.
  closedPort = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 9));
    });
  });
});

afterAll(async () => {
  await mock.stop();
  await keyless.stop();
});

async function doctor(args: string[], env: Record<string, string>): Promise<CliResult & { checks: Check[] }> {
  const result = await runCli(['doctor', '--json', ...args], { cwd: tempDir('baton-doctor-'), env: { ...CLEAN, ...env } });
  expect(result.stdout + result.stderr).not.toContain(FAKE_KEY);
  const { providers } = jsonOf(result) as { providers: Check[] };
  return { ...result, checks: providers };
}

function check(checks: Check[], provider: string): Check {
  const found = checks.find((c) => c.provider === provider);
  if (!found) throw new Error(`no check for ${provider}: ${JSON.stringify(checks)}`);
  return found;
}

describe('baton doctor (the binary)', () => {
  it('exits 0 when every configured provider answers, and skips the ones nobody configured', async () => {
    const result = await doctor([], {
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: `${mock.url}/v1`,
      ANTHROPIC_API_KEY: FAKE_KEY,
      ANTHROPIC_BASE_URL: `${mock.url}/v1`,
    });
    expect(result.code, describeResult(result)).toBe(0);
    expect(check(result.checks, 'openai')).toMatchObject({ status: 'ok', model: 'openai:gpt-4o-mini' });
    expect(check(result.checks, 'anthropic')).toMatchObject({ status: 'ok', model: 'anthropic:claude-haiku-4-5' });
    // Ollama has a default address, but nobody set OLLAMA_HOST: its port is not probed.
    expect(check(result.checks, 'ollama')).toMatchObject({ status: 'skipped', model: null });
    expect(check(result.checks, 'ollama').message).toContain('OLLAMA_HOST is not set');
    expect(check(result.checks, 'openai-compatible').status).toBe('skipped');
  });

  it('checks a named model of a keyless provider, and a generic server with its model', async () => {
    const result = await doctor(['--model', 'ollama:llama3.2', '--model', 'openai-compatible:qwen2.5'], {
      OLLAMA_HOST: keyless.url.replace(/^http:\/\//u, ''),
      BATON_OPENAI_COMPATIBLE_BASE_URL: `${keyless.url}/v1`,
    });
    expect(result.code, describeResult(result)).toBe(0);
    expect(check(result.checks, 'ollama')).toMatchObject({ status: 'ok', model: 'ollama:llama3.2' });
    expect(check(result.checks, 'openai-compatible')).toMatchObject({ status: 'ok', model: 'openai-compatible:qwen2.5' });
    expect(check(result.checks, 'openai').status).toBe('skipped');
  });

  it('exits 3 when a base URL points where nothing listens, and says it cannot reach it', async () => {
    const result = await doctor([], { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `http://127.0.0.1:${closedPort}/v1` });
    expect(result.code, describeResult(result)).toBe(3);
    const openai = check(result.checks, 'openai');
    expect(openai).toMatchObject({ status: 'failed', problem: 'connection' });
    expect(openai.message).toContain(`cannot reach http://127.0.0.1:${closedPort}/v1: connection refused`);
    expect(openai.message).toContain('OPENAI_BASE_URL');
  });

  it('exits 3 on a refused key, explaining that the key is wrong without showing it', async () => {
    const wrongKey = 'sk-baton-WRONG-77aa01';
    const result = await doctor([], { ANTHROPIC_API_KEY: wrongKey, ANTHROPIC_BASE_URL: `${mock.url}/v1` });
    expect(result.code, describeResult(result)).toBe(3);
    expect(check(result.checks, 'anthropic')).toMatchObject({ status: 'failed', problem: 'auth' });
    expect(check(result.checks, 'anthropic').message).toContain('the key in ANTHROPIC_API_KEY was refused (HTTP 401)');
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
  });
});

describe('baton doctor (explanations)', () => {
  async function doctorText(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
    let out = '';
    const io: Io = { out: (t) => (out += t), err: (t) => (out += t), interactive: false, env, cwd: process.cwd() };
    const code = await main(['doctor', ...args], io);
    return { code, out };
  }

  it('explains an unknown model, a rate limit and a missing key in plain words', async () => {
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: `${mock.url}/v1` };
    const { code, out } = await doctorText(['--model', 'openai:gpt-nope', '--model', 'openai:gpt-busy', '--model', 'anthropic:claude-haiku-4-5'], env);
    expect(code).toBe(3);
    expect(out).toContain('unknown model "gpt-nope"');
    expect(out).toContain('rate limited (HTTP 429)');
    expect(out).toContain('set ANTHROPIC_API_KEY');
    expect(out).toContain('3 of 3 checked providers failed.');
    expect(out).not.toContain(FAKE_KEY);
  });

  it('says so when nothing is configured, and exits 0', async () => {
    const { code, out } = await doctorText([], {});
    expect(code).toBe(0);
    expect(out).toContain('No provider is configured apart from the offline rehearsal model');
  });
});
