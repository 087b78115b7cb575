import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { isBatonError } from '../../src/errors.js';
import { pricingFor } from '../../src/models/pricing.js';
import { resolveModel } from '../../src/models/registry.js';
import { FAKE_KEY } from './adapters.js';

function refusal(id: string, env: Record<string, string> = {}): string {
  try {
    resolveModel(id, { seed: 1, env });
  } catch (error) {
    if (isBatonError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error(`${id} resolved`);
}

describe('the model registry', () => {
  it('never lets a bare model id through to a provider', () => {
    expect(refusal('gpt-4o', { OPENAI_API_KEY: FAKE_KEY })).toBe('invalid_input: model "gpt-4o": unknown provider "gpt-4o" — did you mean "openai:gpt-4o"?');
    expect(refusal('openia:gpt-4o')).toContain('did you mean "openai"?');
  });

  it('asks for a model name after the provider', () => {
    expect(refusal('openai', { OPENAI_API_KEY: FAKE_KEY })).toContain('e.g. "openai:gpt-4o-mini"');
  });

  it('asks for the base URL of a generic OpenAI-compatible server', () => {
    expect(refusal('openai-compatible:m')).toContain('set BATON_OPENAI_COMPATIBLE_BASE_URL');
  });

  it('prices known models from the table and unknown ones at 0, with a note', () => {
    expect(resolveModel('openai:gpt-4o-mini', { seed: 1, env: { OPENAI_API_KEY: FAKE_KEY } }).info.pricing).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(resolveModel('ollama:llama3.2', { seed: 1, env: {} }).info.pricing).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
    const unknown = pricingFor('openai:gpt-9');
    expect(unknown).toMatchObject({ known: false, pricing: { inputPerMTok: 0, outputPerMTok: 0 } });
    expect(unknown.note).toContain('USD budget');
  });
});

describe('baton models', () => {
  async function models(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
    let out = '';
    const io: Io = { out: (t) => (out += t), err: (t) => (out += t), interactive: false, env, cwd: process.cwd() };
    const code = await main(['models', ...args], io);
    return { code, out };
  }

  it('shows which variables are set, never their values', async () => {
    const { code, out } = await models([], { OPENAI_API_KEY: FAKE_KEY, OLLAMA_HOST: 'gpu-box:11434' });
    expect(code).toBe(0);
    expect(out).toContain('OPENAI_API_KEY is set');
    expect(out).toContain('ANTHROPIC_API_KEY is not set (required)');
    expect(out).toContain('http://gpu-box:11434/v1 (from OLLAMA_HOST)');
    expect(out).toContain('https://api.openai.com/v1 (default');
    expect(out).not.toContain(FAKE_KEY);
  });

  it('prints JSON with --json', async () => {
    const { code, out } = await models(['--json'], { ANTHROPIC_API_KEY: FAKE_KEY, BATON_OPENAI_COMPATIBLE_BASE_URL: 'http://user:pw@127.0.0.1:8000/v1' });
    expect(code).toBe(0);
    expect(out).not.toContain(FAKE_KEY);
    expect(out).not.toContain('pw@');
    const { providers } = JSON.parse(out) as { providers: { id: string; ready: boolean; key: { present: boolean } | null }[] };
    expect(providers.map((p) => p.id)).toEqual(['rehearsal', 'openai', 'anthropic', 'ollama', 'openai-compatible']);
    expect(providers.find((p) => p.id === 'anthropic')).toMatchObject({ ready: true, key: { present: true } });
    expect(providers.find((p) => p.id === 'openai')).toMatchObject({ ready: false, key: { present: false } });
    expect(providers.find((p) => p.id === 'openai-compatible')?.ready).toBe(true);
  });
});
