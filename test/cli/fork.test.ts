import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, jsonOf, readDb, runCli, tempDir } from '../support/cli.js';
import { DemoShape, OutcomeShape } from '../support/shapes.js';

/**
 * Managing explorations through the real binary: fork the demo at its checkpoint (no model call
 * made again), steer the fork on its own, rename, archive, and delete with confirmation.
 */

interface Counts {
  calls: number;
  candidates: number;
  events: number;
}

describe('fork, rename, archive and delete from the CLI', () => {
  const cwd = tempDir();
  const db = join(cwd, '.baton', 'baton.db');
  const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args, { cwd });
  const counts = (id: string): Counts =>
    readDb(db, (d) => ({
      calls: (d.prepare('SELECT count(*) AS n FROM calls WHERE exploration_id = ?').get(id) as { n: number }).n,
      candidates: (d.prepare('SELECT count(*) AS n FROM candidates WHERE exploration_id = ?').get(id) as { n: number }).n,
      events: (d.prepare('SELECT count(*) AS n FROM events WHERE exploration_id = ?').get(id) as { n: number }).n,
    }));
  const allCalls = (): number => readDb(db, (d) => (d.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n);

  it('forks at the checkpoint without asking a model again, then the fork goes its own way', async () => {
    const demo = DemoShape.parse(jsonOf(await cli('demo', '--json')));
    const source = demo.exploration;
    const before = counts(source);
    const callsBefore = allCalls();

    const forked = await cli('fork', source, '--title', 'The quieter direction', '--json');
    expect(forked.code, describeResult(forked)).toBe(0);
    const fork = jsonOf(forked) as { id: string; status: string; title: string; forkOf: { explorationId: string; checkpointId: string } };
    expect(fork).toMatchObject({ status: 'awaiting', title: 'The quieter direction', forkOf: { explorationId: source, checkpointId: demo.checkpoint?.id } });
    expect(allCalls()).toBe(callsBefore);
    expect(counts(fork.id)).toEqual({ calls: 0, candidates: 0, events: before.events });

    // The fork's board is the source's: the same cards, the same checkpoint.
    const board = OutcomeShape.parse(jsonOf(await cli('board', fork.id, '--json')));
    expect(board.board.cards.map((c) => c.candidateId)).toEqual(demo.board.cards.map((c) => c.candidateId));
    expect(allCalls()).toBe(callsBefore);

    const first = demo.board.cards[0]?.candidateId ?? '';
    const decided = await cli('decide', fork.id, 'deepen', first, '--why', 'follow the quieter one', '--json');
    expect(decided.code === 0 || decided.code === 10, describeResult(decided)).toBe(true);
    expect(counts(fork.id).candidates).toBeGreaterThan(0);
    expect(counts(source)).toEqual(before);
  });

  it('forks at an earlier checkpoint by number, and refuses one that does not exist', async () => {
    const list = jsonOf(await cli('ls', '--json')) as { explorations: { id: string; forkOf: unknown }[] };
    const source = list.explorations.find((e) => e.forkOf === null)?.id ?? '';
    const bad = await cli('fork', source, '--at', '9');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('has no checkpoint "9"');
    expect(bad.stderr).not.toMatch(/\n\s+at /u);
    const ok = await cli('fork', source, '--at', '1');
    expect(ok.code, describeResult(ok)).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^x[0-9a-z]+$/u);
  });

  it('renames and archives; delete asks for --yes, then removes every row', async () => {
    const list = jsonOf(await cli('ls', '--json')) as { explorations: { id: string; forkOf: unknown }[] };
    const fork = list.explorations.find((e) => e.forkOf !== null)?.id ?? '';
    expect((await cli('rename', fork, 'Quiet endings')).code).toBe(0);
    expect((await cli('rename', fork, '  ')).code).toBe(2);
    const archived = jsonOf(await cli('archive', fork, '--json')) as { title: string; archivedAt: string | null };
    expect(archived.title).toBe('Quiet endings');
    expect(archived.archivedAt).not.toBeNull();

    const unconfirmed = await cli('delete', fork);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(counts(fork).events).toBeGreaterThan(0);

    const source = list.explorations.find((e) => e.forkOf === null)?.id ?? '';
    const refused = await cli('delete', source, '--yes');
    expect(refused.code, describeResult(refused)).not.toBe(0);
    expect(refused.stderr).toContain('forks');

    expect((await cli('delete', fork, '--yes')).code).toBe(0);
    expect(counts(fork)).toEqual({ calls: 0, candidates: 0, events: 0 });
    const after = jsonOf(await cli('ls', '--json')) as { explorations: { id: string }[] };
    expect(after.explorations.map((e) => e.id)).not.toContain(fork);
  });
});
