import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../../test/support/state-builder.js';
import { applyEvent } from '../../explore/state.js';
import { buildBoard } from '../board.js';
import type { Spend } from '../types.js';
import { tasteFromLedger } from './ledger.js';

const spend: Spend = { calls: 0, tokens: 0, usd: 0, possiblyBilled: 0, budget: {}, share: 0 };

/** A person who, at every checkpoint, deepens the most novel card and ignores the rest. */
function noveltyLover(): StateBuilder {
  const b = new StateBuilder();
  for (let round = 1; round <= 6; round += 1) {
    const ids = [0.1, 0.5, 0.9].map((novelty, i) =>
      b.add({ lens: ['invert', 'extreme', 'minimal'][i] as string, scores: { a: 6 - i, b: 6 }, novelty }),
    );
    // The board shows these three; the person picks the most novel.
    const reasons = [{ kind: 'novelty' as const, key: `novelty:${round}`, reason: 'new', candidateIds: ids }];
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

describe('taste from the ledger', () => {
  it('says nothing before any decision', () => {
    const b = new StateBuilder();
    b.add();
    expect(tasteFromLedger(b.state, ['a', 'b']).observations).toBe(0);
  });

  it('learns what the person keeps choosing, and orders the board by it after the best', () => {
    const b = noveltyLover();
    const taste = tasteFromLedger(b.state, ['a', 'b']);
    expect(taste.observations).toBeGreaterThanOrEqual(12);
    const plain = b.add({ lens: 'extreme', scores: { a: 5, b: 5 }, novelty: 0.1 });
    const novel = b.add({ lens: 'extreme', scores: { a: 5, b: 5 }, novelty: 0.95 });
    expect(taste.score(novel)).toBeGreaterThan(taste.score(plain) as number);

    const board = buildBoard({ state: b.state, checkpointId: null, reasons: [], spend, label: 'r', taste: taste.score });
    expect(board.cards[0]?.roles).toContain('best');
    const rest = board.cards.slice(1).map((c) => c.taste ?? 0);
    expect(rest).toEqual([...rest].sort((x, y) => y - x));
    expect(board.cards.every((c) => typeof c.taste === 'number')).toBe(true);
  });

  it('is the same whenever it is rebuilt from the same ledger', () => {
    const a = tasteFromLedger(noveltyLover().state, ['a', 'b']).model.toJSON();
    const b = tasteFromLedger(noveltyLover().state, ['a', 'b']).model.toJSON();
    expect(a).toEqual(b);
  });
});
