import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { isBatonError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { CliResult } from '../support/cli.js';
import { BATON_BIN, EXAMPLES, describeResult, runCli, tempDir } from '../support/cli.js';

/**
 * Storage that cannot be written (#13, item 14): a read-only database and a full disk are named —
 * which file, what happened, what to do — with exit 6 and no stack trace, and reading goes on.
 */

const STORY = join(EXAMPLES, 'lighthouse-story.md');
const NOBODY = 65534;

/** `baton …` as an unprivileged user (root may write any file, so a read-only file means nothing to it). */
function runAsUser(args: string[], cwd: string, db: string): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BATON_BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', BATON_DB: db, HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('storage that cannot be written', () => {
  it('names a read-only database (exit 6, no stack trace), and reading it still works', { timeout: 180_000 }, async () => {
    const dir = tempDir('baton-readonly-');
    const made = join(dir, 'made');
    mkdirSync(made);
    const first = await runCli(['run', STORY, '--seed', '1', '--json'], { cwd: made, env: { BATON_DB: join(made, 'baton.db') } });
    expect(first.code, describeResult(first)).toBe(10);
    const id = (JSON.parse(first.stdout) as { exploration: string }).exploration;

    // A copy whose file is read-only, in a folder of the user's own.
    const frozen = join(dir, 'frozen');
    cpSync(made, frozen, { recursive: true });
    const db = join(frozen, 'baton.db');
    chmodSync(dir, 0o755);
    if (process.getuid?.() === 0) {
      chownSync(frozen, NOBODY, NOBODY);
      chownSync(db, NOBODY, NOBODY);
    }
    chmodSync(db, 0o444);

    for (const args of [['run', id], ['decide', id, 'continue', '--why', 'go on']]) {
      const refused = await runAsUser(args, frozen, db);
      expect(refused.code, `${args[0]}: ${describeResult(refused)}`).toBe(6);
      expect(refused.stderr).toContain(db);
      expect(refused.stderr).toMatch(/read-only|permission denied/u);
      expect(refused.stderr).not.toContain('    at ');
      expect(refused.stderr).not.toContain('internal error');
    }
    const board = await runAsUser(['board', id], frozen, db);
    expect(board.code, describeResult(board)).toBe(10);
    const show = await runAsUser(['show', id], frozen, db);
    expect(show.code, describeResult(show)).toBe(0);

    // A folder that cannot be written either: still named, never "a bug".
    chmodSync(frozen, 0o555);
    const refused = await runAsUser(['run', id], frozen, db);
    expect(refused.code, describeResult(refused)).toBe(6);
    expect(refused.stderr).toContain(db);
    expect(refused.stderr).not.toContain('    at ');
    chmodSync(frozen, 0o755);
  });

  it('names a full disk (storage_unavailable), leaves the exploration consistent, and reading goes on', { timeout: 120_000 }, async () => {
    const dir = tempDir('baton-full-');
    const path = join(dir, 'baton.db');
    const setup = Baton.open({ db: path });
    const id = await setup.start(STORY, { seed: 4 });
    await setup.close();
    const pages = (() => {
      const sqlite = new Database(path);
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
        return sqlite.pragma('page_count', { simple: true }) as number;
      } finally {
        sqlite.close();
      }
    })();

    // The database may not grow by a page: as on a disk with no space left.
    // Its pages have room left in them (16 KB each), so explore on, checkpoint after checkpoint,
    // until a write needs a page more: that write must fail as a full disk, not as a bug.
    const full = Baton.open({ store: openSqliteStore(path, { maxPageCount: pages }) });
    let error: unknown;
    for (let round = 0; round < 12 && error === undefined; round += 1) {
      error = await (round === 0 ? full.run(id) : full.decide(id, { action: 'continue', reason: 'more' }).then((d) => d.outcome)).then(
        (outcome) => {
          expect(outcome.status, 'the exploration ended before the disk was full').toBe('awaiting');
          return undefined;
        },
        (e: unknown) => e,
      );
    }
    expect(isBatonError(error) && error.code, String(error)).toBe('storage_unavailable');
    expect(isBatonError(error) && error.exitCode).toBe(6);
    expect(String((error as Error).message)).toContain(path);
    expect(String((error as Error).message)).toContain('the disk is full');
    expect((await full.board(id)).explorationId).toBe(id);
    await full.close();

    // Space again: the exploration goes on from where it was.
    const again = Baton.open({ db: path });
    expect((await again.run(id)).status).toBe('awaiting');
    await again.close();
  });
});
