import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../test/support/state-builder.js';
import { applyEvent } from '../explore/state.js';
import { buildBoard, chosenDirection, excerpt } from './board.js';
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

  it('accounts for every direction in a row, and never leaves off the one taste or novelty ranks first', () => {
    const lenses = Array.from({ length: 14 }, (_, i) => ({ id: `lens-${i}`, name: `Lens ${i}`, text: `lens ${i}`, builtin: false }));
    const b = new StateBuilder(lenses);
    const ids = lenses.map((lens, i) => b.add({ lens: lens.id, scores: { a: 8 - i * 0.3, b: 8 - i * 0.3 }, novelty: i === 12 ? 0.9 : 0.2 }));
    const voice = ids[13] as string;
    const taste = (id: string): number => (id === voice ? 2 : 0);
    const board = buildBoard({ state: b.state, checkpointId: 'x.k1', reasons: [], spend, label: 'rehearsal', maxCards: 3, taste });
    expect(board.cards).toHaveLength(3);
    // The person's voice (taste) and the far-out one (novelty) have cards, though they rank last by quality.
    expect(board.cards.map((c) => c.candidateId)).toEqual(expect.arrayContaining([ids[0], voice, ids[12]]));
    expect(board.directions).toHaveLength(14);
    const row = board.directions?.find((d) => d.lensId === 'lens-5');
    expect(row).toMatchObject({ bestId: ids[5], candidates: 1, onBoard: false, seen: false });
    expect(board.directions?.find((d) => d.lensId === 'lens-13')).toMatchObject({ onBoard: true, seen: true, taste: 2 });
  });

  it('on the last board, gives the direction the person chose last several cards, near-copies left out, at the cost of the weakest other directions', () => {
    const lenses = Array.from({ length: 6 }, (_, i) => ({ id: `lens-${i}`, name: `Lens ${i}`, text: `lens ${i}`, builtin: false }));
    const b = new StateBuilder(lenses);
    const openings = lenses.map((lens, i) => b.add({ lens: lens.id, scores: { a: 8 - i * 0.2, b: 8 - i * 0.2 } }));
    // The person chose the weakest direction by the judge's ranking.
    const chosen = openings[5] as string;
    const before = buildBoard({ state: b.state, checkpointId: null, reasons: [], spend, label: 'r', maxCards: 5 });
    expect(chosenDirection(b.state, 3)).toEqual([]);
    applyEvent(b.state, { type: 'decision.made', decision: { id: 'x.d1', explorationId: 'x', checkpointId: null, action: 'deepen', candidateIds: [chosen], createdAt: '2026-01-01T00:00:00.000Z' } });
    const child = b.add({ parents: [chosen], scores: { a: 7.5, b: 7.5 } });
    const copy = b.add({ parents: [child], scores: { a: 7.4, b: 7.4 }, parentSimilarity: 0.99 });
    const other = b.add({ parents: [chosen], scores: { a: 6.5, b: 6.5 } });
    const direction = chosenDirection(b.state, 3).map((n) => n.candidate.id);
    expect(direction).toEqual([child, chosen, other]);
    expect(direction).not.toContain(copy);
    const spent = [{ kind: 'budget' as const, key: 'budget:spent', reason: 'The budget is spent.', candidateIds: [] }];
    const board = buildBoard({ state: b.state, checkpointId: null, reasons: spent, spend, label: 'r', maxCards: 5 });
    const ids = board.cards.map((c) => c.candidateId);
    expect(ids).toEqual(expect.arrayContaining([openings[0], child, other, chosen]));
    expect(ids).toHaveLength(5);
    expect(board.cards.find((c) => c.candidateId === child)?.roles).toEqual(['chosen', 'direction']);
    // Without the decision the same board showed one card per direction, best first.
    expect(before.cards.map((c) => c.candidateId)).toEqual(openings.slice(0, 5));
    // Every direction is still accounted for in a row.
    expect(board.directions).toHaveLength(6);
    // A board mid-way asks which direction to follow: one card each, as before the decision.
    const midway = buildBoard({ state: b.state, checkpointId: null, reasons: [], spend, label: 'r', maxCards: 5 });
    expect(midway.cards.map((c) => c.candidateId)).toEqual([openings[0], openings[1], openings[2], child, openings[3]]);
  });
});
