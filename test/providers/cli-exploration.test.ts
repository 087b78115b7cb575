import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import type { CliResult } from '../support/cli.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';
import { ADAPTERS, FAKE_KEY } from './adapters.js';
import type { FaultName } from './loopback.js';
import { startLoopback } from './loopback.js';

/**
 * One suite, every adapter: whole explorations through the real `baton` binary and a real SQLite
 * file, against aimock speaking OpenAI, Anthropic, Ollama and a generic OpenAI-compatible server
 * on 127.0.0.1. The person's config file (outside the project) shortens the per-call timeout to
 * 1 s so that a timeout costs a second, not five minutes.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

/** Every fault type, each on a request of its own; the request after a fault succeeds. */
// Packed into the first requests: the run raises its first checkpoint after about 20 of them.
const EVERY_FAULT = new Map<number, FaultName>([
  [2, 'rate_limited'],
  [4, 'server_500'],
  [6, 'server_503'],
  [8, 'timeout'],
  [10, 'reset'],
  [12, 'truncated'],
  [14, 'refusal'],
  [16, 'empty'],
  [17, 'malformed_judge'],
  [18, 'malformed_judge'],
  [19, 'malformed_judge'],
  [20, 'malformed_judge'],
]);

interface Workspace {
  dir: string;
  db: string;
  cli(args: string[]): Promise<CliResult>;
  outputs: string[];
}

function workspace(env: Record<string, string>, retry = 'retry:\n  timeoutSeconds: 1\n'): Workspace {
  const dir = tmp.make('baton-e2e-');
  const home = tmp.make('baton-e2e-home-');
  const config = join(home, 'config.yaml');
  writeFileSync(config, retry);
  const db = join(dir, 'baton.db');
  const outputs: string[] = [];
  const base = { ...env, BATON_DB: db, BATON_CONFIG: config, HOME: home };
  return {
    dir,
    db,
    outputs,
    cli: async (args) => {
      const result = await runCli(args, { cwd: dir, env: base });
      outputs.push(result.stdout, result.stderr);
      return result;
    },
  };
}

interface CallRow {
  key: string;
  status: string;
  purpose: string;
  answer: string | null;
}

function callRows(db: string): CallRow[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    return sqlite.prepare('SELECT key, status, purpose, answer FROM calls ORDER BY started_at').all() as CallRow[];
  } finally {
    sqlite.close();
  }
}

interface RunJson {
  exploration: string;
  status: string;
  checkpoint: { reasons: Array<{ kind: string }> } | null;
  board: { cards: Array<{ candidateId: string }>; spend: { calls: number } };
}

for (const adapter of ADAPTERS) {
  describe(`an exploration through the CLI against loopback ${adapter.provider}`, () => {
    const run = ['--model', adapter.modelId, '--seed', '5', '--concurrency', '2', '--json'];

    it('runs to a checkpoint, takes a decision, and exports the accepted result', { timeout: 120_000 }, async () => {
      const loopback = await startLoopback(adapter);
      try {
        const ws = workspace(adapter.env(loopback.mock));
        const first = await ws.cli(['run', EXAMPLE_BRIEFS.engineering, ...run]);
        expect(first.code, first.stderr).toBe(10);
        const outcome = JSON.parse(first.stdout) as RunJson;
        expect(outcome.checkpoint?.reasons.length).toBeGreaterThan(0);
        const best = outcome.board.cards[0]?.candidateId as string;
        expect(best).toBeTruthy();

        const accepted = await ws.cli(['decide', outcome.exploration, 'accept', best, '--why', 'the cheapest first step', '--json']);
        expect(accepted.code, accepted.stderr).toBe(0);
        const exported = await ws.cli(['export', outcome.exploration, '--format', 'md', '-o', 'result.md']);
        expect(exported.code, exported.stderr).toBe(0);
        const markdown = readFileSync(join(ws.dir, 'result.md'), 'utf8');
        expect(markdown).toContain('Quarantine each flaky test');
        expect(markdown).toContain('the cheapest first step');
        expect(markdown).toContain(adapter.modelId);

        // Every call went over the adapter's own wire format, and every call is on the record.
        const requests = loopback.requests();
        expect(requests.every((r) => r.response.status === 200)).toBe(true);
        expect(new Set(requests.map((r) => r.path))).toEqual(new Set([adapter.provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions']));
        const rows = callRows(ws.db);
        expect(rows.filter((r) => r.status === 'done')).toHaveLength(requests.length);
        // The key went on the wire only: not into the database, an export or any output.
        const files = readdirSync(ws.dir).map((file) => readFileSync(join(ws.dir, file)));
        expect(Buffer.concat([...files, Buffer.from(ws.outputs.join('\n'))]).includes(FAKE_KEY)).toBe(false);
      } finally {
        await loopback.mock.stop();
      }
    });

    it('survives every fault type, retrying each and paying once per call', { timeout: 180_000 }, async () => {
      const loopback = await startLoopback(adapter, EVERY_FAULT);
      try {
        const ws = workspace(adapter.env(loopback.mock));
        const result = await ws.cli(['run', EXAMPLE_BRIEFS.engineering, ...run]);
        expect(result.code, result.stderr).toBe(10);
        expect(new Set(loopback.played.values())).toEqual(new Set(EVERY_FAULT.values()));

        const requests = loopback.requests();
        const statuses = requests.map((r) => r.response.status);
        expect(statuses).toContain(429);
        expect(statuses).toContain(500);
        expect(statuses).toContain(503);
        // Each fault cost one extra request (the judge's cut-off answers cost a recorded re-ask).
        const rows = callRows(ws.db);
        const done = rows.filter((r) => r.status === 'done');
        expect(rows.every((r) => r.status === 'done')).toBe(true);
        const played = [...loopback.played.values()];
        const transportFaults = played.filter((f) => f !== 'malformed_judge').length;
        expect(loopback.numbered()).toBe(done.length + transportFaults);
        // The judge's cut-off answers lack criteria even once repaired: each is recorded invalid and
        // asked again (a recorded, paid call), never turned into a score of 0.
        const judged = done.filter((r) => r.purpose === 'judge');
        expect(judged.filter((r) => r.answer === 'invalid')).toHaveLength(played.filter((f) => f === 'malformed_judge').length);
        expect(judged.every((r) => r.answer === 'valid' || r.answer === 'invalid')).toBe(true);
      } finally {
        await loopback.mock.stop();
      }
    });

    it('stops on an outage with exit 3 and a plain message, then resumes without paying twice', { timeout: 180_000 }, async () => {
      const loopback = await startLoopback(adapter);
      try {
        const ws = workspace(adapter.env(loopback.mock), 'retry:\n  timeoutSeconds: 1\n  maxAttempts: 2\n');
        // The provider goes down in the middle of the first waves.
        loopback.outageFrom = 9;
        const down = await ws.cli(['run', EXAMPLE_BRIEFS.engineering, ...run]);
        expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(3);
        expect(down.stderr).toContain(adapter.modelId);
        expect(down.stderr).toMatch(/HTTP 503/u);
        expect(down.stderr).not.toContain('    at ');
        expect(down.stderr).not.toContain(FAKE_KEY);
        const id = /Resume with: baton run (x[0-9a-z]+)/u.exec(down.stderr)?.[1];
        expect(id, down.stderr).toBeTruthy();
        const statuses = loopback.requests().map((r) => r.response.status);
        expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
        expect(statuses.slice(8).every((s) => s === 503)).toBe(true);

        const completedBefore = new Set(callRows(ws.db).filter((r) => r.status === 'done').map((r) => r.key));
        expect(completedBefore.size).toBe(8);
        loopback.outageFrom = null;
        loopback.mock.clearRequests();
        const resumed = await ws.cli(['run', id as string, '--json']);
        expect(resumed.code, resumed.stderr).toBe(10);
        // No completed call was made again: every request after the outage is for a new call.
        const rowsAfter = callRows(ws.db).filter((r) => r.status === 'done');
        expect(rowsAfter.filter((r) => completedBefore.has(r.key))).toHaveLength(8);
        const newCalls = rowsAfter.filter((r) => !completedBefore.has(r.key));
        expect(newCalls.length).toBeGreaterThan(0);
        expect(loopback.requests()).toHaveLength(newCalls.length);
      } finally {
        await loopback.mock.stop();
      }
    });
  });
}
