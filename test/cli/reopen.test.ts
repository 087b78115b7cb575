import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, EXAMPLES, jsonOf, runCli, tempDir } from '../support/cli.js';
import { OutcomeShape } from '../support/shapes.js';

/**
 * Through the real binary: an exploration that ended on its budget is accepted, then reopened —
 * refused without budget (exit 2, saying how), continued with `--budget`, recorded in the ledger.
 */

describe('baton reopen', () => {
  it('reopens an ended exploration with more budget, in the ledger; refuses a spent budget without --budget', async () => {
    const cwd = tempDir();
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args, { cwd });
    const source = (await import('node:fs')).readFileSync(join(EXAMPLES, 'flaky-tests.md'), 'utf8').replace(/budget:\n {2}calls: \d+/u, 'budget:\n  calls: 14');
    const brief = join(cwd, 'brief.md');
    writeFileSync(brief, source);
    let run = await cli('run', brief, '--json', '--seed', '3', '--no-assume');
    let outcome = OutcomeShape.parse(jsonOf(run));
    const id = outcome.exploration;
    for (let i = 0; i < 8 && run.code === 10; i += 1) {
      run = await cli('decide', id, 'continue', '--why', 'go on', '--json', '--no-assume');
      outcome = OutcomeShape.parse(jsonOf(run));
    }
    expect(outcome.status, describeResult(run)).toBe('stopped');
    expect(run.code).toBe(4);

    const refused = await cli('reopen', id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/budget .* is spent .*--budget/);
    const bad = await cli('reopen', id, '--budget', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--budget "lots": not a budget/);

    const best = outcome.board.cards[0]?.candidateId as string;
    const accepted = await cli('decide', id, 'accept', best.slice(best.lastIndexOf('.') + 1), '--why', 'enough for now');
    expect(accepted.code, describeResult(accepted)).toBe(0);

    const reopened = await cli('reopen', id, '--budget', 'calls=10', '--why', 'one more round', '--no-run', '--json');
    expect(reopened.code, describeResult(reopened)).toBe(0);
    expect(jsonOf(reopened)).toMatchObject({ reopening: { from: 'accepted', budget: { calls: 10 }, reason: 'one more round' }, status: 'running' });
    const show = await cli('show', id);
    expect(show.stdout).toMatch(/reopened \(had ended accepted; \+10 calls\) — why: one more round/);
    const more = await cli('run', id, '--json', '--no-assume');
    expect([4, 10], describeResult(more)).toContain(more.code);
    expect(OutcomeShape.parse(jsonOf(more)).board.spend.calls).toBeLessThanOrEqual(24);
  });
});
