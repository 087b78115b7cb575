import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Lens } from '../brief/schema.js';
import { LENSES, StateBuilder } from '../../test/support/state-builder.js';
import type { PolicyOptions } from './policy.js';
import { CALLS_PER_MOVE, COMBINE_LENS, complementarity, DEFAULT_POLICY, planMoves, PREFERENCE_WEIGHT, rankMoves, steeredLeaves, tasteTilt } from './policy.js';
import { applyEvent } from './state.js';

const options = (overrides: Partial<PolicyOptions> = {}): PolicyOptions => ({
  ...DEFAULT_POLICY,
  slots: 4,
  callsLeft: Number.POSITIVE_INFINITY,
  budgetLeft: 1,
  weights: new Map([
    ['a', 1],
    ['b', 1],
  ]),
  ...overrides,
});

describe('policy', () => {
  it('opens every lens first, when nothing has been explored', () => {
    const b = new StateBuilder();
    const moves = planMoves(b.state, options());
    expect(moves.map((m) => m.kind)).toEqual(['open', 'open', 'open', 'open']);
    expect(new Set(moves.map((m) => m.lens.id))).toEqual(new Set(LENSES.map((l) => l.id)));
  });

  it('prefers deepening a path whose last step captured much of its headroom over one that stalled', () => {
    const b = new StateBuilder();
    const fastRoot = b.add({ lens: 'invert', scores: { a: 4, b: 4 } });
    const fast = b.add({ parents: [fastRoot], scores: { a: 6, b: 6 } });
    const slowRoot = b.add({ lens: 'extreme', scores: { a: 4, b: 4 } });
    const slow = b.add({ parents: [slowRoot], scores: { a: 4.3, b: 4.3 } });
    const ranked = rankMoves(b.state, options()).filter((m) => m.kind === 'deepen');
    expect(ranked[0]?.parentIds).toEqual([fast]);
    expect(ranked.findIndex((m) => m.parentIds[0] === slow)).toBeGreaterThan(0);
  });

  it('never deepens an exhausted, pruned or quarantined (sensitive, unseen) candidate', () => {
    const b = new StateBuilder();
    const exhausted = b.add({ lens: 'invert' });
    b.exhaust(exhausted);
    const flagged = b.add({ lens: 'extreme', flags: [{ kind: 'sensitive', reason: 'private details' }] });
    const pruned = b.add({ lens: 'minimal' });
    applyEvent(b.state, {
      type: 'decision.made',
      decision: { id: 'd1', explorationId: 'x', checkpointId: null, action: 'prune', candidateIds: [pruned], createdAt: '' },
    });
    const targets = rankMoves(b.state, options()).flatMap((m) => m.parentIds);
    expect(targets).not.toContain(exhausted);
    expect(targets).not.toContain(flagged);
    expect(targets).not.toContain(pruned);
    b.raised(`sensitive:${flagged}`);
    expect(rankMoves(b.state, options()).some((m) => m.kind === 'deepen' && m.parentIds[0] === flagged)).toBe(true);
  });

  it('puts moves asked for by a decision first, with their feedback', () => {
    const b = new StateBuilder();
    const c1 = b.add({ lens: 'invert' });
    applyEvent(b.state, {
      type: 'decision.made',
      decision: { id: 'd1', explorationId: 'x', checkpointId: null, action: 'deepen', candidateIds: [c1], feedback: 'quieter', createdAt: '' },
    });
    const [first] = planMoves(b.state, options({ slots: 2 }));
    expect(first).toMatchObject({ kind: 'deepen', parentIds: [c1], origin: 'decision', feedback: 'quieter', directive: 'd1:0' });
  });

  it('combines complementary candidates from different lenses', () => {
    const b = new StateBuilder();
    const x = b.add({ lens: 'invert', scores: { a: 9, b: 4 } });
    const y = b.add({ lens: 'extreme', scores: { a: 4, b: 9 } });
    const combine = rankMoves(b.state, options()).find((m) => m.kind === 'combine');
    expect(combine?.parentIds.sort()).toEqual([x, y].sort());
    expect(combine?.lens).toEqual(COMBINE_LENS);
    const nodeX = b.state.nodes.get(x);
    const nodeY = b.state.nodes.get(y);
    if (!nodeX || !nodeY) throw new Error('missing nodes');
    expect(complementarity(nodeX, nodeY, options().weights)).toBeCloseTo(0.9 - 0.65, 5);
  });

  it('plans nothing when the budget cannot pay for a whole move, and never more than it can', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 8 }), (callsLeft, slots) => {
        const b = new StateBuilder();
        const moves = planMoves(b.state, options({ callsLeft, slots }));
        expect(moves.length).toBeLessThanOrEqual(Math.min(slots, Math.floor(callsLeft / CALLS_PER_MOVE)));
      }),
    );
  });

  it('tries what is untried before it finds nothing: another child of a strong candidate, a new variation, a combination, a spare lens', () => {
    const lenses: Lens[] = LENSES.slice(0, 2);
    const b = new StateBuilder(lenses);
    for (const lens of lenses) {
      for (let i = 0; i < 2; i += 1) b.exhaust(b.add({ lens: lens.id, scores: { a: 6, b: 6 } }));
    }
    // Nothing pays on its own value any more…
    expect(rankMoves(b.state, options())).toEqual([]);
    const spare = LENSES[3] as Lens;
    const untried = planMoves(b.state, options({ slots: 10, spareLenses: [spare] }));
    // …but the exploration is not exhausted while something is untried.
    expect(untried.every((m) => m.why.startsWith('untried'))).toBe(true);
    expect(untried.filter((m) => m.kind === 'deepen')).toHaveLength(3);
    expect(untried.filter((m) => m.kind === 'open').map((m) => m.lens.id)).toEqual([...lenses.map((l) => l.id), spare.id]);
    expect(untried.filter((m) => m.kind === 'combine')).toHaveLength(1);
  });

  it('finds nothing worth doing once every untried move has been tried too', () => {
    const lenses: Lens[] = LENSES.slice(0, 1);
    const b = new StateBuilder(lenses);
    const lens = (lenses[0] as Lens).id;
    for (let i = 0; i < 3; i += 1) {
      const opening = b.add({ lens, scores: { a: 6, b: 6 } });
      for (let k = 0; k < 3; k += 1) b.exhaust(b.add({ parents: [opening], scores: { a: 2, b: 2 } }));
    }
    expect(planMoves(b.state, options())).toEqual([]);
  });

  it('branches a promising path into children that each work on another criterion', () => {
    const b = new StateBuilder();
    const root = b.add({ lens: 'invert', scores: { a: 4, b: 3 } });
    const leaf = b.add({ parents: [root], scores: { a: 7, b: 6 } });
    const moves = planMoves(b.state, options({ slots: 6 })).filter((m) => m.parentIds[0] === leaf);
    expect(moves.length).toBeGreaterThanOrEqual(2);
    const foci = moves.map((m) => (m.focus ?? []).join(','));
    expect(new Set(foci).size).toBe(moves.length);
    // A path that stalled gets one child.
    const stalledRoot = b.add({ lens: 'extreme', scores: { a: 4, b: 4 } });
    const stalled = b.add({ parents: [stalledRoot], scores: { a: 4.2, b: 4.2 } });
    expect(rankMoves(b.state, options()).filter((m) => m.parentIds[0] === stalled)).toHaveLength(1);
  });

  it('fills free slots with further children of a path worth deepening, each worth its value, fewer as the budget runs low', () => {
    const b = new StateBuilder();
    const root = b.add({ lens: 'invert', scores: { a: 4, b: 4 } });
    // A stalled path: one child by its own value.
    const leaf = b.add({ parents: [root], scores: { a: 4.5, b: 4.3 } });
    for (const lens of ['extreme', 'minimal', 'borrow-field']) b.exhaust(b.add({ lens, scores: { a: 2, b: 2 } }));
    const ranked = rankMoves(b.state, options()).filter((m) => m.parentIds[0] === leaf);
    expect(ranked).toHaveLength(1);
    const full = planMoves(b.state, options({ slots: 6 })).filter((m) => m.parentIds[0] === leaf);
    expect(full.length).toBeGreaterThan(1);
    expect(full.length).toBeLessThanOrEqual(DEFAULT_POLICY.maxChildren);
    expect(new Set(full.map((m) => (m.focus ?? []).join(','))).size).toBe(full.length);
    for (const move of full) expect(move.value).toBeGreaterThanOrEqual(DEFAULT_POLICY.minValue);
    // With little budget left a filler must be worth more: none of these is.
    const low = planMoves(b.state, options({ slots: 6, budgetLeft: 0.1 })).filter((m) => m.parentIds[0] === leaf);
    expect(low).toHaveLength(1);
  });

  it('plans no second move on a target while one is in flight, and nothing untried until all have returned', () => {
    const lenses: Lens[] = LENSES.slice(0, 1);
    const b = new StateBuilder(lenses);
    const lens = lenses[0] as Lens;
    const leaf = b.add({ lens: lens.id, scores: { a: 5, b: 5 } });
    const [first] = planMoves(b.state, options({ slots: 1 }));
    expect(first).toMatchObject({ kind: 'deepen', parentIds: [leaf] });
    applyEvent(b.state, { type: 'move.planned', move: { id: 'x.m90', kind: 'deepen', parentIds: [leaf], lens, origin: 'policy' } });
    const next = planMoves(b.state, options({ slots: 6 }));
    expect(next.filter((m) => m.parentIds[0] === leaf && m.focus === undefined)).toEqual([]);
    expect(next.some((m) => m.why.startsWith('untried'))).toBe(false);
  });

  it('deepens the path the person prefers first when two paths pay about the same', () => {
    const b = new StateBuilder();
    const plain = b.add({ lens: 'invert', scores: { a: 6, b: 6 } });
    const liked = b.add({ lens: 'extreme', scores: { a: 6.2, b: 6.2 } });
    const firstDeepen = (preference?: (id: string) => number | undefined): string | undefined =>
      planMoves(b.state, options({ slots: 8, preference })).find((m) => m.kind === 'deepen')?.parentIds[0];
    expect(firstDeepen()).toBe(plain);
    expect(firstDeepen((id) => (id === liked ? 2 : -2))).toBe(liked);
    // The same preference gives the same plan: determinism for a seed is kept.
    expect(planMoves(b.state, options({ preference: (id) => (id === liked ? 2 : -2) }))).toEqual(
      planMoves(b.state, options({ preference: (id) => (id === liked ? 2 : -2) })),
    );
  });

  it('lets taste reorder close paths but never outweigh a path that plainly pays more', () => {
    const b = new StateBuilder();
    const strong = b.add({ lens: 'invert', scores: { a: 3, b: 3 } });
    const weak = b.exhaust(b.add({ lens: 'extreme', scores: { a: 3, b: 3 } })) && b.add({ parents: [b.state.order[1] as string], scores: { a: 3.05, b: 3.05 } });
    const preference = (id: string): number => (id === weak ? 50 : -50);
    const deepens = rankMoves(b.state, options({ preference })).filter((m) => m.kind === 'deepen').map((m) => m.parentIds[0]);
    expect(deepens[0]).toBe(strong);
    const tilt = tasteTilt([strong, weak], preference);
    expect(Math.max(...tilt.values())).toBeLessThanOrEqual(PREFERENCE_WEIGHT);
    expect(tasteTilt([strong], preference).size).toBe(0);
  });
});

describe("the person's path", () => {
  /** Adds a candidate made by a decision's move (as `decide deepen` makes one). */
  const addSteered = (b: StateBuilder, made: number, parent: string, scores: Record<string, number>): string => {
    const lens = LENSES.find((l) => l.id === b.state.nodes.get(parent)?.candidate.lensId) as Lens;
    applyEvent(b.state, { type: 'move.planned', move: { id: `x.m${made + 1}`, kind: 'deepen', parentIds: [parent], lens, origin: 'decision', directive: 'x.d1:0' } });
    return b.add({ parents: [parent], scores });
  };

  it('is deepened first, ahead of a path that pays more, until it is exhausted', () => {
    const b = new StateBuilder();
    const strongRoot = b.add({ lens: 'invert', scores: { a: 3, b: 3 } });
    const strong = b.add({ parents: [strongRoot], scores: { a: 7, b: 7 } });
    const chosen = b.add({ lens: 'extreme', scores: { a: 7, b: 7 } });
    // Without a decision the path that pays goes first.
    expect(rankMoves(b.state, options()).find((m) => m.kind === 'deepen')?.parentIds).toEqual([strong]);
    const child = addSteered(b, 3, chosen, { a: 7.2, b: 7.2 });
    expect(steeredLeaves(b.state)).toEqual(new Set([child]));
    const first = rankMoves(b.state, options()).find((m) => m.kind === 'deepen');
    expect(first?.parentIds).toEqual([child]);
    expect(first?.why).toContain('the path you chose');
    // Its descendants made by the policy carry the choice on.
    const grandchild = b.add({ parents: [child], scores: { a: 7.3, b: 7.3 } });
    expect(steeredLeaves(b.state)).toEqual(new Set([grandchild]));
    // Exhausted: the judge's favourite takes over again.
    b.exhaust(grandchild);
    expect(steeredLeaves(b.state).size).toBe(0);
    expect(rankMoves(b.state, options()).find((m) => m.kind === 'deepen')?.parentIds).toEqual([strong]);
  });

  it('is the last one chosen, and none before any decision or once it is pruned', () => {
    const b = new StateBuilder();
    expect(steeredLeaves(b.state).size).toBe(0);
    const x = b.add({ lens: 'invert' });
    const y = b.add({ lens: 'extreme' });
    const first = addSteered(b, 2, x, { a: 6, b: 6 });
    expect(steeredLeaves(b.state)).toEqual(new Set([first]));
    const second = addSteered(b, 3, y, { a: 6, b: 6 });
    expect(steeredLeaves(b.state)).toEqual(new Set([second]));
    applyEvent(b.state, {
      type: 'decision.made',
      decision: { id: 'x.d2', explorationId: 'x', checkpointId: null, action: 'prune', candidateIds: [second], reason: 'no', createdAt: '2026-01-01T00:00:00.000Z' },
    });
    expect(steeredLeaves(b.state)).toEqual(new Set([first]));
  });
});
