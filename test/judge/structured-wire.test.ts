import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { tempDirs } from '../support/crash.js';
import type { SchemaServer } from './schema-server.js';
import { requestedSchema, startSchemaServer } from './schema-server.js';

/**
 * Structured answers at the wire: each provider's judge requests carry the judge's JSON schema in
 * that provider's structured-output form, and a server that answers JSON only when asked for a
 * schema gives a run whose judge answers are all valid. With the provider's structured outputs
 * turned off, the same server's prose answers score nothing: every judged criterion is unscored
 * and flagged — never a 0.
 */

const tmp = tempDirs();
let server: SchemaServer;

beforeAll(async () => {
  server = await startSchemaServer();
});

afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

const KEY = 'sk-baton-FAKE-wire';

const PROVIDERS = [
  { model: 'openai:gpt-4o-mini', env: (url: string) => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${url}/v1` }) },
  { model: 'anthropic:claude-haiku-4-5', env: (url: string) => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `${url}/v1` }) },
  { model: 'anthropic:claude-3-haiku-20240307', env: (url: string) => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `${url}/v1` }) },
  { model: 'ollama:llama3.2', env: (url: string) => ({ OLLAMA_HOST: url.replace(/^http:\/\//u, '') }) },
  { model: 'openai-compatible:qwen2.5-7b-instruct', env: (url: string) => ({ BATON_OPENAI_COMPATIBLE_BASE_URL: `${url}/v1`, BATON_OPENAI_COMPATIBLE_API_KEY: KEY }) },
];

async function judgedRun(model: string, env: Record<string, string>, concurrency = 2): Promise<{ answers: (string | null)[]; baton: Baton; id: string }> {
  const dir = tmp.make('baton-wire-');
  const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, concurrency, env: { ...env, HOME: dir } });
  const id = await baton.start(EXAMPLE_BRIEFS.engineering, { model, seed: 3 });
  await baton.run(id, { maxWaves: 1 });
  const answers = (await baton.store.listCalls(id)).filter((c) => c.purpose === 'judge').map((c) => c.answer);
  return { answers, baton, id };
}

describe('judging through structured outputs, at the wire', () => {
  for (const provider of PROVIDERS) {
    it(`${provider.model}: the judge request carries the schema and every answer is valid`, async () => {
      const before = server.judgeRequests().length;
      const { answers, baton } = await judgedRun(provider.model, provider.env(server.url));
      try {
        const sent = server.judgeRequests().slice(before);
        expect(sent.length).toBeGreaterThan(0);
        for (const request of sent) {
          const schema = requestedSchema(request.body);
          expect(schema, JSON.stringify(request.body).slice(0, 400)).toBeDefined();
          type Node = { properties?: Record<string, Node>; items?: Node; enum?: unknown[] };
          const criterion = (schema as Node | undefined)?.properties?.scores?.items?.properties?.criterion;
          expect(criterion?.enum).toEqual(['evidence', 'durable', 'sequenced']);
        }
        expect(answers.length).toBe(sent.length);
        expect(answers.every((a) => a === 'valid')).toBe(true);
      } finally {
        await baton.close();
      }
    });
  }

  it('without structured outputs the prose answers score nothing: unscored and flagged, never 0', async () => {
    const provider = PROVIDERS[4] as (typeof PROVIDERS)[number];
    const before = server.judgeRequests().length;
    const { answers, baton, id } = await judgedRun(provider.model, { ...provider.env(server.url), BATON_OPENAI_COMPATIBLE_STRUCTURED_OUTPUTS: 'false' }, 1);
    try {
      const sent = server.judgeRequests().slice(before);
      expect(sent.every((r) => requestedSchema(r.body) === undefined)).toBe(true);
      expect(answers.every((a) => a === 'invalid')).toBe(true);
      // Each candidate was asked three times, each time with a different seed and the problem stated.
      const seeds = sent.map((r) => r.body.seed);
      expect(new Set(seeds.slice(0, 3)).size).toBe(3);
      expect(JSON.stringify(sent[1]?.body.messages)).toContain('Your previous answer could not be used');
      const judgments = await baton.store.listJudgments(id);
      expect(judgments.length).toBeGreaterThan(0);
      for (const judgment of judgments) {
        const judged = judgment.scores.filter((s) => s.by === 'judge');
        expect(judged.map((s) => s.score)).toEqual([null, null, null]);
        expect(judgment.flags.filter((f) => f.kind === 'unclear').length).toBeGreaterThanOrEqual(3);
      }
      const board = (await baton.board(id)).board;
      expect(board.cards.every((c) => c.scores.filter((s) => s.by === 'judge').every((s) => s.score === null))).toBe(true);
    } finally {
      await baton.close();
    }
  });
});
