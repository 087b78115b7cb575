import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExplorationEvent, ExplorationStatus } from '../explore/events.js';
import { isBatonError } from '../errors.js';
import {
  fixtureBrief,
  fixtureBriefSource,
  fixtureCandidate,
  fixtureCheckpoint,
  fixtureCreated,
  fixtureDecision,
  fixtureJudgment,
  fixtureLens,
} from './fixtures.js';
import type { CallIntent, CallRecord, ExplorationRecord, SpendTotals, Store } from './store.js';

/**
 * The behaviour every `Store` adapter must have. Run it from the adapter's own test file:
 *
 * @example
 * storeConformance('sqlite (memory)', async () => {
 *   const store = openSqliteStore(':memory:');
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function storeConformance(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
): void {
  describe(`Store conformance: ${name}`, () => {
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

    async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
      const error: unknown = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBatonError(error), `expected a BatonError(${code}), got ${String(error)}`).toBe(true);
      expect((error as { code: string }).code).toBe(code);
      return error as Error;
    }

    async function newExploration(id = 'x_0001'): Promise<ExplorationRecord> {
      const brief = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
      return store.createExploration({
        id,
        briefId: brief.id,
        seed: 7,
        model: 'rehearsal',
        judge: 'rehearsal',
        title: 'Name the tool',
        created: fixtureCreated(brief.id),
      });
    }

    const intent = (key: string, explorationId: string | null, reservedUsd = 0.002): CallIntent => ({
      key,
      explorationId,
      purpose: 'open',
      model: 'rehearsal:default',
      reservedTokens: 500,
      reservedUsd,
    });

    describe('briefs', () => {
      it('saves versions in a lineage and reads them back whole', async () => {
        const v1 = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief(), path: 'brief.md' });
        expect(v1).toMatchObject({ lineageId: v1.id, version: 1, parentId: null, path: 'brief.md', note: null });
        expect(await store.getBrief(v1.id)).toStrictEqual(v1);

        const v2 = await store.saveBrief({
          source: 'changed',
          brief: fixtureBrief({ question: 'What else?', intent: 'Other' }),
          parentId: v1.id,
          note: 'narrowed',
        });
        expect(v2).toMatchObject({ lineageId: v1.id, version: 2, parentId: v1.id, path: null, note: 'narrowed' });
        const v3 = await store.saveBrief({ source: 'again', brief: fixtureBrief(), parentId: v2.id });
        expect(v3).toMatchObject({ lineageId: v1.id, version: 3, parentId: v2.id });
        expect(await store.getBrief(v2.id)).toStrictEqual(v2);
        expect((await store.getBrief(v2.id))?.brief.question).toBe('What else?');

        const other = await store.saveBrief({ source: 'other', brief: fixtureBrief({ lenses: 'auto' }) });
        expect(other).toMatchObject({ lineageId: other.id, version: 1 });
        expect(new Set([v1.id, v2.id, v3.id, other.id]).size).toBe(4);
        expect((await store.getBrief(other.id))?.brief.lenses).toBe('auto');
      });

      it('keeps optional brief fields absent', async () => {
        const { intent: _omitted, ...rest } = fixtureBrief();
        const saved = await store.saveBrief({ source: 's', brief: rest });
        const read = await store.getBrief(saved.id);
        expect(read?.brief).toStrictEqual(rest);
        expect(read && 'intent' in read.brief).toBe(false);
      });

      it('branches a lineage instead of colliding when a parent gets a second child', async () => {
        const v1 = await store.saveBrief({ source: 'a', brief: fixtureBrief() });
        const a = await store.saveBrief({ source: 'b', brief: fixtureBrief(), parentId: v1.id });
        const b = await store.saveBrief({ source: 'c', brief: fixtureBrief(), parentId: v1.id });
        expect([a.version, b.version]).toEqual([2, 3]);
        expect(b.parentId).toBe(v1.id);
      });

      it('refuses an unknown parent and returns undefined for an unknown id', async () => {
        await expectCode(store.saveBrief({ source: 's', brief: fixtureBrief(), parentId: 'b_missing' }), 'not_found');
        expect(await store.getBrief('b_missing')).toBeUndefined();
      });
    });

    describe('explorations', () => {
      it('creates an exploration with its first event', async () => {
        const x = await newExploration();
        expect(x).toMatchObject({ id: 'x_0001', status: 'running', currentBriefId: x.briefId, seed: 7, title: 'Name the tool' });
        expect(await store.getExploration(x.id)).toStrictEqual(x);
        const events = await store.readEvents(x.id);
        expect(events.map((e) => e.event)).toStrictEqual([fixtureCreated(x.briefId)]);
        expect(events[0]?.explorationId).toBe(x.id);
        expect(await store.getExploration('x_none')).toBeUndefined();
      });

      it('lists explorations newest first', async () => {
        await newExploration('x_first');
        await newExploration('x_second');
        await newExploration('x_third');
        expect((await store.listExplorations()).map((x) => x.id)).toEqual(['x_third', 'x_second', 'x_first']);
      });

      it('refuses a duplicate id and an unknown brief', async () => {
        const x = await newExploration();
        await expectCode(newExploration(x.id), 'conflict');
        await expectCode(
          store.createExploration({
            id: 'x_other',
            briefId: 'b_missing',
            seed: 1,
            model: 'm',
            judge: 'j',
            title: 't',
            created: fixtureCreated('b_missing'),
          }),
          'not_found',
        );
        expect(await store.getExploration('x_other')).toBeUndefined();
      });

      it('keeps status, current brief and updatedAt in step with events', async () => {
        const x = await newExploration();
        const c1 = fixtureCandidate(x.id, 1);
        await store.commit(x.id, { events: [{ type: 'candidate.added', candidate: c1 }] });
        expect((await store.getExploration(x.id))?.status).toBe('running');

        await store.commit(x.id, { events: [{ type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k1', c1.id) }] });
        expect((await store.getExploration(x.id))?.status).toBe('awaiting');

        const v2 = await store.saveBrief({ source: 's2', brief: fixtureBrief(), parentId: x.briefId });
        await store.commit(x.id, {
          events: [
            { type: 'decision.made', decision: fixtureDecision(x.id, 'd1', 'k1', { action: 'redirect', briefId: v2.id }) },
            { type: 'brief.redirected', briefId: v2.id, lenses: [fixtureLens] },
          ],
        });
        let now = await store.getExploration(x.id);
        expect(now).toMatchObject({ status: 'running', briefId: x.briefId, currentBriefId: v2.id });
        expect(now && now.updatedAt >= x.updatedAt).toBe(true);

        await store.commit(x.id, { events: [{ type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k2', c1.id) }] });
        await store.commit(x.id, {
          events: [{ type: 'decision.made', decision: fixtureDecision(x.id, 'd2', 'k2', { action: 'accept', candidateIds: [c1.id] }) }],
        });
        expect((await store.getExploration(x.id))?.status).toBe('awaiting');
        await store.commit(x.id, { events: [{ type: 'exploration.ended', status: 'accepted', candidateId: c1.id, reason: 'chosen' }] });
        now = await store.getExploration(x.id);
        expect(now?.status).toBe('accepted');
        expect((await store.listExplorations())[0]?.status).toBe('accepted');
      });

      it('refuses to commit to an unknown exploration', async () => {
        await expectCode(store.commit('x_none', { events: [{ type: 'trigger.deferred', key: 'k', kind: 'novelty' }] }), 'not_found');
      });
    });

    describe('events', () => {
      it('round-trips every event type deep-equal, in order, with seq and time', async () => {
        const x = await newExploration();
        const c1 = fixtureCandidate(x.id, 1);
        const c2 = fixtureCandidate(x.id, 2, { kind: 'deepen', parentIds: [c1.id], depth: 1, embedding: new Float32Array([1.5, Math.PI]) });
        const v2 = await store.saveBrief({ source: 's2', brief: fixtureBrief(), parentId: x.briefId });
        const events: ExplorationEvent[] = [
          { type: 'move.planned', move: { id: `${x.id}:m1`, kind: 'open', parentIds: [], lens: fixtureLens, origin: 'policy' } },
          { type: 'candidate.added', candidate: c1 },
          { type: 'candidate.judged', judgment: fixtureJudgment(c1.id, x.briefId) },
          {
            type: 'move.planned',
            move: { id: `${x.id}:m2`, kind: 'deepen', parentIds: [c1.id], lens: fixtureLens, origin: 'decision', feedback: 'shorter' },
          },
          { type: 'candidate.added', candidate: c2 },
          { type: 'candidate.judged', judgment: fixtureJudgment(c2.id, x.briefId, { parentSimilarity: 0.75, failed: [{ constraint: 'x', reason: 'y' }] }) },
          { type: 'path.exhausted', candidateId: c2.id, reason: 'no gain' },
          { type: 'trigger.deferred', key: 'novelty:1', kind: 'novelty' },
          { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k1', c1.id) },
          {
            type: 'decision.made',
            decision: fixtureDecision(x.id, 'd1', 'k1', {
              action: 'redirect',
              candidateIds: [c1.id, c2.id],
              feedback: 'f',
              lens: 'custom lens text',
              briefId: v2.id,
            }),
          },
          { type: 'brief.redirected', briefId: v2.id, lenses: [fixtureLens, { ...fixtureLens, id: 'plain', builtin: false }] },
          { type: 'lens.added', lens: { id: 'new-lens', name: 'New', text: 'Try this.', builtin: false } },
          {
            type: 'checkpoint.assumed',
            assumption: {
              id: `${x.id}.a1`,
              explorationId: x.id,
              checkpointId: `${x.id}.s1`,
              reasons: [{ kind: 'novelty', key: 'novelty:2', reason: 'far from the rest', candidateIds: [c2.id] }],
              shown: [c1.id, c2.id],
              action: 'deepen',
              candidateIds: [c2.id],
              confidence: 0.91,
              backing: { count: 14, accuracy: 0.93 },
              createdAt: 't',
            },
          },
          { type: 'assumption.reversed', reversal: { id: `${x.id}.r1`, explorationId: x.id, assumptionId: `${x.id}.a1`, reason: 'not that', prunedIds: [], createdAt: 't' } },
          { type: 'decision.made', decision: { id: 'd2', explorationId: x.id, checkpointId: null, action: 'continue', candidateIds: [], createdAt: 't' } },
          { type: 'exploration.ended', status: 'stopped', reason: 'person stopped' },
        ];
        const stored = await store.commit(x.id, { events: events.slice(0, 7) });
        stored.push(...(await store.commit(x.id, { events: events.slice(7) })));

        expect(stored.map((s) => s.event)).toStrictEqual(events);
        const seqs = stored.map((s) => s.seq);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(seqs.length);
        for (const s of stored) {
          expect(s.explorationId).toBe(x.id);
          expect(new Date(s.at).toISOString()).toBe(s.at);
        }

        const read = await store.readEvents(x.id);
        expect(read[0]?.event.type).toBe('exploration.created');
        expect(read.slice(1)).toStrictEqual(stored);
        const lastDecision = read.at(-2)?.event;
        expect(lastDecision?.type === 'decision.made' && Object.keys(lastDecision.decision).sort()).toEqual(
          ['action', 'candidateIds', 'checkpointId', 'createdAt', 'explorationId', 'id'],
        );
        const ended = read.at(-1)?.event;
        expect(ended && 'candidateId' in ended).toBe(false);
        const added = read.find((e) => e.event.type === 'candidate.added')?.event;
        expect(added?.type === 'candidate.added' && added.candidate.embedding).toBeInstanceOf(Float32Array);
      });

      it('reads events after a given seq, per exploration', async () => {
        const x = await newExploration('x_a');
        const y = await newExploration('x_b');
        const first = await store.commit(x.id, {
          events: [
            { type: 'trigger.deferred', key: 'a', kind: 'novelty' },
            { type: 'trigger.deferred', key: 'b', kind: 'novelty' },
          ],
        });
        await store.commit(y.id, { events: [{ type: 'trigger.deferred', key: 'y', kind: 'novelty' }] });
        const third = await store.commit(x.id, { events: [{ type: 'trigger.deferred', key: 'c', kind: 'novelty' }] });

        const after = await store.readEvents(x.id, first[0]?.seq);
        expect(after.map((e) => e.event)).toStrictEqual([first[1]?.event, third[0]?.event]);
        expect(await store.readEvents(x.id, third[0]?.seq)).toEqual([]);
        expect((await store.readEvents(y.id)).map((e) => e.event.type)).toEqual(['exploration.created', 'trigger.deferred']);
        expect(await store.readEvents('x_none')).toEqual([]);
      });

      it('stores a candidate once; a fork points at existing ancestors by id', async () => {
        const x = await newExploration();
        const root = fixtureCandidate(x.id, 1);
        const child = fixtureCandidate(x.id, 2, { kind: 'deepen', parentIds: [root.id], depth: 1, text: 'Deeper.' });
        const other = fixtureCandidate(x.id, 3, { text: 'Another root.' });
        const merged = fixtureCandidate(x.id, 4, { kind: 'combine', parentIds: [other.id, child.id], depth: 2, text: 'Both.' });
        for (const candidate of [root, child, other, merged]) {
          await store.commit(x.id, { events: [{ type: 'candidate.added', candidate }] });
        }
        const listed = await store.listCandidates(x.id);
        expect(listed).toStrictEqual([root, child, other, merged]);
        const ids = new Set(listed.map((c) => c.id));
        for (const candidate of listed) for (const parentId of candidate.parentIds) expect(ids.has(parentId)).toBe(true);
        expect(await store.getCandidate(merged.id)).toStrictEqual(merged);
        expect((await store.getCandidate(merged.id))?.parentIds).toEqual([other.id, child.id]);
        expect(await store.getCandidate('nope')).toBeUndefined();
        expect(await store.listCandidates('x_none')).toEqual([]);
      });

      it('lists judgments of an exploration', async () => {
        const x = await newExploration();
        const c1 = fixtureCandidate(x.id, 1);
        const j1 = fixtureJudgment(c1.id, x.briefId);
        await store.commit(x.id, { events: [{ type: 'candidate.added', candidate: c1 }, { type: 'candidate.judged', judgment: j1 }] });
        expect(await store.listJudgments(x.id)).toStrictEqual([j1]);
        await expectCode(store.commit(x.id, { events: [{ type: 'candidate.judged', judgment: { ...j1, id: 'j-again' } }] }), 'conflict');
      });

      it('refuses a second candidate for a move and keeps nothing of that commit', async () => {
        const x = await newExploration();
        const c1 = fixtureCandidate(x.id, 1);
        await store.beginCall(intent('call-1', x.id));
        await store.commit(x.id, { events: [{ type: 'candidate.added', candidate: c1 }] });
        const before = await store.readEvents(x.id);

        await store.beginCall(intent('call-2', x.id));
        const fresh = fixtureCandidate(x.id, 2);
        const duplicate = fixtureCandidate(x.id, 3, { moveId: c1.moveId });
        await expectCode(
          store.commit(x.id, {
            events: [
              { type: 'candidate.added', candidate: fresh },
              { type: 'candidate.judged', judgment: fixtureJudgment(c1.id, x.briefId) },
              { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k1', c1.id) },
              { type: 'candidate.added', candidate: duplicate },
            ],
            calls: [{ key: 'call-2', status: 'done', output: 'text', usage: { inputTokens: 1, outputTokens: 2 }, usd: 0.1, latencyMs: 5 }],
          }),
          'conflict',
        );

        expect(await store.readEvents(x.id)).toStrictEqual(before);
        expect(await store.getCandidate(fresh.id)).toBeUndefined();
        expect(await store.getCandidate(duplicate.id)).toBeUndefined();
        expect(await store.listCandidates(x.id)).toStrictEqual([c1]);
        expect(await store.listJudgments(x.id)).toEqual([]);
        expect((await store.getExploration(x.id))?.status).toBe('running');
        expect((await store.getCall('call-2'))?.status).toBe('intent');
      });
    });

    describe('calls', () => {
      it('records whether a structured answer was valid, repaired or unusable', async () => {
        const x = await newExploration();
        const usage = { inputTokens: 10, outputTokens: 5 };
        for (const [key, answer] of [['a1', 'valid'], ['a2', 'repaired'], ['a3', 'invalid']] as const) {
          await store.beginCall({ ...intent(key, x.id), purpose: 'judge' });
          await store.finishCall({ key, status: 'done', output: '{}', usage, usd: 0, latencyMs: 1, answer });
        }
        await store.beginCall(intent('a4', x.id));
        await store.finishCall({ key: 'a4', status: 'done', output: 'prose', usage, usd: 0, latencyMs: 1 });
        expect((await store.listCalls(x.id)).map((c) => [c.key, c.answer])).toEqual([
          ['a1', 'valid'],
          ['a2', 'repaired'],
          ['a3', 'invalid'],
          ['a4', null],
        ]);
        // Read one at a time, as a resumed call is, the check comes back too.
        expect((await store.getCall('a2'))?.answer).toBe('repaired');
        expect((await store.getCall('a4'))?.answer).toBeNull();
      });

      it('records an intent, then its result, and totals the spend', async () => {
        const x = await newExploration();
        await store.beginCall(intent('k1', x.id, 0.003));
        await store.beginCall({ ...intent('k1', x.id, 9), model: 'other' });
        const begun = await store.getCall('k1');
        expect(begun).toMatchObject({
          key: 'k1',
          explorationId: x.id,
          purpose: 'open',
          model: 'rehearsal:default',
          status: 'intent',
          reservedTokens: 500,
          reservedUsd: 0.003,
          output: null,
          usage: null,
          usd: null,
          latencyMs: null,
          finishedAt: null,
        });
        expect(typeof begun?.startedAt).toBe('string');
        expect(await store.spend(x.id)).toEqual({ calls: 0, tokens: 0, usd: 0, estimatedCalls: 0, possiblyBilled: 1, possiblyBilledUsd: 0.003 });

        await store.beginCall({ ...intent('k2', x.id), purpose: 'judge' });
        await store.beginCall(intent('k3', x.id, 0.004));
        await store.beginCall(intent('elsewhere', null, 1));
        await store.commit(x.id, {
          events: [],
          calls: [
            { key: 'k1', status: 'done', output: 'answer', usage: { inputTokens: 100, outputTokens: 50 }, usd: 0.001, latencyMs: 12 },
            { key: 'k2', status: 'failed', output: 'timeout', usage: { inputTokens: 100, outputTokens: 0 }, usd: 0.0005, latencyMs: 3000 },
          ],
        });
        expect(await store.getCall('k1')).toMatchObject({
          status: 'done',
          output: 'answer',
          usage: { inputTokens: 100, outputTokens: 50 },
          usd: 0.001,
          latencyMs: 12,
          reservedUsd: 0.003,
        });
        expect(typeof (await store.getCall('k1'))?.finishedAt).toBe('string');
        expect((await store.getCall('k2'))?.status).toBe('failed');

        const spend = await store.spend(x.id);
        expect(spend).toMatchObject({ calls: 2, tokens: 250, possiblyBilled: 1 });
        expect(spend.usd).toBeCloseTo(0.0015, 10);
        expect(spend.possiblyBilledUsd).toBeCloseTo(0.004, 10);
        expect((await store.listCalls(x.id)).map((c) => c.key)).toEqual(['k1', 'k2', 'k3']);
        expect((await store.getCall('elsewhere'))?.explorationId).toBeNull();
        expect(await store.getCall('none')).toBeUndefined();
        expect(await store.spend('x_none')).toEqual({ calls: 0, tokens: 0, usd: 0, estimatedCalls: 0, possiblyBilled: 0, possiblyBilledUsd: 0 });
      });

      it('drops the output of a released call with the events that keep it, and nothing else', async () => {
        const x = await newExploration();
        await store.beginCall(intent('w1', x.id));
        await store.beginCall(intent('w2', x.id));
        await store.commit(x.id, {
          events: [],
          calls: [
            { key: 'w1', status: 'done', output: 'the text', usage: { inputTokens: 5, outputTokens: 6 }, usd: 0.01, latencyMs: 2 },
            { key: 'w2', status: 'done', output: 'other', usage: { inputTokens: 1, outputTokens: 1 }, usd: 0, latencyMs: 1 },
          ],
        });
        const before = await store.getCall('w1');
        const c1 = fixtureCandidate(x.id, 1, { text: 'the text' });
        await store.commit(x.id, { events: [{ type: 'candidate.added', candidate: c1 }], releasedCalls: ['w1'] });
        expect(await store.getCall('w1')).toStrictEqual({ ...before, output: null });
        expect((await store.getCall('w2'))?.output).toBe('other');
        expect((await store.getCandidate(c1.id))?.text).toBe('the text');
        expect(await store.spend(x.id)).toMatchObject({ calls: 2, tokens: 13 });
      });

      it('records a result that had no intent when it names purpose and model', async () => {
        const x = await newExploration();
        const result = { key: 'late', status: 'done', output: 'o', usage: { inputTokens: 3, outputTokens: 4 }, usd: 0.01, latencyMs: 1 } as const;
        await expectCode(store.commit(x.id, { events: [], calls: [result] }), 'invalid_input');
        await store.commit(x.id, { events: [], calls: [{ ...result, purpose: 'reframe', model: 'rehearsal:default' }] });
        expect(await store.getCall('late')).toMatchObject({
          explorationId: x.id,
          purpose: 'reframe',
          status: 'done',
          reservedTokens: 0,
          usage: { inputTokens: 3, outputTokens: 4 },
        });
        expect(await store.spend(x.id)).toMatchObject({ calls: 1, tokens: 7, possiblyBilled: 0 });
      });
    });

    describe('calls that cost nothing, and estimated usage', () => {
      it('counts a failed call only when it may have been billed, and says which usage was estimated', async () => {
        const x = await newExploration();
        for (const key of ['refused', 'cut', 'ok', 'guessed']) await store.beginCall(intent(key, x.id));
        await store.commit(x.id, {
          events: [],
          calls: [
            // Refused before it reached the provider: no tokens, no dollars, and not a call.
            { key: 'refused', status: 'failed', output: 'connection refused', usage: { inputTokens: 0, outputTokens: 0 }, usd: 0, latencyMs: 1 },
            { key: 'cut', status: 'failed', output: 'cut off', usage: { inputTokens: 100, outputTokens: 400 }, usd: 0.002, latencyMs: 5 },
            { key: 'ok', status: 'done', output: 'answer', usage: { inputTokens: 10, outputTokens: 5 }, usd: 0.0001, latencyMs: 5 },
            { key: 'guessed', status: 'done', output: 'answer', usage: { inputTokens: 20, outputTokens: 7, estimated: true }, usd: 0.0002, latencyMs: 5 },
          ],
        });
        const spend = await store.spend(x.id);
        expect(spend).toMatchObject({ calls: 3, tokens: 542, estimatedCalls: 1, possiblyBilled: 0 });
        expect((await store.getCall('guessed'))?.usage).toEqual({ inputTokens: 20, outputTokens: 7, estimated: true });
        expect((await store.getCall('ok'))?.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
      });
    });

    describe('state snapshots', () => {
      it('keeps the latest snapshot byte for byte, never an older one over a newer, and drops it with the exploration', async () => {
        const x = await newExploration('x_snap');
        expect(await store.getSnapshot(x.id)).toBeUndefined();
        const bytes = (n: number) => Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + n) % 256);
        await store.putSnapshot(x.id, { seq: 5, format: 1, state: bytes(1) });
        await store.putSnapshot(x.id, { seq: 9, format: 1, state: bytes(2) });
        await store.putSnapshot(x.id, { seq: 7, format: 1, state: bytes(3) });
        const kept = await store.getSnapshot(x.id);
        expect(kept?.seq).toBe(9);
        expect(kept?.format).toBe(1);
        expect([...(kept?.state ?? [])]).toEqual([...bytes(2)]);
        await store.deleteExploration(x.id);
        expect(await store.getSnapshot(x.id)).toBeUndefined();
      });
    });

    describe('running spend totals', () => {
      // The rule a sum over the calls applies (see spend-totals.ts), recomputed from the rows.
      function summed(calls: readonly CallRecord[]): SpendTotals {
        const total: SpendTotals = { calls: 0, tokens: 0, usd: 0, estimatedCalls: 0, possiblyBilled: 0, possiblyBilledUsd: 0 };
        for (const c of calls) {
          if (c.status === 'intent') {
            total.possiblyBilled += 1;
            total.possiblyBilledUsd += c.reservedUsd;
            continue;
          }
          const tokens = (c.usage?.inputTokens ?? 0) + (c.usage?.outputTokens ?? 0);
          if (c.status === 'done' || tokens > 0 || (c.usd ?? 0) > 0) total.calls += 1;
          total.tokens += tokens;
          total.usd += c.usd ?? 0;
          if (c.usage?.estimated === true) total.estimatedCalls += 1;
        }
        return total;
      }

      async function expectTotalsMatchSum(id: string): Promise<void> {
        const kept = await store.spend(id);
        const sum = summed(await store.listCalls(id));
        expect({ ...kept, usd: 0, possiblyBilledUsd: 0 }).toEqual({ ...sum, usd: 0, possiblyBilledUsd: 0 });
        expect(kept.usd).toBeCloseTo(sum.usd, 9);
        expect(kept.possiblyBilledUsd).toBeCloseTo(sum.possiblyBilledUsd, 9);
      }

      it('keeps totals equal to the sum over the calls through intents, results, releases and deletion (seeded)', async () => {
        type Op = { kind: 'begin' | 'finish' | 'release' | 'late'; at: number; exploration: number; done: boolean; input: number; output: number; usd: number; estimated: boolean };
        const op = fc.record({
          kind: fc.constantFrom<Op['kind']>('begin', 'begin', 'finish', 'release', 'late'),
          at: fc.nat(40),
          exploration: fc.nat(2),
          done: fc.boolean(),
          input: fc.constantFrom(0, 3, 100),
          output: fc.constantFrom(0, 5),
          usd: fc.constantFrom(0, 0.001, 0.0025),
          estimated: fc.boolean(),
        });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
            run += 1;
            const ids = [`x_s${run}a`, `x_s${run}b`];
            for (const id of ids) await newExploration(id);
            const begun: string[] = [];
            const finished: string[] = [];
            for (const [n, o] of ops.entries()) {
              // The third "exploration" is none: a reframe's calls count nowhere.
              const explorationId = o.exploration < 2 ? (ids[o.exploration] as string) : null;
              const result = {
                status: o.done ? ('done' as const) : ('failed' as const),
                output: 'answer',
                usage: { inputTokens: o.input, outputTokens: o.output, ...(o.estimated ? { estimated: true } : {}) },
                usd: o.usd,
                latencyMs: 1,
              };
              if (o.kind === 'begin') {
                const key = `s${run}k${n}`;
                await store.beginCall({ ...intent(key, explorationId, o.usd + 0.001) });
                begun.push(key);
              } else if (o.kind === 'finish' && begun.length > 0) {
                const key = begun.splice(o.at % begun.length, 1)[0] as string;
                await store.commit(ids[0] as string, { events: [], calls: [{ key, ...result }] });
                finished.push(key);
              } else if (o.kind === 'release' && finished.length > 0) {
                await store.commit(ids[0] as string, { events: [], releasedCalls: [finished[o.at % finished.length] as string] });
              } else if (o.kind === 'late' && explorationId !== null) {
                await store.commit(explorationId, { events: [], calls: [{ key: `s${run}late${n}`, ...result, purpose: 'judge', model: 'rehearsal:default' }] });
              }
            }
            for (const id of ids) await expectTotalsMatchSum(id);
            await store.deleteExploration(ids[1] as string);
            expect(await store.spend(ids[1] as string)).toEqual({ calls: 0, tokens: 0, usd: 0, estimatedCalls: 0, possiblyBilled: 0, possiblyBilledUsd: 0 });
            await expectTotalsMatchSum(ids[0] as string);
          }),
          { seed: 20261203, numRuns: 25 },
        );
      });
    });

    describe('leases', () => {
      const claim = (holder: string, pid = 100, at = '2026-01-01T00:00:00.000Z') => ({ holder, pid, host: 'h1', at });

      it('gives the lease to one holder, tells others who holds it, and keeps `since` on re-acquiring', async () => {
        const x = await newExploration();
        expect(await store.getLease(x.id)).toBeUndefined();
        const first = await store.acquireLease(x.id, claim('a'));
        expect(first).toEqual({
          acquired: true,
          lease: { explorationId: x.id, holder: 'a', pid: 100, host: 'h1', since: '2026-01-01T00:00:00.000Z', heartbeat: '2026-01-01T00:00:00.000Z', yieldRequested: null },
        });
        const refused = await store.acquireLease(x.id, claim('b', 200, '2026-01-01T00:00:05.000Z'));
        expect(refused).toMatchObject({ acquired: false, lease: { holder: 'a', pid: 100, host: 'h1' } });
        const again = await store.acquireLease(x.id, claim('a', 100, '2026-01-01T00:00:09.000Z'));
        expect(again).toMatchObject({ acquired: true, lease: { since: '2026-01-01T00:00:00.000Z', heartbeat: '2026-01-01T00:00:09.000Z' } });
        expect(await store.getLease(x.id)).toEqual(again.lease);
      });

      it('renews only for its holder, lets a stale lease be taken over, and ignores the old holder releasing it', async () => {
        const x = await newExploration();
        await store.acquireLease(x.id, claim('a'));
        expect(await store.renewLease(x.id, 'a', '2026-01-01T00:01:00.000Z')).toMatchObject({ holder: 'a', heartbeat: '2026-01-01T00:01:00.000Z' });
        expect(await store.renewLease(x.id, 'b', '2026-01-01T00:01:00.000Z')).toBeUndefined();
        const seen: string[] = [];
        const taken = await store.acquireLease(x.id, claim('b', 200, '2026-01-01T00:09:00.000Z'), {
          takeOver: (held) => {
            seen.push(`${held.holder}@${held.heartbeat}`);
            return true;
          },
        });
        expect(seen).toEqual(['a@2026-01-01T00:01:00.000Z']);
        expect(taken).toMatchObject({ acquired: true, lease: { holder: 'b', pid: 200, since: '2026-01-01T00:09:00.000Z' } });
        expect(await store.renewLease(x.id, 'a', '2026-01-01T00:09:01.000Z')).toBeUndefined();
        await store.releaseLease(x.id, 'a');
        expect((await store.getLease(x.id))?.holder).toBe('b');
        await store.releaseLease(x.id, 'b');
        expect(await store.getLease(x.id)).toBeUndefined();
      });

      it('records a request to yield, which the holder sees on renewing and which a new holding clears', async () => {
        const x = await newExploration();
        await store.acquireLease(x.id, claim('a'));
        const refused = await store.acquireLease(x.id, claim('b', 200, '2026-01-01T00:00:03.000Z'), { askToYield: true });
        expect(refused).toMatchObject({ acquired: false, lease: { holder: 'a', yieldRequested: '2026-01-01T00:00:03.000Z' } });
        expect((await store.renewLease(x.id, 'a', '2026-01-01T00:00:04.000Z'))?.yieldRequested).toBe('2026-01-01T00:00:03.000Z');
        await store.releaseLease(x.id, 'a');
        expect((await store.acquireLease(x.id, claim('b', 200, '2026-01-01T00:00:05.000Z'))).lease.yieldRequested).toBeNull();
      });

      it('gives a lease raced for by 20 claimants to exactly one, and refuses an unknown exploration', async () => {
        const x = await newExploration();
        const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => store.acquireLease(x.id, claim(`h${i}`, i + 1))));
        const winners = attempts.filter((a) => a.acquired);
        expect(winners).toHaveLength(1);
        for (const attempt of attempts) expect(attempt.lease.holder).toBe(winners[0]?.lease.holder);
        await expectCode(store.acquireLease('x_none', claim('a')), 'not_found');
      });
    });

    describe('managing explorations (rename, archive, delete, fork)', () => {
      /** An exploration with two judged candidates, a checkpoint, a decision and a later candidate. */
      async function explored(id: string): Promise<{ x: ExplorationRecord; checkpointId: string }> {
        const x = await newExploration(id);
        const c1 = fixtureCandidate(x.id, 1);
        const c2 = fixtureCandidate(x.id, 2, { kind: 'deepen', parentIds: [c1.id], depth: 1 });
        const c3 = fixtureCandidate(x.id, 3);
        await store.beginCall(intent(`${x.id}:m1:write`, x.id));
        await store.commit(x.id, {
          events: [
            { type: 'move.planned', move: { id: `${x.id}:m1`, kind: 'open', parentIds: [], lens: fixtureLens, origin: 'policy' } },
            { type: 'candidate.added', candidate: c1 },
            { type: 'candidate.judged', judgment: fixtureJudgment(c1.id, x.briefId) },
            { type: 'candidate.added', candidate: c2 },
            { type: 'candidate.judged', judgment: fixtureJudgment(c2.id, x.briefId) },
            { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, `${x.id}:k1`, c1.id) },
          ],
          calls: [{ key: `${x.id}:m1:write`, status: 'done', output: 'text', usage: { inputTokens: 10, outputTokens: 20 }, usd: 0.001, latencyMs: 5 }],
        });
        await store.commit(x.id, {
          events: [
            { type: 'decision.made', decision: fixtureDecision(x.id, `${x.id}:d1`, `${x.id}:k1`) },
            { type: 'candidate.added', candidate: c3 },
            { type: 'candidate.judged', judgment: fixtureJudgment(c3.id, x.briefId) },
          ],
        });
        return { x, checkpointId: `${x.id}:k1` };
      }

      it('renames, keeping everything else; an empty title is refused', async () => {
        const x = await newExploration();
        const renamed = await store.renameExploration(x.id, '  Names for the tool  ');
        expect(renamed.title).toBe('Names for the tool');
        expect(renamed).toMatchObject({ id: x.id, status: x.status, briefId: x.briefId });
        expect((await store.getExploration(x.id))?.title).toBe('Names for the tool');
        await expectCode(store.renameExploration(x.id, '   '), 'invalid_input');
        await expectCode(store.renameExploration('x_nope', 'A'), 'invalid_input');
      });

      it('archives and unarchives, with the date of archiving', async () => {
        const x = await newExploration();
        expect(x.archivedAt ?? null).toBeNull();
        const archived = await store.setArchived(x.id, true);
        expect(archived.archivedAt).toEqual(expect.any(String));
        expect((await store.listExplorations()).find((e) => e.id === x.id)?.archivedAt).toBe(archived.archivedAt);
        expect((await store.setArchived(x.id, false)).archivedAt ?? null).toBeNull();
      });

      it('deletes an exploration and every row of its own; others are untouched', async () => {
        const { x } = await explored('x_del');
        const other = await explored('x_keep');
        await store.deleteExploration(x.id);
        expect(await store.getExploration(x.id)).toBeUndefined();
        expect(await store.readEvents(x.id)).toEqual([]);
        expect(await store.listCandidates(x.id)).toEqual([]);
        expect(await store.getCandidate(`${x.id}:c1`)).toBeUndefined();
        expect(await store.listCalls(x.id)).toEqual([]);
        expect(await store.getCall(`${x.id}:m1:write`)).toBeUndefined();
        expect((await store.spend(x.id)).calls).toBe(0);
        expect(await store.listCandidates(other.x.id)).toHaveLength(3);
        expect(await store.listJudgments(other.x.id)).toHaveLength(3);
        expect((await store.listExplorations()).map((e) => e.id)).toEqual([other.x.id]);
        await expectCode(store.deleteExploration(x.id), 'invalid_input');
      });

      it('forks at a checkpoint: the log up to it, the same candidates, awaiting, no call copied', async () => {
        const { x, checkpointId } = await explored('x_src');
        const fork = await store.forkExploration({ id: 'x_fork', sourceId: x.id, checkpointId, title: 'Fork of names' });
        expect(fork).toMatchObject({ id: 'x_fork', status: 'awaiting', title: 'Fork of names', briefId: x.briefId, currentBriefId: x.currentBriefId, seed: x.seed });
        expect(fork.forkOf).toEqual({ explorationId: x.id, checkpointId });

        const source = await store.readEvents(x.id);
        const forked = await store.readEvents(fork.id);
        const upToCheckpoint = source.slice(0, source.findIndex((e) => e.event.type === 'checkpoint.raised') + 1);
        expect(forked.map((e) => e.event)).toStrictEqual(upToCheckpoint.map((e) => e.event));
        expect(forked.every((e) => e.explorationId === fork.id)).toBe(true);
        expect((await store.listCandidates(fork.id)).map((c) => c.id)).toEqual([`${x.id}:c1`, `${x.id}:c2`]);
        expect(await store.listJudgments(fork.id)).toHaveLength(2);
        // The calls stay the source's: the fork's spend is its own.
        expect((await store.spend(fork.id)).calls).toBe(0);
        expect((await store.spend(x.id)).calls).toBe(1);

        // The fork goes on by itself.
        const c4 = fixtureCandidate(fork.id, 4, { kind: 'deepen', parentIds: [`${x.id}:c1`], depth: 1 });
        await store.commit(fork.id, {
          events: [
            { type: 'decision.made', decision: fixtureDecision(fork.id, `${fork.id}:d1`, checkpointId) },
            { type: 'move.planned', move: { id: `${fork.id}:m4`, kind: 'deepen', parentIds: [`${x.id}:c1`], lens: fixtureLens, origin: 'decision' } },
            { type: 'candidate.added', candidate: c4 },
          ],
        });
        expect((await store.listCandidates(fork.id)).map((c) => c.id)).toEqual([`${x.id}:c1`, `${x.id}:c2`, c4.id]);
        expect((await store.readEvents(fork.id)).at(-2)?.event).toStrictEqual({ type: 'move.planned', move: { id: `${fork.id}:m4`, kind: 'deepen', parentIds: [`${x.id}:c1`], lens: fixtureLens, origin: 'decision' } });

        // The source cannot be deleted while the fork shares its rows; the fork can.
        await expectCode(store.deleteExploration(x.id), 'conflict');
        await store.deleteExploration(fork.id);
        expect(await store.listCandidates(x.id)).toHaveLength(3);
        expect(await store.getCandidate(`${x.id}:c1`)).toBeDefined();
        await store.deleteExploration(x.id);
        expect(await store.listExplorations()).toEqual([]);
      });

      it('keeps a fork independent after the fork point: both may judge a shared candidate under one brief version, each lists only its own', async () => {
        const { x, checkpointId } = await explored('x_src');
        const fork = await store.forkExploration({ id: 'x_fork', sourceId: x.id, checkpointId, title: 'Fork' });
        const shared = `${x.id}:c1`;
        const before = await store.listJudgments(x.id);
        expect(before.map((j) => j.candidateId)).toEqual([shared, `${x.id}:c2`, `${x.id}:c3`]);
        // Both redirect to one brief version and re-judge a shared candidate: the engine names both
        // judgments `<candidate>.j<version>`.
        const redirected = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief(), parentId: x.briefId });
        const name = `${shared}.j${redirected.version}`;
        const inFork = fixtureJudgment(shared, redirected.id, { id: name, quality: 0.31, critique: 'The fork’s verdict.' });
        const inSource = fixtureJudgment(shared, redirected.id, { id: name, quality: 0.77, critique: 'The source’s verdict.' });
        await store.commit(fork.id, {
          events: [
            { type: 'decision.made', decision: fixtureDecision(fork.id, `${fork.id}:d1`, checkpointId) },
            { type: 'brief.redirected', briefId: redirected.id, lenses: [fixtureLens] },
            { type: 'candidate.judged', judgment: inFork },
          ],
        });
        // The source does not see what its fork judged.
        expect(await store.listJudgments(x.id)).toStrictEqual(before);
        await store.commit(x.id, {
          events: [
            { type: 'brief.redirected', briefId: redirected.id, lenses: [fixtureLens] },
            { type: 'candidate.judged', judgment: inSource },
          ],
        });

        // Each reads back its own verdict, under the name the engine gave it.
        const judgedIn = async (id: string): Promise<unknown[]> =>
          (await store.readEvents(id)).flatMap((e) => (e.event.type === 'candidate.judged' && e.event.judgment.briefId === redirected.id ? [e.event.judgment] : []));
        expect(await judgedIn(fork.id)).toStrictEqual([inFork]);
        expect(await judgedIn(x.id)).toStrictEqual([inSource]);
        expect(await store.readEvents(x.id, 3)).toStrictEqual((await store.readEvents(x.id)).filter((e) => e.seq > 3));
        expect(await store.listJudgments(x.id)).toStrictEqual([...before, inSource]);
        // The fork's: its source's up to the fork point (shared rows, not copies), then its own.
        expect(await store.listJudgments(fork.id)).toStrictEqual([...before.slice(0, 2), inFork]);

        // A fork of the fork after its own verdict reads that verdict, not the source's.
        const again = (await store.readEvents(fork.id)).length;
        await store.commit(fork.id, { events: [{ type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(fork.id, `${fork.id}:k2`, shared) }] });
        const grandchild = await store.forkExploration({ id: 'x_fork2', sourceId: fork.id, checkpointId: `${fork.id}:k2`, title: 'Fork of a fork' });
        expect(await judgedIn(grandchild.id)).toStrictEqual([inFork]);
        expect((await store.readEvents(grandchild.id)).length).toBe(again + 1);
        expect(await store.listJudgments(grandchild.id)).toStrictEqual([...before.slice(0, 2), inFork]);

        // Nothing was asked of a model again: the forks have no calls; the source keeps its one.
        expect((await store.spend(fork.id)).calls).toBe(0);
        expect((await store.spend(grandchild.id)).calls).toBe(0);
        expect((await store.spend(x.id)).calls).toBe(1);

        // Deleting the forks removes their verdicts and leaves the source's whole.
        await store.deleteExploration(grandchild.id);
        await store.deleteExploration(fork.id);
        expect(await store.listJudgments(x.id)).toStrictEqual([...before, inSource]);
        expect(await judgedIn(x.id)).toStrictEqual([inSource]);
        await store.deleteExploration(x.id);
        expect(await store.listExplorations()).toEqual([]);
      });

      it('refuses to fork at a checkpoint the exploration does not have', async () => {
        const { x } = await explored('x_src');
        await expectCode(store.forkExploration({ id: 'x_f', sourceId: x.id, checkpointId: 'nope', title: 'f' }), 'invalid_input');
        await expectCode(store.forkExploration({ id: 'x_f', sourceId: 'x_none', checkpointId: 'nope', title: 'f' }), 'invalid_input');
        expect(await store.getExploration('x_f')).toBeUndefined();
      });
    });

    describe('resolveExplorationId', () => {
      it('accepts a full id or a unique prefix and lists the matches of an ambiguous one', async () => {
        await newExploration('x_ab');
        await newExploration('x_abc1');
        await newExploration('x_abc2');
        await newExploration('x_def');
        expect(await store.resolveExplorationId('x_abc1')).toBe('x_abc1');
        expect(await store.resolveExplorationId('x_ab')).toBe('x_ab');
        expect(await store.resolveExplorationId('x_d')).toBe('x_def');
        expect(await store.resolveExplorationId('x_zz')).toBeUndefined();
        expect(await store.resolveExplorationId('x%')).toBeUndefined();
        expect(await store.resolveExplorationId('x?a')).toBeUndefined();
        const error = await expectCode(store.resolveExplorationId('x_abc'), 'invalid_input');
        expect(error.message).toContain('x_abc1');
        expect(error.message).toContain('x_abc2');
      });
    });

    describe('notes', () => {
      it('stores, overwrites and deletes small JSON values', async () => {
        expect(await store.getNote('reframings:b1')).toBeUndefined();
        await store.putNote('reframings:b1', { lenses: ['a', 'b'], n: 2 });
        expect(await store.getNote('reframings:b1')).toEqual({ lenses: ['a', 'b'], n: 2 });
        await store.putNote('reframings:b1', null);
        expect(await store.getNote('reframings:b1')).toBeNull();
        await store.putNote('reframings:b1', undefined);
        expect(await store.getNote('reframings:b1')).toBeUndefined();
      });
    });

    describe('status as a fold of events (seeded property)', () => {
      type StatusEvent = 'checkpoint' | 'decide' | 'accept' | 'end' | 'defer' | 'reopen';
      const expected = (status: ExplorationStatus, step: StatusEvent): ExplorationStatus => {
        if (step === 'checkpoint') return 'awaiting';
        if (step === 'decide') return 'running';
        if (step === 'end') return 'exhausted';
        if (step === 'reopen') return 'running';
        return status;
      };

      it('keeps the stored status equal to a recomputation from the stored events', async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(fc.constantFrom<StatusEvent>('checkpoint', 'decide', 'accept', 'end', 'defer', 'reopen'), { maxLength: 4 }), {
              maxLength: 6,
            }),
            async (commits) => {
              const x = await newExploration(`x_prop${run++}`);
              let n = 0;
              let status: ExplorationStatus = 'running';
              for (const steps of commits) {
                const events = steps.map((step): ExplorationEvent => {
                  const id = `${x.id}-${n++}`;
                  status = expected(status, step);
                  switch (step) {
                    case 'checkpoint':
                      return { type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, id, 'c') };
                    case 'decide':
                      return { type: 'decision.made', decision: fixtureDecision(x.id, id, null) };
                    case 'accept':
                      return { type: 'decision.made', decision: fixtureDecision(x.id, id, null, { action: 'accept' }) };
                    case 'end':
                      return { type: 'exploration.ended', status: 'exhausted', reason: 'done' };
                    case 'defer':
                      return { type: 'trigger.deferred', key: id, kind: 'novelty' };
                    case 'reopen':
                      return { type: 'exploration.reopened', reopening: { id, from: 'exhausted', budget: { calls: 10 }, createdAt: '2026-01-01T00:00:00.000Z' } };
                  }
                });
                await store.commit(x.id, { events });
              }
              const replayed = (await store.readEvents(x.id)).reduce<ExplorationStatus>((s, { event }) => {
                if (event.type === 'checkpoint.raised') return 'awaiting';
                if (event.type === 'decision.made') return event.decision.action === 'accept' ? s : 'running';
                if (event.type === 'exploration.ended') return event.status;
                if (event.type === 'exploration.reopened') return 'running';
                return s;
              }, 'running');
              const record = await store.getExploration(x.id);
              expect(record?.status).toBe(status);
              expect(replayed).toBe(status);
            },
          ),
          { seed: 20250101, numRuns: 30 },
        );
      });
    });
  });
}
