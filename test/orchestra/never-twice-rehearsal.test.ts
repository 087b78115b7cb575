import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import type { ModelPort, ModelRequest } from '../../src/models/port.js';
import { createRehearsalModel } from '../../src/models/rehearsal/index.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { tempDirs } from '../support/crash.js';

/**
 * Property: in a recorded exploration — whatever the seed and the person's decisions — no two
 * requests to the models are byte-identical (messages and seed), and no text is judged twice.
 * The rehearsal model plays writer and judge; a wrapper logs each request as the provider gets it.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

function logged(port: ModelPort, log: ModelRequest[]): ModelPort {
  return { ...port, complete: (request) => (log.push(request), port.complete(request)) };
}

describe('never the same request twice (rehearsal model, seeded property)', () => {
  it('holds across seeds, briefs and decisions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(EXAMPLE_BRIEFS.story, EXAMPLE_BRIEFS.engineering),
        fc.array(fc.constantFrom('continue', 'deepen', 'lens', 'prune'), { minLength: 2, maxLength: 4 }),
        async (seed, brief, actions) => {
          const dir = tmp.make('baton-twice-');
          const log: ModelRequest[] = [];
          const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, concurrency: 3, models: { rehearsal: ({ seed: s }) => logged(createRehearsalModel({ seed: s }), log) } });
          try {
            const id = await baton.start(brief, { seed, model: 'rehearsal', judge: 'rehearsal' });
            let outcome = await baton.run(id);
            for (const action of actions) {
              if (outcome.status !== 'awaiting') break;
              const cards = outcome.board.cards.map((c) => c.candidateId);
              const choice =
                action === 'deepen' && cards[0] ? { action: 'deepen' as const, candidateIds: [cards[0]] }
                : action === 'prune' && cards.length > 2 ? { action: 'prune' as const, candidateIds: [cards[cards.length - 1] as string] }
                : action === 'lens' ? { action: 'lens' as const, lens: 'invert' }
                : { action: 'continue' as const };
              outcome = (await baton.decide(id, { ...choice, reason: 'property' }).catch(async () => ({ outcome: await baton.board(id) }))).outcome;
            }
            expect(log.length).toBeGreaterThan(10);
            const requests = log.map((r) => JSON.stringify({ messages: r.messages, seed: r.seed }));
            expect(requests.filter((r, i) => requests.indexOf(r) !== i)).toEqual([]);
            const judged = log.filter((r) => r.task.kind === 'judge').map((r) => (r.task.kind === 'judge' ? r.task.candidate.text : ''));
            // A text is judged again only against a new brief; these runs never redirect.
            expect(judged.filter((t, i) => judged.indexOf(t) !== i)).toEqual([]);
          } finally {
            await baton.close();
          }
        },
      ),
      { seed: 20261203, numRuns: 6 },
    );
  });
});
