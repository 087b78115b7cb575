import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallRow, ChildResult, KillPlan, Snapshot } from '../support/crash.js';
import { STORY, allCallsSettled, comparable, crashInvariantProblems, prng, readSnapshot, runBaton, tempDirs } from '../support/crash.js';

/**
 * "A `kill -9` at any moment loses no acknowledged decision and no completed model call, and
 * resuming finishes the exploration with no duplicated candidate."
 *
 * For each seed the real CLI explores the lighthouse brief on the rehearsal model (with simulated
 * latency, so that calls are in flight) and is SIGKILLed at moments derived from the seed: at
 * start-up, mid-run, while resuming, while recording a decision and while exploring after it. It
 * is resumed with `baton run <id>` until it reaches a checkpoint, and the database must then hold
 * exactly what an uninterrupted run of the same brief, seed and decision holds: the exploration is
 * folded in plan order, so it is deterministic for a seed whatever the timing.
 *
 * The kills land wherever the machine's speed puts them: nothing here depends on how long
 * anything takes. Where a kill came too late to interrupt anything, the run simply started again
 * with a shorter delay (in a fresh database) so that every seed sees at least one kill mid-run.
 * Set BATON_CRASH_LOG=1 to print where every kill landed.
 */

const SEEDS = [3, 7, 13, 21];
const tmp = tempDirs();
const killLog: string[] = [];

afterAll(() => {
  if (process.env.BATON_CRASH_LOG) console.log(`kills (${killLog.length}):\n${killLog.join('\n')}`);
  tmp.cleanup();
});

type Landing = 'before the exploration existed' | 'mid-run' | 'at a checkpoint' | 'after the end';

function landingOf(snapshot: Snapshot | null): Landing {
  if (!snapshot?.explorationId) return 'before the exploration existed';
  if (snapshot.status === 'running') return 'mid-run';
  if (snapshot.status === 'awaiting') return 'at a checkpoint';
  return 'after the end';
}

function jsonOf(result: ChildResult): { status: string; board: { cards: Array<{ candidateId: string }>; spend: { calls: number; possiblyBilled: number } } } {
  try {
    return JSON.parse(result.stdout) as ReturnType<typeof jsonOf>;
  } catch (error) {
    throw new Error(`not JSON (exit ${String(result.code)}): ${result.stdout.slice(0, 500)}\n${result.stderr}`, { cause: error });
  }
}

function expectExit(result: ChildResult, codes: number[], what: string): void {
  if (result.code === null || !codes.includes(result.code)) {
    throw new Error(`${what}: exit ${String(result.code)} (signal ${String(result.signal)})\n${result.stderr}`);
  }
}

/** One crash-riddled exploration and what it has seen so far. */
class Crashes {
  readonly rng: () => number;
  db: string;
  /** Upper bound of a kill delay, ms; shrinks when kills keep coming too late. */
  window = 700;
  /** Every call seen done at some kill: it must never change (never be made again). */
  readonly doneSeen = new Map<string, CallRow>();
  readonly landings: Array<{ phase: string; landing: Landing }> = [];
  private fresh = 0;

  constructor(
    readonly seed: number,
    private readonly dir: string,
  ) {
    this.rng = prng(seed);
    this.db = this.freshDb();
  }

  freshDb(): string {
    this.fresh += 1;
    this.db = join(this.dir, `crash-${this.fresh}.db`);
    this.doneSeen.clear();
    this.landings.length = 0;
    return this.db;
  }

  snapshot(): Snapshot | null {
    return existsSync(this.db) ? readSnapshot(this.db) : null;
  }

  kills(phase: string, landing?: Landing): number {
    return this.landings.filter((l) => l.phase === phase && (landing === undefined || l.landing === landing)).length;
  }

  /** After a SIGKILL: the invariants hold, completed calls are untouched, lost calls are shown. */
  async afterKill(phase: string, plan: KillPlan): Promise<Landing> {
    const snapshot = this.snapshot();
    const landing = landingOf(snapshot);
    this.landings.push({ phase, landing });
    const intents = snapshot?.calls.filter((c) => c.status === 'intent').length ?? 0;
    const decided = (snapshot?.decisions.length ?? 0) > 0 ? ', decision recorded' : '';
    killLog.push(
      `seed ${this.seed} ${phase.padEnd(16)} +${Math.round(plan.delayMs)}ms${plan.after ? ` after ${String(plan.after)}` : ''}${plan.afterFirstCommitTo ? ' after its first commit' : ''}: ${landing}` +
        (snapshot?.explorationId ? `, ${snapshot.candidates.length} candidates, ${intents} calls cut off${decided}` : ''),
    );
    if (!snapshot?.explorationId) return landing;

    expect(crashInvariantProblems(snapshot)).toEqual([]);
    this.checkDoneCalls(snapshot);
    if (snapshot.status === 'running') {
      // Calls cut off by the kill are shown as possibly billed; completed ones are counted as spent.
      const board = jsonOf(await runBaton(['board', snapshot.explorationId, '--json', '--db', this.db]));
      expect(board.board.spend.possiblyBilled).toBe(intents);
      expect(board.board.spend.calls).toBe(snapshot.calls.filter((c) => c.status !== 'intent').length);
    }
    return landing;
  }

  /**
   * A call once done is never made again: same output, same finishing time. A writer's output may
   * have been released since (its candidate holds the text, stored once): then only it is null.
   */
  checkDoneCalls(snapshot: Snapshot): void {
    const now = new Map(snapshot.calls.map((c) => [c.key, c]));
    for (const [key, seen] of this.doneSeen) {
      const current = now.get(key);
      const released = current?.output === null && seen.output !== null;
      expect(current, `call ${key}`).toStrictEqual(released ? { ...seen, output: null } : seen);
    }
    for (const call of snapshot.calls) if (call.status === 'done') this.doneSeen.set(call.key, call);
  }

  delay(min: number): number {
    return min + this.rng() * this.window;
  }
}

/** Runs (and kills, and resumes) until the exploration stops at its `checkpoints`-th checkpoint or ends. */
async function exploreThroughKills(crashes: Crashes, phase: string, checkpoints: number, maxKills: number): Promise<void> {
  let restarts = 0;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const before = crashes.snapshot();
    const id = before?.explorationId ?? null;
    // The run got to its checkpoint without a kill landing mid-run (it finished first, or a kill
    // came while it was closing): start again, sooner, so the seed does get killed mid-run.
    if (id && before && before.status !== 'running' && phase === 'first run' && crashes.kills(phase, 'mid-run') === 0 && restarts < 6) {
      restarts += 1;
      crashes.window *= 0.6;
      crashes.freshDb();
      continue;
    }
    if (id && before && before.status !== 'running') {
      if (before.status === 'awaiting' && before.checkpoints.length < checkpoints) throw new Error(`${phase}: stuck at ${String(before.checkpoints.at(-1))}`);
      return;
    }

    const killing = crashes.kills(phase) < maxKills;
    let args: string[];
    let plan: KillPlan | undefined;
    if (id === null) {
      // A model slow enough that the run to the first checkpoint (which can come after the openings
      // alone) lasts long enough to be killed mid-run.
      args = ['run', STORY, '--seed', String(crashes.seed), '--latency', '100', '--db', crashes.db, '--json'];
      // Sometimes during start-up itself (before or while the exploration is created), else mid-run.
      const early = crashes.kills(phase) === 0 && crashes.rng() < 0.4;
      plan = early ? { delayMs: 40 + crashes.rng() * 200 } : { after: /Started exploration/, delayMs: crashes.delay(0) };
    } else {
      args = ['run', id, '--latency', killing ? '100' : '0', '--db', crashes.db, '--json'];
      plan = { delayMs: crashes.delay(250) };
    }
    const result = await runBaton(args, killing ? plan : undefined);
    if (result.killed) {
      await crashes.afterKill(phase, plan);
      continue;
    }
    expectExit(result, [0, 10], `${phase}: baton ${args.join(' ')}`);
  }
  throw new Error(`${phase}: did not settle`);
}

/** Records the decision through kills; returns once it is in the database. */
async function decideThroughKills(crashes: Crashes, id: string, card: string, reason: string, variant: 'no-run' | 'run'): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt += 1) {
    if ((crashes.snapshot()?.decisions.length ?? 0) > 0) return;
    // With --no-run, "Recorded" comes right after the commit, and the kill right after that. With
    // a run after it, "Recorded" only comes at the next checkpoint (no progress is shown without a
    // terminal), so the first attempt is killed at a random early moment (mostly before the decision
    // is in) and the next ones at a random moment after the process's first commit — the decision —
    // so that the kill lands in the exploration that follows it (which can be a single move: the
    // simulated latency is longer here so that it lasts long enough to be hit).
    const args = ['decide', id, 'deepen', card, '--why', reason, '--db', crashes.db, '--latency', variant === 'run' ? '100' : '30'];
    if (variant === 'no-run') args.push('--no-run');
    const plan: KillPlan =
      variant === 'no-run'
        ? { after: /Recorded/, delayMs: 0 }
        : attempt === 0
          ? { delayMs: 40 + crashes.rng() * 300 }
          : { afterFirstCommitTo: crashes.db, delayMs: crashes.rng() * 100 };
    const result = await runBaton(args, attempt < 3 ? plan : undefined);
    const acknowledged = result.stderr.includes('Recorded deepen');
    if (result.killed) await crashes.afterKill('decide', plan);
    else expectExit(result, [0, 10], `baton ${args.join(' ')}`);
    const decisions = crashes.snapshot()?.decisions ?? [];
    // Acknowledged → durable, whatever came after.
    if (acknowledged) expect(decisions).toEqual([expect.objectContaining({ action: 'deepen', reason })]);
    if (decisions.length === 0) expect(result.killed).toBe(true);
  }
  throw new Error('the decision was never recorded');
}

describe('kill -9 at any moment, then resume', () => {
  it.each(SEEDS)(
    'seed %i: loses no completed call or acknowledged decision, and resumes to the uninterrupted exploration',
    async (seed) => {
      const dir = tmp.make(`baton-kill-${seed}-`);
      const reason = `reason ${seed}`;

      // The reference: the same brief and seed, never interrupted.
      const cleanDb = join(dir, 'clean.db');
      const cleanRun = await runBaton(['run', STORY, '--seed', String(seed), '--latency', '0', '--db', cleanDb, '--json']);
      expectExit(cleanRun, [10], 'clean run');
      const cleanFirst = readSnapshot(cleanDb);
      const cleanId = cleanFirst.explorationId as string;

      // Killed during start-up and mid-run, resumed (and killed again) up to the first checkpoint.
      const crashes = new Crashes(seed, dir);
      await exploreThroughKills(crashes, 'first run', 1, 3);
      expect(crashes.kills('first run', 'mid-run')).toBeGreaterThan(0);
      const first = readSnapshot(crashes.db);
      const id = first.explorationId as string;
      expect(first.status).toBe('awaiting');
      expect(crashInvariantProblems(first)).toEqual([]);
      crashes.checkDoneCalls(first);
      expect(allCallsSettled(first)).toBe(true);
      expect(comparable(first)).toStrictEqual(comparable(cleanFirst));

      // The same board, so the same card to deepen in both.
      const board = jsonOf(await runBaton(['board', id, '--json', '--db', crashes.db]));
      const cleanBoard = jsonOf(await runBaton(['board', cleanId, '--json', '--db', cleanDb]));
      const card = board.board.cards[0]?.candidateId.slice(id.length + 1) as string;
      expect(card).toMatch(/^c\d+$/);
      expect(cleanBoard.board.cards[0]?.candidateId).toBe(`${cleanId}.${card}`);

      // The decision, killed while being recorded or while exploring on; then resumed.
      await decideThroughKills(crashes, id, card, reason, SEEDS.indexOf(seed) % 2 === 0 ? 'no-run' : 'run');
      await exploreThroughKills(crashes, 'after decision', 2, 2);
      const second = readSnapshot(crashes.db);
      expect(crashInvariantProblems(second)).toEqual([]);
      crashes.checkDoneCalls(second);
      expect(allCallsSettled(second)).toBe(true);
      expect(second.decisions).toEqual([expect.objectContaining({ action: 'deepen', reason, candidateIds: [`.${card}`] })]);

      const cleanDecide = await runBaton(['decide', cleanId, 'deepen', card, '--why', reason, '--db', cleanDb, '--latency', '0']);
      expectExit(cleanDecide, [0, 10], 'clean decide');
      expect(cleanDecide.stderr).toContain('Recorded deepen');
      expect(comparable(second)).toStrictEqual(comparable(readSnapshot(cleanDb)));
    },
    120_000,
  );
});
