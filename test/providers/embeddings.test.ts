import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionRequest } from '@copilotkit/aimock';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import { ADAPTERS, FAKE_KEY } from './adapters.js';
import { startLoopback } from './loopback.js';

/**
 * `--embed provider:model`: novelty from the provider's embeddings (aimock's `/v1/embeddings`),
 * through the real binary and SQLite file. Each candidate is embedded once, as a recorded call
 * with its usage; resuming after an outage pays for no embedding twice; a provider without
 * embeddings is refused before anything runs.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

/** A small deterministic vector of the words in a text: candidates that share words are close. */
function vectorOf(text: string): number[] {
  const vector = new Array<number>(16).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/gu) ?? []) {
    let h = 0;
    for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) % 16;
    vector[h] = (vector[h] ?? 0) + 1;
  }
  return vector;
}

function rows(db: string): Array<{ key: string; status: string; input_tokens: number; output: string }> {
  const sqlite = new Database(db, { readonly: true });
  try {
    // A call's output lives in call_outputs (calls.output only for rows older than that table).
    const sql = `SELECT c.key, c.status, c.input_tokens, COALESCE(o.output, c.output) AS output
                 FROM calls c LEFT JOIN call_outputs o ON o.key = c.key WHERE c.key LIKE '%:embed%' ORDER BY c.started_at`;
    return sqlite.prepare(sql).all() as Array<{
      key: string;
      status: string;
      input_tokens: number;
      output: string;
    }>;
  } finally {
    sqlite.close();
  }
}

const EMBEDDING_MODEL: Record<string, string> = {
  openai: 'openai:text-embedding-3-small',
  ollama: 'ollama:nomic-embed-text',
  'openai-compatible': 'openai-compatible:bge-small',
};

for (const adapter of ADAPTERS.filter((a) => EMBEDDING_MODEL[a.provider] !== undefined)) {
  const embed = EMBEDDING_MODEL[adapter.provider] as string;
  describe(`provider embeddings from ${adapter.provider}`, () => {
    it('embeds each candidate once, as a recorded call, and never twice across a resume', { timeout: 120_000 }, async () => {
      const loopback = await startLoopback(adapter);
      loopback.mock.onEmbedding(/[\s\S]*/u, (req: ChatCompletionRequest) => ({ embedding: vectorOf(req.embeddingInput ?? '') }));
      try {
        const dir = tmp.make('baton-embed-');
        const home = tmp.make('baton-embed-home-');
        const config = join(home, 'config.yaml');
        writeFileSync(config, 'retry:\n  maxAttempts: 1\n');
        const db = join(dir, 'baton.db');
        const env = { ...adapter.env(loopback.mock), BATON_DB: db, BATON_CONFIG: config, HOME: home };
        // The provider goes down mid-run, then comes back.
        loopback.outageFrom = 7;
        const down = await runCli(['run', EXAMPLE_BRIEFS.engineering, '--model', adapter.modelId, '--embed', embed, '--seed', '2', '--concurrency', '1'], { cwd: dir, env });
        expect(down.code, down.stderr).toBe(3);
        const id = /Started exploration (x[0-9a-z]+)/u.exec(down.stderr)?.[1] as string;
        const before = rows(db).filter((r) => r.status === 'done');
        expect(before.length, down.stderr).toBeGreaterThan(0);

        loopback.outageFrom = null;
        loopback.mock.clearRequests();
        const resumed = await runCli(['run', id, '--json'], { cwd: dir, env });
        expect(resumed.code, resumed.stderr).toBe(10);

        const embedded = rows(db).filter((r) => r.status === 'done');
        const keys = embedded.map((r) => r.key.replace(/~\d+$/u, ''));
        // One embedding per candidate, none repeated, each with its tokens (aimock reports none: Baton counts its estimate).
        expect(new Set(keys).size).toBe(keys.length);
        expect(embedded.every((r) => r.input_tokens > 0)).toBe(true);
        expect(JSON.parse(embedded[0]?.output ?? '[]')).toHaveLength(16);
        const sqlite = new Database(db, { readonly: true });
        const candidates = (sqlite.prepare('SELECT id FROM candidates WHERE exploration_id = ?').all(id) as Array<{ id: string }>).map((c) => c.id);
        const planned = (sqlite.prepare("SELECT payload_json FROM events WHERE exploration_id = ? AND type = 'move.planned'").all(id) as Array<{ payload_json: string }>).map(
          (e) => (JSON.parse(e.payload_json) as { move: { id: string } }).move.id,
        );
        sqlite.close();
        // Each candidate's text was embedded once; the others embedded are the moves still in flight
        // at the checkpoint (they finished their calls and are folded after the decision).
        const embeddedMoves = new Set(keys.map((k) => k.replace(/:embed$/u, '')));
        for (const candidate of candidates) expect(embeddedMoves.has(candidate.replace(/\.c(\d+)$/u, '.m$1'))).toBe(true);
        for (const move of embeddedMoves) expect(planned).toContain(move);
        expect(embedded.length).toBeGreaterThanOrEqual(candidates.length);
        // After the outage, only embeddings not made before were asked for.
        const afterOutage = loopback.requests().filter((r) => r.path.endsWith('/embeddings'));
        expect(afterOutage).toHaveLength(embedded.length - before.length);
        expect(JSON.stringify(loopback.requests().map((r) => r.body))).not.toContain(FAKE_KEY);
      } finally {
        await loopback.mock.stop();
      }
    });
  });
}

describe('a provider without embeddings', () => {
  it('is refused before anything runs, naming those that have them', async () => {
    const dir = tmp.make('baton-embed-');
    const result = await runCli(['run', EXAMPLE_BRIEFS.engineering, '--embed', 'anthropic:claude-haiku-4-5'], {
      cwd: dir,
      env: { ANTHROPIC_API_KEY: FAKE_KEY, BATON_DB: join(dir, 'baton.db') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('anthropic has no embedding models');
    expect(result.stderr).toContain('openai:text-embedding-3-small');
    expect(result.stderr).not.toContain('    at ');
  });
});
