import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BATON_BIN, EXAMPLES, describeResult, runCli, tempDir } from '../support/cli.js';

/**
 * One runner at a time, with real processes: a second `baton run` is refused with who explores
 * (exit 5); a runner killed with -9 leaves a lease the next run takes over; `decide accept` while
 * another process explores waits for its next safe point, and nothing is taken after the accept;
 * Ctrl-C exits 130, gives the lease back, and the exploration resumes.
 */

const STORY = join(EXAMPLES, 'lighthouse-story.md');

interface Child {
  process: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `baton run STORY` slowed down (each rehearsal call takes `latency` ms), in the background. */
function startRunner(db: string, cwd: string, latency = 700): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', BATON_DB: db };
  const child = spawn(process.execPath, [BATON_BIN, 'run', STORY, '--seed', '5', '--latency', String(latency), '--concurrency', '2'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (result.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (result.stderr += chunk));
  return result;
}

function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    return sqlite.prepare(sql).all(...params) as T[];
  } finally {
    sqlite.close();
  }
}

/** Waits until `ready` holds (reading the database as it is written), or fails after `ms`. */
async function waitFor(what: string, ready: () => boolean, child: Child, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (ready()) return;
    } catch {
      // The database may not exist yet.
    }
    if (child.process.exitCode !== null) throw new Error(`the runner ended before ${what}: ${child.stderr}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${child.stderr}`);
    await delay(50);
  }
}

interface LeaseRow {
  exploration_id: string;
  pid: number;
  host: string;
}

const leases = (db: string): LeaseRow[] => query<LeaseRow>(db, 'SELECT exploration_id, pid, host FROM leases');
const candidates = (db: string, id: string): Array<{ id: string }> => query(db, 'SELECT id FROM candidates WHERE exploration_id = ? ORDER BY rowid', id);

describe('one runner at a time (two real processes)', () => {
  it('refuses a second runner with who explores (exit 5), lets reading go on, and takes over the lease of a runner killed with -9', { timeout: 240_000 }, async () => {
    const dir = tempDir('baton-lease-');
    const db = join(dir, 'baton.db');
    const runner = startRunner(db, dir);
    await waitFor('the lease', () => leases(db).length === 1, runner);
    const lease = leases(db)[0] as LeaseRow;
    expect(lease.pid).toBe(runner.process.pid);

    const second = await runCli(['run', lease.exploration_id], { cwd: dir, env: { BATON_DB: db } });
    expect(second.code, describeResult(second)).toBe(5);
    expect(second.stderr).toMatch(new RegExp(`exploration ${lease.exploration_id} is being explored by pid ${lease.pid} on ${lease.host} since \\d{4}-`, 'u'));
    expect(second.stderr).not.toContain('    at ');
    expect(second.stderr).not.toContain('internal error');

    const board = await runCli(['board', lease.exploration_id], { cwd: dir, env: { BATON_DB: db } });
    expect([0, 10], describeResult(board)).toContain(board.code);

    runner.process.kill('SIGKILL');
    await runner.exit;
    expect(leases(db)).toHaveLength(1); // left behind by the killed process…
    const resumed = await runCli(['run', lease.exploration_id, '--json'], { cwd: dir, env: { BATON_DB: db } });
    // …and taken over: its pid no longer runs on this host.
    expect([0, 10], describeResult(resumed)).toContain(resumed.code);
    expect(leases(db)).toHaveLength(0);
  });

  it('hands `decide accept` to the process exploring: it stops at its next safe point, and nothing is taken after the accept', { timeout: 240_000 }, async () => {
    const dir = tempDir('baton-lease-');
    const db = join(dir, 'baton.db');
    const runner = startRunner(db, dir);
    await waitFor('a candidate', () => leases(db).length === 1 && candidates(db, (leases(db)[0] as LeaseRow).exploration_id).length > 0, runner);
    const id = (leases(db)[0] as LeaseRow).exploration_id;
    const chosen = (candidates(db, id)[0] as { id: string }).id;
    const short = chosen.slice(chosen.lastIndexOf('.') + 1);

    const decided = await runCli(['decide', id, 'accept', short, '--why', 'this one'], { cwd: dir, env: { BATON_DB: db } });
    expect(decided.code, describeResult(decided)).toBe(0);
    expect(decided.stderr).toContain('Recorded accept');
    const ran = await runner.exit;
    // Stopped for the decision (0), or it had just reached its checkpoint (10): never an error.
    expect([0, 10], runner.stderr).toContain(ran.code);
    if (decided.stderr.includes('waiting for its next safe point') && ran.code === 0) expect(runner.stderr).toContain('another process is recording a decision');

    const [exploration] = query<{ status: string }>(db, 'SELECT status FROM explorations WHERE id = ?', id);
    expect(exploration?.status).toBe('accepted');
    const events = query<{ seq: number; type: string }>(db, 'SELECT seq, type FROM events WHERE exploration_id = ? ORDER BY seq', id);
    const ended = events.findIndex((e) => e.type === 'exploration.ended');
    expect(ended).toBeGreaterThan(0);
    expect(events.slice(ended + 1).filter((e) => e.type === 'decision.made' || e.type === 'checkpoint.raised' || e.type === 'move.planned')).toEqual([]);
    expect(events.filter((e) => e.type === 'decision.made')).toHaveLength(1);
    expect(leases(db)).toHaveLength(0);

    const after = await runCli(['decide', id, 'continue'], { cwd: dir, env: { BATON_DB: db } });
    expect(after.code, describeResult(after)).toBe(2);
    expect(after.stderr).toContain('has ended (accepted)');
  });

  it('exits 130 on Ctrl-C after giving the lease back; the exploration then resumes', { timeout: 240_000 }, async () => {
    const dir = tempDir('baton-lease-');
    const db = join(dir, 'baton.db');
    const runner = startRunner(db, dir);
    await waitFor('the lease', () => leases(db).length === 1, runner);
    const id = (leases(db)[0] as LeaseRow).exploration_id;
    runner.process.kill('SIGINT');
    const ran = await runner.exit;
    expect(ran.code, runner.stderr).toBe(130);
    expect(runner.stderr).toContain('Stopping after the moves in flight');
    expect(runner.stderr).not.toContain('internal error');
    expect(leases(db)).toHaveLength(0);

    const resumed = await runCli(['run', id, '--json'], { cwd: dir, env: { BATON_DB: db } });
    expect([0, 10], describeResult(resumed)).toContain(resumed.code);
  });
});
