import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../src/util/mulberry32.js';

/**
 * Helpers for the crash tests: run the real CLI as a child process and SIGKILL it, and read what
 * a database holds once nobody is writing to it. Exploration ids are random, so everything read
 * back is normalised to ids relative to the exploration (`.c3`, `.m3:write`) so that two
 * explorations of the same brief and seed can be compared.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'baton.js');
export const STORY = join(ROOT, 'examples', 'lighthouse-story.md');

/** A small seeded PRNG: kill delays derive from the test seed, never from the clock. */
export const prng = mulberry32;

export function tempDirs(): { make(prefix: string): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the test killed it (it may still have finished just before). */
  killed: boolean;
}

export interface KillPlan {
  /** SIGKILL this many ms after `after` appears on stderr (or after spawn when `after` is unset). */
  delayMs: number;
  after?: RegExp;
  /**
   * Or this many ms after the child's first commit to this database: when its WAL file grows.
   * The file is only stat'ed, never opened, so the child is observed without being disturbed.
   */
  afterFirstCommitTo?: string;
}

function walSize(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

/** Runs `baton <args>`; with a kill plan, SIGKILLs it as planned unless it ends first. */
export function runBaton(args: string[], kill?: KillPlan): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.BATON_DB; // every command here names its database
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (!kill || timer) return;
      timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, kill.delayMs);
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (kill?.after?.test(stderr)) arm();
    });
    let poll: NodeJS.Timeout | undefined;
    if (kill?.afterFirstCommitTo !== undefined) {
      const db = kill.afterFirstCommitTo;
      const initial = walSize(db);
      poll = setInterval(() => {
        if (walSize(db) === initial) return;
        clearInterval(poll);
        arm();
      }, 2);
    } else if (kill && !kill.after) arm();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr, killed: killed && signal === 'SIGKILL' });
    });
  });
}

export interface CandidateRow {
  id: string;
  moveId: string;
  parentIds: string[];
  lensId: string;
  kind: string;
  depth: number;
  text: string;
}

export interface CallRow {
  key: string;
  status: string;
  output: string | null;
  finishedAt: string | null;
}

export interface Snapshot {
  explorationId: string | null;
  status: string | null;
  candidates: CandidateRow[];
  /** Candidate id → quality of its (only) judgment. */
  qualities: Record<string, number>;
  judgmentIds: string[];
  /** Each judgment's candidate and brief version. */
  judged: Array<{ candidateId: string; briefId: string }>;
  calls: CallRow[];
  decisions: Array<{ id: string; action: string; reason: string | null; candidateIds: string[] }>;
  checkpoints: string[];
  eventTypes: Record<string, number>;
}

/**
 * What the database holds, normalised. Opened read-only, and only ever once the process that
 * wrote it is dead (a reader would otherwise race the writer's WAL).
 */
export function readSnapshot(dbPath: string): Snapshot {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const xid = db.prepare('SELECT id FROM explorations').pluck().get() as string | undefined;
    const empty: Snapshot = { explorationId: null, status: null, candidates: [], qualities: {}, judgmentIds: [], judged: [], calls: [], decisions: [], checkpoints: [], eventTypes: {} };
    if (xid === undefined) return empty;
    // Brief ids are random too: number the exploration's in the order they were saved.
    const briefIds = db
      .prepare(
        `SELECT id FROM briefs WHERE id IN (SELECT brief_id FROM explorations WHERE id = @x UNION SELECT current_brief_id FROM explorations WHERE id = @x
                                           UNION SELECT brief_id FROM decisions WHERE exploration_id = @x AND brief_id IS NOT NULL)
         ORDER BY rowid`,
      )
      .pluck()
      .all({ x: xid }) as string[];
    const rel = (id: string): string => {
      let out = id.startsWith(xid) ? id.slice(xid.length) : id;
      briefIds.forEach((briefId, i) => (out = out.split(briefId).join(`brief${i + 1}`)));
      return out;
    };
    const status = db.prepare('SELECT status FROM explorations WHERE id = ?').pluck().get(xid) as string;
    const parents = db.prepare('SELECT parent_id FROM candidate_parents WHERE candidate_id = ? ORDER BY position').pluck();
    const candidates = (
      db.prepare('SELECT id, move_id, lens_id, kind, depth, text FROM candidates WHERE exploration_id = ? ORDER BY rowid').all(xid) as Array<{
        id: string;
        move_id: string;
        lens_id: string;
        kind: string;
        depth: number;
        text: string;
      }>
    ).map((r) => ({
      id: rel(r.id),
      moveId: rel(r.move_id),
      parentIds: (parents.all(r.id) as string[]).map(rel),
      lensId: r.lens_id,
      kind: r.kind,
      depth: r.depth,
      text: r.text,
    }));
    const judgments = db
      .prepare('SELECT j.id, j.candidate_id, j.brief_id, j.quality FROM judgments j JOIN candidates c ON c.id = j.candidate_id WHERE c.exploration_id = ? ORDER BY j.rowid')
      .all(xid) as Array<{ id: string; candidate_id: string; brief_id: string; quality: number }>;
    const calls = (
      // A call's output lives in call_outputs (calls.output only for rows older than that table);
      // a released output is in neither.
      db
        .prepare('SELECT c.key, c.status, COALESCE(o.output, c.output) AS output, c.finished_at FROM calls c LEFT JOIN call_outputs o ON o.key = c.key WHERE c.exploration_id = ? ORDER BY c.key')
        .all(xid) as Array<{
        key: string;
        status: string;
        output: string | null;
        finished_at: string | null;
      }>
    ).map((r) => ({ key: rel(r.key), status: r.status, output: r.output, finishedAt: r.finished_at }));
    const decisions = (
      db.prepare('SELECT id, action, reason, candidate_ids_json FROM decisions WHERE exploration_id = ? ORDER BY rowid').all(xid) as Array<{
        id: string;
        action: string;
        reason: string | null;
        candidate_ids_json: string;
      }>
    ).map((r) => ({ id: rel(r.id), action: r.action, reason: r.reason, candidateIds: (JSON.parse(r.candidate_ids_json) as string[]).map(rel) }));
    const checkpoints = (db.prepare('SELECT id FROM checkpoints WHERE exploration_id = ? ORDER BY rowid').pluck().all(xid) as string[]).map(rel);
    const eventTypes: Record<string, number> = {};
    for (const { type, n } of db.prepare('SELECT type, COUNT(*) AS n FROM events WHERE exploration_id = ? GROUP BY type').all(xid) as Array<{ type: string; n: number }>) {
      eventTypes[type] = n;
    }
    return {
      explorationId: xid,
      status,
      candidates,
      qualities: Object.fromEntries(judgments.map((j) => [rel(j.candidate_id), j.quality])),
      judgmentIds: judgments.map((j) => rel(j.id)),
      judged: judgments.map((j) => ({ candidateId: rel(j.candidate_id), briefId: rel(j.brief_id) })),
      calls,
      decisions,
      checkpoints,
      eventTypes,
    };
  } finally {
    db.close();
  }
}

/** The parts two runs of the same brief, seed and decisions must agree on. */
export function comparable(snapshot: Snapshot): {
  status: string | null;
  candidates: CandidateRow[];
  qualities: Record<string, number>;
  doneCalls: Array<{ key: string; output: string | null }>;
  decisions: Array<{ id: string; action: string; candidateIds: string[] }>;
  checkpoints: string[];
  eventTypes: Record<string, number>;
} {
  return {
    status: snapshot.status,
    candidates: snapshot.candidates,
    qualities: snapshot.qualities,
    // The attempt suffix is the only trace a crash may leave on a completed call's key.
    doneCalls: snapshot.calls
      .filter((c) => c.status === 'done')
      .map(({ key, output }) => ({ key: key.replace(/~\d+$/u, ''), output }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    decisions: snapshot.decisions.map(({ id, action, candidateIds }) => ({ id, action, candidateIds })),
    checkpoints: snapshot.checkpoints,
    eventTypes: snapshot.eventTypes,
  };
}

/**
 * The invariants that must hold in a database at any moment, crash or not: one candidate per
 * move; every candidate's text is the recorded output of its move's write call (so a completed
 * call's result is what was used); every judgment has its judge call done; one judgment per id.
 */
/** The key of the attempt after `key`: a call cut off by a crash is made again as `key~2`, … */
export function nextAttempt(key: string): string {
  const match = /~(\d+)$/u.exec(key);
  return match ? `${key.slice(0, match.index)}~${Number(match[1]) + 1}` : `${key}~2`;
}

/** The last attempt of a call: the original key, or the attempt that replaced a cut-off one. */
export function doneAttempt<T extends { status: string }>(calls: ReadonlyMap<string, T>, key: string): T | undefined {
  let current = calls.get(key);
  let attemptKey = key;
  while (current?.status === 'intent' && calls.has(nextAttempt(attemptKey))) {
    attemptKey = nextAttempt(attemptKey);
    current = calls.get(attemptKey);
  }
  return current;
}

/** Every call completed, but for the ones a crash cut off (kept as possibly billed) and made again. */
export function allCallsSettled(snapshot: Snapshot): boolean {
  const keys = new Set(snapshot.calls.map((c) => c.key));
  return snapshot.calls.every((c) => c.status === 'done' || (c.status === 'intent' && keys.has(nextAttempt(c.key))));
}

export function crashInvariantProblems(snapshot: Snapshot): string[] {
  const problems: string[] = [];
  const moves = snapshot.candidates.map((c) => c.moveId);
  if (new Set(moves).size !== moves.length) problems.push(`duplicate candidates for a move: ${moves.join(', ')}`);
  const ids = snapshot.candidates.map((c) => c.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate candidate ids');
  const calls = new Map(snapshot.calls.map((c) => [c.key, c]));
  for (const candidate of snapshot.candidates) {
    const write = doneAttempt(calls, `${candidate.moveId}:write`);
    if (write?.status !== 'done') problems.push(`${candidate.id}: its write call is ${write?.status ?? 'missing'}`);
    // A null output was released when the candidate was stored: the text is kept once, there.
    else if (write.output !== null && write.output.trim() !== candidate.text) problems.push(`${candidate.id}: text differs from its write call's output`);
  }
  if (new Set(snapshot.judgmentIds).size !== snapshot.judgmentIds.length) problems.push('duplicate judgments');
  for (const { candidateId, briefId } of snapshot.judged) {
    const key = `${candidateId}:judge:${briefId}`;
    const judge = doneAttempt(calls, key);
    if (judge?.status !== 'done') problems.push(`${candidateId}: judged, but its judge call ${key} is ${judge?.status ?? 'missing'}`);
  }
  // A call cut off by a crash stays an intent (possibly billed) only if a later attempt replaced it.
  for (const call of snapshot.calls) {
    if (call.status === 'intent' && !calls.has(nextAttempt(call.key)) && snapshot.status !== 'running') {
      problems.push(`${call.key}: cut off and never made again`);
    }
  }
  for (const id of Object.keys(snapshot.qualities)) {
    if (!ids.includes(id)) problems.push(`judgment of unknown candidate ${id}`);
  }
  return problems;
}
