import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../test/support/state-builder.js';
import { buildBoard, excerpt } from './board.js';
import type { Spend } from './types.js';

const spend: Spend = { calls: 10, tokens: 1000, usd: 0, possiblyBilled: 0, budget: { calls: 100 }, share: 0.1 };

describe('board', () => {
  it('shows the best, the best of every other direction, both sides of a trade-off, and why each is there', () => {
    const b = new StateBuilder();
    const weak = b.add({ lens: 'invert', scores: { a: 4, b: 4 } });
    const best = b.add({ lens: 'invert', parents: [weak], scores: { a: 8, b: 6 } });
    const other = b.add({ lens: 'extreme', scores: { a: 5, b: 8 } });
    const board = buildBoard({ state: b.state, checkpointId: 'x.k1', reasons: [], spend, label: 'rehearsal' });
    expect(board.cards.map((c) => c.candidateId)).toEqual([best, other]);
    expect(board.cards[0]?.roles).toEqual(['best']);
    expect(board.cards[1]?.roles).toEqual(['direction', 'trade-off']);
    expect(board.cards[1]?.why).toMatch(/stronger than the best on b/);
    expect(board.tradeOffs).toEqual([{ a: best, b: other, aWins: ['a'], bWins: ['b'] }]);
    expect(board.cards[0]).toMatchObject({ lensId: 'invert', depth: 2, quality: 0.7, scores: expect.any(Array) });
    expect(board.lenses.find((l) => l.lensId === 'invert')).toMatchObject({ candidates: 2, best: 0.7 });
    expect(board.spend).toEqual(spend);
  });

  it('puts what a trigger points at on the board with the trigger’s reason', () => {
    const b = new StateBuilder();
    b.add({ lens: 'invert', scores: { a: 8, b: 8 } });
    const flagged = b.add({ lens: 'invert', scores: { a: 2, b: 2 }, flags: [{ kind: 'sensitive', reason: 'private' }] });
    const board = buildBoard({
      state: b.state,
      checkpointId: null,
      reasons: [{ kind: 'sensitive', key: `sensitive:${flagged}`, reason: 'flagged sensitive', candidateIds: [flagged] }],
      spend,
      label: 'rehearsal',
    });
    expect(board.cards.find((c) => c.candidateId === flagged)).toMatchObject({ roles: ['flagged'], why: 'flagged sensitive' });
  });

  it('keeps the board compact', () => {
    const b = new StateBuilder();
    for (let i = 0; i < 30; i += 1) b.add({ lens: `lens-${i}`, scores: { a: i % 10, b: 5 } });
    expect(buildBoard({ state: b.state, checkpointId: null, reasons: [], spend, label: 'r', maxCards: 8 }).cards).toHaveLength(8);
  });

  it('cuts excerpts at a word and drops the rehearsal header', () => {
    expect(excerpt('[rehearsal · lens invert · draft 1 · abcdef]\nThe keeper climbs the stairs again.', 20)).toBe('The keeper climbs…');
  });
});
