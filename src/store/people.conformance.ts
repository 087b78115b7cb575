import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBatonError } from '../errors.js';
import { fixtureBrief, fixtureBriefSource, fixtureCandidate, fixtureCheckpoint, fixtureCreated, fixtureDecision } from './fixtures.js';
import type { ExplorationRecord, Store } from './store.js';

/**
 * People, shares and who made a decision: the behaviour every `Store` adapter must have, run from
 * each adapter's test file beside `storeConformance`.
 */
export function peopleConformance(name: string, makeStore: () => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`People conformance: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      const made = await makeStore();
      store = made.store;
      cleanup = () => made.cleanup();
    });
    afterEach(async () => {
      await cleanup();
    });

    async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
      const error: unknown = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      return isBatonError(error) ? error.code : `not a BatonError: ${String(error)}`;
    }

    async function newExploration(id: string): Promise<ExplorationRecord> {
      const brief = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
      return store.createExploration({ id, briefId: brief.id, seed: 7, model: 'rehearsal', judge: 'rehearsal', title: 'Name the tool', created: fixtureCreated(brief.id) });
    }

    it('adds people by name, finds them by token hash only, refuses a taken name, and removes them', async () => {
      await store.addPerson({ name: 'bo', tokenHash: 'b'.repeat(64), createdAt: '2025-01-01T00:00:00.000Z' });
      await store.addPerson({ name: 'ada', tokenHash: 'a'.repeat(64), createdAt: '2025-01-01T00:00:01.000Z' });
      expect(await store.listPeople()).toEqual([
        { name: 'ada', createdAt: '2025-01-01T00:00:01.000Z' },
        { name: 'bo', createdAt: '2025-01-01T00:00:00.000Z' },
      ]);
      expect(await store.personByTokenHash('a'.repeat(64))).toEqual({ name: 'ada', createdAt: '2025-01-01T00:00:01.000Z' });
      expect(await store.personByTokenHash('c'.repeat(64))).toBeUndefined();
      expect(await codeOf(store.addPerson({ name: 'ada', tokenHash: 'd'.repeat(64), createdAt: 't' }))).toBe('conflict');
      expect(await store.removePerson('ada')).toBe(true);
      expect(await store.removePerson('ada')).toBe(false);
      expect(await store.personByTokenHash('a'.repeat(64))).toBeUndefined();
      expect((await store.listPeople()).map((p) => p.name)).toEqual(['bo']);
    });

    it('shares an exploration read-only or to decide, changes and takes it back, and drops it with the person or the exploration', async () => {
      const x = await newExploration('x_people1');
      const y = await newExploration('x_people2');
      await store.addPerson({ name: 'ada', tokenHash: 'a'.repeat(64), createdAt: 't0' });
      await store.addPerson({ name: 'bo', tokenHash: 'b'.repeat(64), createdAt: 't0' });
      expect(await store.share({ explorationId: x.id, person: 'ada', access: 'read', createdAt: 't1' })).toEqual({ explorationId: x.id, person: 'ada', access: 'read', createdAt: 't1' });
      expect((await store.share({ explorationId: x.id, person: 'ada', access: 'decide', createdAt: 't2' })).access).toBe('decide');
      await store.share({ explorationId: x.id, person: 'bo', access: 'read', createdAt: 't3' });
      await store.share({ explorationId: y.id, person: 'bo', access: 'decide', createdAt: 't4' });
      expect((await store.listShares(x.id)).map((s) => [s.person, s.access])).toEqual([
        ['ada', 'decide'],
        ['bo', 'read'],
      ]);
      expect(await codeOf(store.share({ explorationId: x.id, person: 'cy', access: 'read', createdAt: 't' }))).toBe('invalid_input');
      expect(await codeOf(store.share({ explorationId: 'x_none', person: 'ada', access: 'read', createdAt: 't' }))).toBe('not_found');

      expect(await store.unshare(x.id, 'bo')).toBe(true);
      expect(await store.unshare(x.id, 'bo')).toBe(false);
      await store.removePerson('ada');
      expect(await store.listShares(x.id)).toEqual([]);
      await store.deleteExploration(y.id);
      expect(await store.listShares()).toEqual([]);
    });

    it('keeps who made each decision, and none for the store owner, also after the person is removed', async () => {
      const x = await newExploration('x_people3');
      const c1 = fixtureCandidate(x.id, 1);
      await store.addPerson({ name: 'ada', tokenHash: 'a'.repeat(64), createdAt: 't0' });
      await store.commit(x.id, { events: [{ type: 'candidate.added', candidate: c1 }, { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k_p1', c1.id) }] });
      await store.commit(x.id, { events: [{ type: 'decision.made', decision: fixtureDecision(x.id, 'd_p1', 'k_p1', { action: 'continue', actor: 'ada' }) }] });
      await store.commit(x.id, { events: [{ type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k_p2', c1.id) }] });
      await store.commit(x.id, { events: [{ type: 'decision.made', decision: fixtureDecision(x.id, 'd_p2', 'k_p2', { action: 'continue' }) }] });
      await store.removePerson('ada');
      const decisions = (await store.readEvents(x.id)).flatMap(({ event }) => (event.type === 'decision.made' ? [event.decision] : []));
      expect(decisions.map((d) => [d.id, d.actor])).toEqual([
        ['d_p1', 'ada'],
        ['d_p2', undefined],
      ]);
      expect('actor' in (decisions[1] ?? {})).toBe(false);
    });
  });
}
