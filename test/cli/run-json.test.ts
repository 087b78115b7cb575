import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResult, EXAMPLES, jsonOf, readDb, runCli, tempDir } from '../support/cli.js';
import type { Outcome } from '../support/shapes.js';
import { CandidateShape, OutcomeShape, ShowShape } from '../support/shapes.js';

/**
 * `baton run --json` as a script sees it: one JSON document on stdout, the exit codes of the
 * README's table, the same exploration for the same seed, and the budget and attention honoured.
 */

const TERMINAL_KEYS = ['exhausted', 'budget:spent'];

/** A small brief of our own, so the budget and attention can be set per test. */
function harbourBrief(options: { calls: number; attention: number }): string {
  return `---
intent: Commuters who read our newsletter on the train should want to try one new walking route this month.
question: What short piece about an old harbour walk would make a commuter take it on Saturday, and why?
constraints:
  - max_words: 400
criteria:
  - id: place
    text: The piece names concrete places a reader could find on a map.
    weight: 2
  - id: invitation
    text: The last paragraph gives the reader one clear first step.
    weight: 2
  - id: length
    check: { min_words: 150 }
    weight: 1
lenses: [emotional-arc, change-audience, minimal]
budget: { calls: ${options.calls} }
attention: ${options.attention}
model: rehearsal
judge: rehearsal
---
The harbour walk is 4 km long and passes the fish market, the old customs house and the ferry pier.
`;
}

function writeBrief(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Drops the exploration id from candidate ids (`x1a2b3c.c4` → `c4`): the id is random, the rest is not. */
const local = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

describe('baton run --json', () => {
  it('prints one JSON object: the exploration, its status, the checkpoint with reasons, the board and the rehearsal label', async () => {
    const cwd = tempDir();
    const result = await runCli(['run', join(EXAMPLES, 'lighthouse-story.md'), '--json', '--seed', '5'], { cwd });
    expect([0, 4, 10], describeResult(result)).toContain(result.code);
    // The whole of stdout is one document: nothing else is printed there.
    const outcome = OutcomeShape.parse(jsonOf(result));
    expect(['awaiting', 'accepted', 'exhausted', 'stopped']).toContain(outcome.status);
    expect(result.code).toBe(outcome.status === 'awaiting' ? 10 : outcome.status === 'stopped' ? 4 : 0);
    expect(outcome.label).toContain('rehearsal');
    expect(outcome.interrupted).toBe(false);
    expect(outcome.board.explorationId).toBe(outcome.exploration);
    if (outcome.status === 'awaiting') {
      expect(outcome.checkpoint?.reasons.length).toBeGreaterThan(0);
      expect(outcome.board.checkpointId).toBe(outcome.checkpoint?.id);
    }
    expect(outcome.board.cards.length).toBeGreaterThan(0);
    for (const card of outcome.board.cards) expect(card.candidateId.startsWith(`${outcome.exploration}.c`)).toBe(true);
    // Messages go to stderr, and with no terminal there is no live progress.
    expect(result.stderr).toContain(`Started exploration ${outcome.exploration}\n`);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toContain('\u001b[');
    expect(existsSync(join(cwd, '.baton', 'baton.db'))).toBe(true);
  });

  it('explores the same way for the same brief and seed, in two different database files', async () => {
    const cwd = tempDir();
    const brief = join(EXAMPLES, 'flaky-tests.md');
    const explore = async (db: string, seed: string): Promise<{ show: unknown; texts: Map<string, string>; id: string }> => {
      // BATON_DB chooses the file; the working directory stays untouched.
      const env = { BATON_DB: join(cwd, db) };
      const run = await runCli(['run', brief, '--json', '--seed', seed], { cwd, env });
      expect([0, 4, 10], describeResult(run)).toContain(run.code);
      const id = OutcomeShape.parse(jsonOf(run)).exploration;
      const show = ShowShape.parse(jsonOf(await runCli(['show', id, '--json'], { cwd, env })));
      const normalised = show.candidates.map((c) => ({ ...c, id: local(c.id), parentIds: c.parentIds.map(local) }));
      const texts = readDb(join(cwd, db), (d) => {
        const rows = d.prepare('SELECT id, text FROM candidates WHERE exploration_id = ?').all(id) as Array<{ id: string; text: string }>;
        return new Map(rows.map((row) => [local(row.id), row.text]));
      });
      return { show: normalised, texts, id };
    };

    const first = await explore('first.db', '11');
    const second = await explore('second.db', '11');
    expect(existsSync(join(cwd, '.baton'))).toBe(false);
    expect(second.id).not.toBe(first.id);
    expect(second.show).toEqual(first.show);
    expect(first.texts.size).toBeGreaterThan(0);
    expect(second.texts).toEqual(first.texts);

    // What `show <id> <candidate> --json` prints matches too, for the first, the last and one between.
    const ids = [...first.texts.keys()];
    for (const candidate of [ids[0], ids[Math.floor(ids.length / 2)], ids.at(-1)] as string[]) {
      const [a, b] = await Promise.all(
        [first, second].map(async (run, i) => {
          const env = { BATON_DB: join(cwd, i === 0 ? 'first.db' : 'second.db') };
          const view = CandidateShape.parse(jsonOf(await runCli(['show', run.id, candidate, '--json'], { cwd, env })));
          return { text: view.candidate.text, kind: view.candidate.kind, lens: view.candidate.lensId, lineage: view.lineage.map(local), quality: view.judgment?.quality };
        }),
      );
      expect(b).toEqual(a);
      expect(a?.text).toBe(first.texts.get(candidate));
    }

    // And the seed matters: another seed explores differently.
    const other = await explore('third.db', '12');
    expect(other.texts).not.toEqual(first.texts);
  });
});

describe('the budget', () => {
  it('stops at a `budget` checkpoint (exit 10) once a tiny budget is spent, never spending more than it allows', async () => {
    const cwd = tempDir();
    const brief = writeBrief(cwd, 'tiny.md', harbourBrief({ calls: 6, attention: 3 }));
    const result = await runCli(['run', brief, '--json', '--seed', '3'], { cwd });
    expect([4, 10], describeResult(result)).toContain(result.code);
    const outcome = OutcomeShape.parse(jsonOf(result));
    expect(outcome.board.spend.calls).toBeLessThanOrEqual(6);
    if (result.code === 4) {
      expect(outcome.status).toBe('stopped');
      return;
    }
    expect(outcome.status).toBe('awaiting');
    expect(outcome.checkpoint?.reasons.map((r) => r.kind)).toContain('budget');
    expect(outcome.checkpoint?.reasons.map((r) => r.key)).toContain('budget:spent');
    expect(outcome.board.spend.share).toBe(1);

    // Going on when nothing is left: exit 4, the README's "budget exhausted".
    const id = outcome.exploration;
    const calls = (): number => readDb(join(cwd, '.baton', 'baton.db'), (d) => d.prepare('SELECT count(*) FROM calls').pluck().get() as number);
    const callsBefore = calls();
    const go = await runCli(['decide', id, 'continue', '--why', 'see what is left', '--json'], { cwd });
    expect(go.code, describeResult(go)).toBe(4);
    const ended = OutcomeShape.parse(jsonOf(go));
    expect(ended.status).toBe('stopped');
    expect(ended.endReason).toMatch(/budget/u);
    expect(ended.checkpoint).toBeNull();
    expect(ended.board.spend.calls).toBeLessThanOrEqual(6);
    expect(calls()).toBe(callsBefore);

    // Resuming or looking at it again says the same; no model call is made.
    const resumed = await runCli(['run', id, '--json'], { cwd });
    expect(resumed.code, describeResult(resumed)).toBe(4);
    expect(OutcomeShape.parse(jsonOf(resumed)).status).toBe('stopped');
    const board = await runCli(['board', id], { cwd });
    expect(board.code, describeResult(board)).toBe(4);
    expect(calls()).toBe(callsBefore);

    // There is nothing left to decide: that is the person's mistake (exit 2), not a budget stop.
    const again = await runCli(['decide', id, 'continue', '--why', 'once more'], { cwd });
    expect(again.code, describeResult(again)).toBe(2);
    expect(again.stderr).toMatch(/has ended \(stopped\)/u);
  });
});

describe('attention: 0', () => {
  it('runs to the end, stopping only at terminal checkpoints (nothing left, or the budget spent)', async () => {
    const cwd = tempDir();
    const brief = writeBrief(cwd, 'no-attention.md', harbourBrief({ calls: 80, attention: 0 }));
    const outcomes: Outcome[] = [];
    let result = await runCli(['run', brief, '--json', '--seed', '3'], { cwd });
    for (let round = 0; ; round += 1) {
      expect([0, 4, 10], describeResult(result)).toContain(result.code);
      const outcome = OutcomeShape.parse(jsonOf(result));
      outcomes.push(outcome);
      if (result.code !== 10) break;
      expect(round, 'the exploration ends within a few terminal checkpoints').toBeLessThan(8);
      const keys = outcome.checkpoint?.reasons.map((r) => r.key) ?? [];
      expect(keys.some((key) => TERMINAL_KEYS.includes(key)), `checkpoint ${outcome.checkpoint?.id} raised for ${keys.join(', ')}`).toBe(true);
      result = await runCli(['decide', outcome.exploration, 'continue', '--why', 'keep going without me', '--json'], { cwd });
    }
    const last = outcomes.at(-1) as Outcome;
    expect(['exhausted', 'stopped']).toContain(last.status);
    expect(result.code).toBe(last.status === 'stopped' ? 4 : 0);
    expect(last.endReason).not.toBeNull();

    // The database agrees: every checkpoint raised carries a terminal reason.
    const reasons = readDb(join(cwd, '.baton', 'baton.db'), (d) => d.prepare('SELECT reasons_json FROM checkpoints').pluck().all() as string[]);
    expect(reasons.length).toBe(outcomes.length - 1);
    for (const json of reasons) {
      const keys = (JSON.parse(json) as Array<{ key: string }>).map((r) => r.key);
      expect(keys.some((key) => TERMINAL_KEYS.includes(key))).toBe(true);
    }
  });
});
