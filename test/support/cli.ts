import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';

/**
 * Runs the real `baton` binary (bin/baton.js → the compiled dist/) in a child process, the way a
 * person or a script does: no TTY, so no live progress, and no BATON_DB from the environment
 * unless a test sets one. Build first (`npm run build`; `npm test` does it).
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BATON_BIN = join(REPO_ROOT, 'bin', 'baton.js');
export const EXAMPLES = join(REPO_ROOT, 'examples');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Added to the environment; `undefined` removes a variable. BATON_DB is removed by default. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (stdin is always closed, so nothing can wait on it). */
  input?: string;
}

export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the CLI tests');
  }
  const env: Record<string, string | undefined> = { ...process.env, BATON_DB: undefined, NO_COLOR: '1' };
  for (const [key, value] of Object.entries(options.env ?? {})) env[key] = value;
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

  const child = spawn(process.execPath, [BATON_BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      if (exitCode === null) reject(new Error(`baton ${args.join(' ')} was killed by ${signal ?? 'a signal'}\n${stderr}`));
      else resolve(exitCode);
    });
  });
  return { code, stdout, stderr };
}

/** Parses stdout as the one JSON document a `--json` command prints, with the context on failure. */
export function jsonOf(result: CliResult): unknown {
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (error) {
    throw new Error(`stdout is not one JSON document (exit ${result.code}): ${(error as Error).message}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`);
  }
}

/** A short description of a result, for assertion messages. */
export function describeResult(result: CliResult): string {
  return `exit ${result.code}\nstderr: ${result.stderr.slice(0, 1500)}\nstdout: ${result.stdout.slice(0, 500)}`;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system temp dir, removed after the test file's tests. */
export function tempDir(prefix = 'baton-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Opens a Baton SQLite file read-only (it must exist), runs `read`, and closes it. */
export function readDb<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const COUNTED = ['briefs', 'explorations', 'candidates', 'calls', 'checkpoints', 'decisions', 'events', 'notes'] as const;

/** Row counts of every table that a write would touch: equal counts mean nothing was written. */
export function rowCounts(path: string): Record<(typeof COUNTED)[number], number> {
  return readDb(path, (db) => {
    const counts = {} as Record<(typeof COUNTED)[number], number>;
    for (const table of COUNTED) counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return counts;
  });
}

/** Lines that look like a JavaScript stack trace: a user should never see one. */
export function stackTraceLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at\s/u.test(line));
}
