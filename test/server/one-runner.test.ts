import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { isBatonError } from '../../src/errors.js';
import type { ExplorationDetail, StartedResponse } from '../../src/server/contract.js';
import type { TestServer } from './fixture.js';
import { json, LIGHTHOUSE, testServer } from './fixture.js';

/** Waits until no run holds the exploration. */
async function idle(t: TestServer, id: string): Promise<ExplorationDetail> {
  for (let tries = 0; tries < 2400; tries += 1) {
    const detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    if (!detail.running) return detail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`exploration ${id} is still running`);
}

describe('baton serve: one runner at a time', async () => {
  const t = await testServer({ baton: { latencyMs: 20 } });

  it('records exactly one of 20 conflicting decisions raced through HTTP and the library, and answers the rest 409', { timeout: 240_000 }, async () => {
    const started = await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 4 } });
    expect(started.status).toBe(202);
    const { id } = json<StartedResponse>(started);
    const detail = await idle(t, id);
    expect(detail.status).toBe('awaiting');
    const cards = detail.board.cards.map((c) => c.candidateId);
    expect(cards.length).toBeGreaterThan(1);

    const library = Baton.open({ db: t.db, latencyMs: 20 });
    // Each racer answers the board it saw: checkpoint k1.
    const checkpointId = detail.checkpoint?.id as string;
    const bodies = Array.from({ length: 20 }, (_, i) =>
      i % 3 === 0
        ? { action: 'accept', candidateIds: [cards[i % cards.length]], reason: `racer ${i}`, checkpointId }
        : i % 3 === 1
          ? { action: 'continue', reason: `racer ${i}`, checkpointId }
          : { action: 'prune', candidateIds: [cards[i % cards.length]], reason: `racer ${i}`, checkpointId },
    );
    const outcomes = await Promise.all(
      bodies.map(async (body, i) => {
        if (i % 2 === 0) {
          const response = await t.browser(`/api/explorations/${id}/decisions`, { body });
          return response.status === 202 ? 'recorded' : `${response.status} ${(json<{ code: string }>(response)).code}`;
        }
        try {
          await library.decide(id, { action: body.action as 'accept', ...(body.candidateIds ? { candidateIds: body.candidateIds as string[] } : {}), reason: body.reason, checkpointId, run: false });
          return 'recorded';
        } catch (error) {
          if (!isBatonError(error)) throw error;
          return `${error.status} ${error.code}`;
        }
      }),
    );
    await idle(t, id);
    const made = (await library.store.readEvents(id)).filter((e) => e.event.type === "decision.made" || e.event.type === "exploration.ended").map((e) => `${e.seq} ${JSON.stringify(e.event).slice(0, 200)}`);
    expect(outcomes.filter((o) => o === "recorded"), `${outcomes.join(", ")}\n${made.join("\n")}`).toHaveLength(1);
    for (const outcome of outcomes) expect(['recorded', '409 conflict', '409 exploration_busy']).toContain(outcome);
    const events = await library.store.readEvents(id);
    expect(events.filter((e) => e.event.type === 'decision.made')).toHaveLength(1);
    await library.close();
  });

  it('refuses to run an accepted exploration (409 with a problem body), and shows a lease held elsewhere as running', { timeout: 240_000 }, async () => {
    const { id } = json<StartedResponse>(await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 9 } }));
    const detail = await idle(t, id);
    const library = Baton.open({ db: t.db });
    try {
      // Another process (pid 1 runs on every host) holds the lease: nothing here may start a run.
      await library.store.acquireLease(id, { holder: 'elsewhere', pid: 1, host: hostname(), at: new Date().toISOString() });
      const leased = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
      expect(leased.running).toBe(true);
      expect(leased.lease).toMatchObject({ pid: 1, host: hostname(), elsewhere: true });
      const busy = await t.browser(`/api/explorations/${id}/run`, { body: {} });
      expect(busy.status).toBe(409);
      expect(json(busy)).toMatchObject({ code: 'exploration_busy', message: expect.stringContaining('is being explored by pid 1') as unknown });
      await library.store.releaseLease(id, 'elsewhere');

      await library.decide(id, { action: 'accept', candidateIds: [detail.board.cards[0]?.candidateId as string], reason: 'done', run: false });
      const again = await t.browser(`/api/explorations/${id}/run`, { body: {} });
      expect(again.status).toBe(409);
      expect(json(again)).toMatchObject({ code: 'conflict', message: expect.stringContaining('has ended (accepted)') as unknown });
      expect(json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`))).toMatchObject({ status: 'accepted', running: false, lease: null });
    } finally {
      await library.close();
    }
  });
});
