import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureBrief, fixtureBriefSource, fixtureCandidate, fixtureCheckpoint, fixtureCreated } from '../../src/store/fixtures.js';
import { openSqliteStore } from '../../src/store/index.js';

/**
 * "A decision, once acknowledged, survives kill -9." A child process opens the database with the
 * store's settings (WAL, synchronous=NORMAL), commits a decision the way `commit` writes one,
 * reports it, and is SIGKILLed before it can close (so the commit lives only in the WAL file).
 * The child uses better-sqlite3 directly: it runs under plain Node, which cannot load our
 * TypeScript sources.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const childScript = (sqliteUrl: string): string => `
import Database from ${JSON.stringify(sqliteUrl)};
const [path, explorationId, checkpointId] = process.argv.slice(2);
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const at = new Date().toISOString();
db.transaction(() => {
  db.prepare(\`INSERT INTO decisions (id, exploration_id, checkpoint_id, action, candidate_ids_json, reason, feedback, lens, brief_id, created_at)
              VALUES ('d_kill', ?, ?, 'deepen', '["' || ? || ':c1"]', 'keep going', NULL, NULL, NULL, ?)\`)
    .run(explorationId, checkpointId, explorationId, at);
  db.prepare("INSERT INTO events (exploration_id, type, payload_json, at) VALUES (?, 'decision.made', ?, ?)")
    .run(explorationId, JSON.stringify({ id: 'd_kill' }), at);
  db.prepare("UPDATE explorations SET status = 'running', updated_at = ? WHERE id = ?").run(at, explorationId);
})();
process.stdout.write('committed\\n');
setInterval(() => {}, 1000); // stay alive, database open, until killed
`;

describe('durability', () => {
  it('keeps a committed decision when the process is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-kill-'));
    dirs.push(dir);
    const path = join(dir, 'baton.db');

    const store = openSqliteStore(path);
    const brief = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
    await store.createExploration({
      id: 'x_kill',
      briefId: brief.id,
      seed: 1,
      model: 'rehearsal',
      judge: 'rehearsal',
      title: 'kill',
      created: fixtureCreated(brief.id),
    });
    const candidate = fixtureCandidate('x_kill', 1);
    await store.commit('x_kill', {
      events: [
        { type: 'candidate.added', candidate },
        { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint('x_kill', 'k_kill', candidate.id) },
      ],
    });
    expect((await store.getExploration('x_kill'))?.status).toBe('awaiting');
    await store.close();

    const script = join(dir, 'child.mjs');
    const sqliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
    writeFileSync(script, childScript(sqliteUrl));
    const child = spawn(process.execPath, [script, path, 'x_kill', 'k_kill'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('committed')) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited before committing: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The commit was never checkpointed into the main file: only the WAL holds it.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);

    const reopened = openSqliteStore(path);
    const last = (await reopened.readEvents('x_kill')).at(-1)?.event;
    expect(last).toStrictEqual({
      type: 'decision.made',
      decision: {
        id: 'd_kill',
        explorationId: 'x_kill',
        checkpointId: 'k_kill',
        action: 'deepen',
        candidateIds: [candidate.id],
        reason: 'keep going',
        createdAt: last?.type === 'decision.made' ? last.decision.createdAt : '',
      },
    });
    expect((await reopened.getExploration('x_kill'))?.status).toBe('running');
    await reopened.close();
  });
});
