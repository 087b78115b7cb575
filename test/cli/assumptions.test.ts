import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Assumption } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { describeResult, EXAMPLES, jsonOf, readDb, runCli, tempDir } from '../support/cli.js';

/**
 * Assumptions through the real binary: `board` lists what Baton assumed since the person last
 * looked, `decide … reverse --assumption a1` undoes it (pruning what the assumed deepening made)
 * and records it in the ledger, and mistakes are located errors with exit code 2. Whether Baton
 * skips a checkpoint depends on the taste it has learned (tested through the library in
 * test/steer/assumptions.test.ts); here the skipped checkpoint is written into the database
 * through the store, as the steering loop writes it, so that the CLI can be tested on its own.
 */

interface Json {
  exploration: string;
  status: string;
  board: { cards: Array<{ candidateId: string }>; assumed?: Array<{ assumptionId: string; reversed: boolean; candidateIds: string[] }> };
}

describe('assumptions in the CLI', () => {
  it('shows assumptions on the board, reverses one with its reason, and refuses to reverse it twice', async () => {
    const cwd = tempDir();
    const db = join(cwd, 'baton.db');
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli([...args, '--db', db], { cwd });

    const first = await cli('run', join(EXAMPLES, 'lighthouse-story.md'), '--seed', '7', '--json', '--no-assume');
    expect(first.code, describeResult(first)).toBe(10);
    const outcome = jsonOf(first) as Json;
    const id = outcome.exploration;
    const continued = await cli('decide', id, 'continue', '--why', 'let it run', '--no-run', '--json');
    expect(continued.code, describeResult(continued)).toBe(0);

    // A checkpoint skipped on the strength of taste, as the steering loop records it.
    const shown = outcome.board.cards.map((c) => c.candidateId);
    const target = shown[0] as string;
    const assumption: Assumption = {
      id: `${id}.a1`,
      explorationId: id,
      checkpointId: `${id}.s1`,
      reasons: [{ kind: 'novelty', key: 'novelty:cli-fixture', reason: 'A candidate far from the rest appeared', candidateIds: [target] }],
      shown,
      action: 'deepen',
      candidateIds: [target],
      confidence: 0.93,
      backing: { count: 14, accuracy: 0.93 },
      createdAt: new Date().toISOString(),
    };
    const store = openSqliteStore(db);
    await store.commit(id, { events: [{ type: 'checkpoint.assumed', assumption }] });
    await store.close();

    // Exploring on runs the assumed deepening first.
    const resumed = await cli('run', id, '--json');
    expect([0, 10], describeResult(resumed)).toContain(resumed.code);
    const made = readDb(db, (d) =>
      d.prepare("SELECT payload_json FROM events WHERE exploration_id = ? AND type = 'move.planned'").all(id) as Array<{ payload_json: string }>,
    ).filter((row) => row.payload_json.includes(`"directive":"${id}.a1:0"`));
    expect(made).toHaveLength(1);

    const board = await cli('board', id);
    expect(board.stdout).toContain('Assumed since you last looked');
    expect(board.stdout).toMatch(/a1 +novelty checkpoint skipped: assumed you would deepen/u);
    const boardJson = jsonOf(await cli('board', id, '--json')) as Json;
    expect(boardJson.board.assumed?.[0]).toMatchObject({ assumptionId: `${id}.a1`, reversed: false, candidateIds: [target] });

    const reversed = await cli('decide', id, 'reverse', '--assumption', 'a1', '--why', 'I would not have followed it', '--no-run', '--json');
    const { reversal, status } = jsonOf(reversed) as { reversal: { assumptionId: string; prunedIds: string[]; reason: string }; status: string };
    // A reversal is not the answer to the open checkpoint: it still awaits one (exit 10).
    expect(reversed.code, describeResult(reversed)).toBe(status === 'awaiting' ? 10 : 0);
    expect(reversal).toMatchObject({ assumptionId: `${id}.a1`, reason: 'I would not have followed it' });
    expect(reversal.prunedIds.length).toBe(1);

    const shownAfter = jsonOf(await cli('show', id, '--json')) as {
      candidates: Array<{ id: string; pruned: boolean }>;
      ledger: Array<{ kind: string; assumption?: { reversedBy: string | null }; reversal?: { reason: string } }>;
    };
    expect(shownAfter.candidates.find((c) => c.id === reversal.prunedIds[0])?.pruned).toBe(true);
    expect(shownAfter.ledger.find((e) => e.kind === 'assumption')?.assumption?.reversedBy).toBe(`${id}.r1`);
    expect(shownAfter.ledger.find((e) => e.kind === 'reversal')?.reversal?.reason).toBe('I would not have followed it');
    const text = await cli('show', id);
    expect(text.stdout).toContain('a1 assumed for: novelty');
    expect(text.stdout).toContain('r1 reversed a1');

    const again = await cli('decide', id, 'reverse', '--assumption', 'a1', '--why', 'twice');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already reversed');
    expect(again.stderr).not.toMatch(/\n\s+at /u);
    const unknown = await cli('decide', id, 'reverse', '--assumption', 'a9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no assumption "a9"');
    const missing = await cli('decide', id, 'reverse');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('name the one assumption');
  });
});
