import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { isBatonError } from '../../src/errors.js';
import type { CliResult } from '../support/cli.js';
import { BATON_BIN, EXAMPLES, describeResult, runCli, tempDir } from '../support/cli.js';

/**
 * Issue 13, item 14: a database in a folder this user cannot write (WAL cannot create its -shm
 * file there) can still be read — board, show, export, ls — and a command that writes exits 6
 * naming the file. Root may write anywhere, so as root the commands run as `nobody`.
 */

const STORY = join(EXAMPLES, 'lighthouse-story.md');
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

function runAsUser(args: string[], cwd: string, db: string): Promise<CliResult> {
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

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) chmodSync(folder, 0o755);
});

/** A database with one exploration awaiting a decision, closed cleanly (no -wal, no -shm left), in a 0555 folder. */
async function readOnlyFolder(): Promise<{ dir: string; folder: string; db: string; id: string }> {
  const dir = tempDir('baton-ro-folder-');
  chmodSync(dir, 0o755);
  const made = join(dir, 'made');
  const first = await runCli(['run', STORY, '--seed', '3', '--json'], { cwd: dir, env: { BATON_DB: join(made, 'baton.db') } });
  expect(first.code, describeResult(first)).toBe(10);
  const id = (JSON.parse(first.stdout) as { exploration: string }).exploration;
  const folder = join(dir, 'frozen');
  cpSync(made, folder, { recursive: true });
  const db = join(folder, 'baton.db');
  // The file stays writable by its owner: it is the folder that stops SQLite creating -shm.
  if (asRoot) chownSync(db, NOBODY, NOBODY);
  chmodSync(db, 0o644);
  chmodSync(folder, 0o555);
  folders.push(folder);
  expect(readdirSync(folder)).toEqual(['baton.db']);
  return { dir, folder, db, id };
}

describe('a database in a folder that cannot be written', () => {
  it('is read by board, show, export and ls; run, decide and fork exit 6 naming the file', { timeout: 180_000 }, async () => {
    const { folder, db, id } = await readOnlyFolder();

    const board = await runAsUser(['board', id], folder, db);
    expect(board.code, describeResult(board)).toBe(10);
    expect(board.stdout).toContain(id);
    const show = await runAsUser(['show', id, '--json'], folder, db);
    expect(show.code, describeResult(show)).toBe(0);
    expect(JSON.stringify(JSON.parse(show.stdout))).toMatch(/spend|usd/u);
    const exported = await runAsUser(['export', id], folder, db);
    expect(exported.code, describeResult(exported)).toBe(0);
    expect(exported.stdout).toMatch(/^# /mu);
    const listed = await runAsUser(['ls'], folder, db);
    expect(listed.code, describeResult(listed)).toBe(0);
    expect(listed.stdout).toContain(id);

    for (const args of [['run', id], ['decide', id, 'continue', '--why', 'go on'], ['fork', id], ['rename', id, 'New title']]) {
      const refused = await runAsUser(args, folder, db);
      expect(refused.code, `${args[0]}: ${describeResult(refused)}`).toBe(6);
      expect(refused.stderr).toContain(db);
      expect(refused.stderr).toMatch(/read-only/u);
      expect(refused.stderr).toMatch(/Reading still works/u);
      expect(refused.stderr).not.toContain('    at ');
      expect(refused.stderr).not.toContain('internal error');
    }
    // Nothing was written, not even a -shm file.
    expect(readdirSync(folder)).toEqual(['baton.db']);
  });

  it('without the fix, SQLite itself cannot read it (the attack still bites a plain open)', async () => {
    const { folder, db } = await readOnlyFolder();
    // What Baton did before: a plain open, as this user. It fails on the first read.
    const script = `const D = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}); try { new D(${JSON.stringify(db)}, { readonly: true }).prepare('select 1 from sqlite_master').get(); console.log('read'); } catch (e) { console.log(e.code); }`;
    const plain = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { cwd: folder, env: { PATH: process.env.PATH ?? '' }, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim()));
    });
    expect(plain).toMatch(/^SQLITE_(READONLY_DIRECTORY|CANTOPEN)/u);
  });

  it('through the library, reading works and a write is storage_unavailable', { skip: asRoot }, async () => {
    // Not as root (root writes anyway): as an ordinary user this runs in-process too.
    const { db, id } = await readOnlyFolder();
    const baton = Baton.open({ db });
    try {
      expect((await baton.board(id)).explorationId).toBe(id);
      const error = await baton.fork(id).catch((e: unknown) => e);
      expect(isBatonError(error) && error.code).toBe('storage_unavailable');
    } finally {
      await baton.close();
    }
    expect(existsSync(`${db}-shm`)).toBe(false);
  });
});
