import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../../test/support/state-builder.js';
import { DEFAULT_POLICY, rankMoves } from '../../explore/policy.js';
import { applyEvent } from '../../explore/state.js';
import { buildBoard } from '../board.js';
import type { Spend, TriggerKind, TriggerSignal } from '../types.js';
import { assumptionFor, DEFAULT_ASSUME, predictDecision, SKIPPABLE_REASONS } from './assume.js';
import { tasteFromLedger } from './ledger.js';

const spend: Spend = { calls: 0, tokens: 0, usd: 0, possiblyBilled: 0, budget: {}, share: 0 };

/**
 * A person who, at every checkpoint, deepens the most novel of three cards: a consistent taste
 * that the model learns and whose predictions come true — so, after enough decisions, Baton may
 * assume their choice.
 */
function noveltyLover(rounds: number): StateBuilder {
  const b = new StateBuilder();
  for (let round = 1; round <= rounds; round += 1) {
    const ids = [0.1, 0.5, 0.9].map((novelty, i) => b.add({ lens: ['invert', 'extreme', 'minimal'][i] as string, scores: { a: 6 - i, b: 6 }, novelty }));
    const reasons: TriggerSignal[] = [{ kind: 'novelty', key: `novelty:${round}`, reason: 'new', candidateIds: ids }];
    const board = buildBoard({ state: b.state, checkpointId: `x.k${round}`, reasons, spend, label: 'r' });
    board.cards = board.cards.filter((c) => ids.includes(c.candidateId));
    applyEvent(b.state, { type: 'checkpoint.raised', checkpoint: { id: `x.k${round}`, explorationId: 'x', reasons: [], board, createdAt: '' } });
    applyEvent(b.state, {
      type: 'decision.made',
      decision: { id: `x.d${round}`, explorationId: 'x', checkpointId: `x.k${round}`, action: 'deepen', candidateIds: [ids[2] as string], createdAt: '' },
    });
  }
  return b;
}

function checkpointAbout(b: StateBuilder, kind: TriggerKind): { reasons: TriggerSignal[]; board: ReturnType<typeof buildBoard>; novel: string; plain: string } {
  const plain = b.add({ lens: 'invert', scores: { a: 6, b: 6 }, novelty: 0.1 });
  const novel = b.add({ lens: 'minimal', scores: { a: 5, b: 6 }, novelty: 0.9 });
  const reasons: TriggerSignal[] = [{ kind, key: `${kind}:now`, reason: 'now', candidateIds: [plain, novel] }];
  return { reasons, board: buildBoard({ state: b.state, checkpointId: null, reasons, spend, label: 'r' }), novel, plain };
}

describe('assuming a decision', () => {
  it('skips only conflict and novelty checkpoints', () => {
    expect([...SKIPPABLE_REASONS].sort()).toEqual(['conflict', 'novelty']);
    const b = noveltyLover(12);
    const taste = tasteFromLedger(b.state, ['a', 'b']);
    for (const kind of ['sensitive', 'unclear', 'budget', 'met', 'exhausted'] as const) {
      const { reasons, board } = checkpointAbout(b, kind);
      expect(predictDecision(taste, reasons, board)).toBeNull();
      // Not even mixed with a skippable one.
      expect(predictDecision(taste, [...reasons, { ...reasons[0], kind: 'novelty', key: 'n' } as TriggerSignal], board)).toBeNull();
    }
  });

  it('predicts the person’s favourite but does not skip before the model has earned it', () => {
    const early = noveltyLover(1);
    const taste = tasteFromLedger(early.state, ['a', 'b']);
    const { reasons, board, novel } = checkpointAbout(early, 'novelty');
    const prediction = predictDecision(taste, reasons, board);
    expect(prediction?.candidateId).toBe(novel);
    expect(prediction?.skip).toBe(false);
    expect(taste.history.length).toBeLessThan(DEFAULT_ASSUME.minHistory);
    // With no decision at all there is nothing to predict from.
    expect(predictDecision(tasteFromLedger(new StateBuilder().state, ['a', 'b']), reasons, board)).toBeNull();
  });

  it('skips once the person’s own past decisions bear out a confident prediction', () => {
    const b = noveltyLover(12);
    const taste = tasteFromLedger(b.state, ['a', 'b']);
    const { reasons, board, novel } = checkpointAbout(b, 'conflict');
    const prediction = predictDecision(taste, reasons, board);
    expect(prediction).toMatchObject({ candidateId: novel, skip: true });
    expect(prediction?.backing.count).toBeGreaterThanOrEqual(DEFAULT_ASSUME.minHistory);
    expect(prediction?.backing.accuracy).toBeGreaterThanOrEqual(DEFAULT_ASSUME.targetAccuracy);
    const assumption = assumptionFor(b.state, 'x.s1', reasons, board, prediction as NonNullable<typeof prediction>, 'now');
    expect(assumption).toMatchObject({ id: 'x.a1', checkpointId: 'x.s1', action: 'deepen', candidateIds: [novel], shown: board.cards.map((c) => c.candidateId) });
  });

  it('a reversal counts against the model and teaches it the other way', () => {
    const b = noveltyLover(12);
    const before = tasteFromLedger(b.state, ['a', 'b']);
    const { reasons, board, novel, plain } = checkpointAbout(b, 'novelty');
    const prediction = predictDecision(before, reasons, board) as NonNullable<ReturnType<typeof predictDecision>>;
    const assumption = assumptionFor(b.state, 'x.s1', reasons, board, prediction, '');
    applyEvent(b.state, { type: 'checkpoint.assumed', assumption });
    applyEvent(b.state, { type: 'assumption.reversed', reversal: { id: 'x.r1', explorationId: 'x', assumptionId: assumption.id, prunedIds: [], createdAt: '' } });
    const after = tasteFromLedger(b.state, ['a', 'b']);
    expect(after.history.length).toBeGreaterThan(before.history.length);
    expect(after.history.at(-1)).toEqual({ confidence: assumption.confidence, correct: false });
    const margin = (t: typeof before): number => (t.score(novel) as number) - (t.score(plain) as number);
    expect(margin(after)).toBeLessThan(margin(before));
  });

  it('a learned taste changes which path the policy deepens first', () => {
    const b = noveltyLover(6);
    // Two open paths the judge rates about the same: one plain, one novel.
    const plain = b.add({ lens: 'extreme', scores: { a: 5, b: 5 }, novelty: 0.1 });
    const novel = b.add({ lens: 'extreme', scores: { a: 6.5, b: 6.5 }, novelty: 0.9 });
    for (const id of b.state.order) if (id !== plain && id !== novel) b.exhaust(id);
    const options = { ...DEFAULT_POLICY, slots: 8, callsLeft: Number.POSITIVE_INFINITY, budgetLeft: 1, weights: new Map([['a', 1], ['b', 1]]) };
    const first = (preference?: (id: string) => number | undefined): string | undefined =>
      rankMoves(b.state, { ...options, preference }).find((m) => m.kind === 'deepen')?.parentIds[0];
    // Without taste, the plain one pays slightly more (more headroom); with it, the novel one goes first.
    expect(first()).toBe(plain);
    expect(first(tasteFromLedger(b.state, ['a', 'b']).score)).toBe(novel);
  });
});
