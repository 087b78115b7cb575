import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import type { ModelPort, ModelRequest } from '../../src/models/port.js';
import { tempDirs } from '../support/crash.js';

/**
 * The newcomer's path through the library, on a model that has run dry: its writer gives the same
 * text whatever it is asked. Every copy is flagged, judged once, novelty 0; the exploration is
 * `exhausted` only once nothing untried is left; at that checkpoint `continue` says so and keeps
 * the checkpoint open, a lens explores on, accept works; an ended exploration is accepted and
 * reopened with more budget, in the ledger.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const BRIEF = `---
question: How should a team keep flaky tests from blocking merges?
criteria:
  - { id: clear, text: A newcomer can follow it., weight: 1 }
  - { id: cheap, text: The first step costs under a day., weight: 1 }
lenses:
  - { id: plain, text: Say it plainly. }
  - { id: bold, text: Take a bold position. }
budget: { calls: 200 }
attention: 3
model: sim:dry
---

A test brief.
`;

/** A writer that always writes the same text, and a judge that scores it the same. */
function dryPort(log: ModelRequest[]): ModelPort {
  return {
    info: { id: 'sim:dry', label: 'a model that has run dry', rehearsal: false, pricing: { inputPerMTok: 0, outputPerMTok: 0 }, maxOutputTokens: 1000 },
    complete: async (request) => {
      log.push(request);
      const text =
        request.task.kind === 'judge'
          ? JSON.stringify({ scores: [{ criterion: 'clear', score: 6, reason: 'ok' }, { criterion: 'cheap', score: 5, reason: 'ok' }], constraints: [], flags: [], critique: 'Be concrete.' })
          : 'Quarantine a flaky test on its third rerun; an owner empties the list every sprint.';
      return { text, usage: { inputTokens: 100, outputTokens: 20 }, model: 'sim:dry' };
    },
  };
}

describe('no dead ends, on a model that has run dry', () => {
  it('flags copies, tries what is untried, keeps the exhausted checkpoint open, explores on, accepts, reopens', async () => {
    const dir = tmp.make('baton-dry-');
    const briefPath = join(dir, 'brief.md');
    writeFileSync(briefPath, BRIEF);
    const log: ModelRequest[] = [];
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, models: { 'sim:dry': () => dryPort(log) }, concurrency: 2 });
    try {
      const id = await baton.start(briefPath, { seed: 3 });
      let outcome = await baton.run(id, { assume: false });
      // Waved on past every other checkpoint, it comes to `exhausted` only when nothing untried is left.
      for (let i = 0; i < 10 && outcome.status === 'awaiting' && !outcome.board.reasons.some((r) => r.kind === 'exhausted'); i += 1) {
        outcome = (await baton.decide(id, { action: 'continue', reason: 'go on', run: { assume: false } })).outcome;
      }
      expect(outcome.status).toBe('awaiting');
      expect(outcome.board.reasons.map((r) => r.kind)).toContain('exhausted');

      const view = await baton.show(id);
      const copies = view.candidates.filter((c) => typeof c.duplicateOf === 'string');
      // One text: the first candidate is the original, every other one a flagged copy with novelty 0.
      expect(copies.length).toBe(view.candidates.length - 1);
      for (const copy of copies) expect(copy.novelty).toBe(0);
      // Judged once, whatever the number of copies; and the untried moves were all tried.
      expect(log.filter((r) => r.task.kind === 'judge')).toHaveLength(1);
      expect(view.candidates.filter((c) => c.kind === 'open').length).toBe(6);
      expect(view.candidates.some((c) => c.kind === 'combine')).toBe(true);
      // Never the same request twice.
      const requests = log.map((r) => JSON.stringify({ messages: r.messages, seed: r.seed }));
      expect(requests.filter((r, i) => requests.indexOf(r) !== i)).toEqual([]);

      // `continue` with nothing left: said so, nothing recorded, the checkpoint stays open.
      const checkpoint = outcome.checkpoint?.id;
      const decisions = view.ledger.filter((e) => e.decision).length;
      await expect(baton.decide(id, { action: 'continue', reason: 'try harder' })).rejects.toThrow(/nothing is left for the models to try/);
      const after = await baton.board(id);
      expect(after.status).toBe('awaiting');
      expect(after.checkpoint?.id).toBe(checkpoint);
      expect((await baton.show(id)).ledger.filter((e) => e.decision).length).toBe(decisions);

      // A lens explores on (a new lens is a new request, and a new opening).
      const lensed = await baton.decide(id, { action: 'lens', lens: 'Write it as a checklist for the on-call engineer.', reason: 'another form', run: { assume: false } });
      expect((await baton.show(id)).candidates.length).toBeGreaterThan(view.candidates.length);
      expect(lensed.outcome.status).toBe('awaiting');

      // Accept works at the exhausted checkpoint; then reopening continues with more budget, in the ledger.
      const best = lensed.outcome.board.cards[0]?.candidateId as string;
      const accepted = await baton.decide(id, { action: 'accept', candidateIds: [best], reason: 'good enough' });
      expect(accepted.outcome.status).toBe('accepted');
      await expect(baton.decide(id, { action: 'continue' })).rejects.toThrow(/reopen/);
      const { reopening, outcome: reopened } = await baton.reopen(id, { budget: { calls: 20 }, reason: 'one more look', run: false });
      expect(reopening).toMatchObject({ from: 'accepted', budget: { calls: 20 }, reason: 'one more look' });
      expect(reopened.status).toBe('running');
      const ledger = (await baton.show(id)).ledger;
      expect(ledger.some((e) => e.kind === 'reopening' && e.reopening?.budget.calls === 20)).toBe(true);
      expect(await baton.export(id, 'md')).toMatch(/Reopened/);
    } finally {
      await baton.close();
    }
  });

  it('accepts an exploration that ended on its budget, and reopens it only with more budget', async () => {
    const dir = tmp.make('baton-spent-');
    const briefPath = join(dir, 'brief.md');
    writeFileSync(briefPath, BRIEF.replace('budget: { calls: 200 }', 'budget: { calls: 12 }').replace('sim:dry', 'rehearsal'));
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir });
    try {
      const id = await baton.start(briefPath, { seed: 4 });
      let outcome = await baton.run(id, { assume: false });
      for (let i = 0; i < 10 && outcome.status === 'awaiting'; i += 1) {
        outcome = (await baton.decide(id, { action: 'continue', reason: 'go on', run: { assume: false } })).outcome;
      }
      expect(outcome.status).toBe('stopped');
      await expect(baton.reopen(id, { run: false })).rejects.toThrow(/budget .* is spent .*--budget/);
      const best = outcome.board.cards[0]?.candidateId as string;
      const accepted = await baton.decide(id, { action: 'accept', candidateIds: [best], reason: 'what it found is enough' });
      expect(accepted.outcome.status).toBe('accepted');
      const { outcome: more } = await baton.reopen(id, { budget: { calls: 10 }, run: { assume: false } });
      expect(['awaiting', 'stopped']).toContain(more.status);
      expect(more.board.spend.calls).toBeGreaterThan(outcome.board.spend.calls);
      expect(more.board.spend.calls).toBeLessThanOrEqual(22);
    } finally {
      await baton.close();
    }
  });
});
