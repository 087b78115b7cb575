import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../test/support/state-builder.js';
import { DEFAULT_EXHAUSTION, exhaustionReason } from './exhaustion.js';
import type { Lens } from '../brief/schema.js';
import { LENSES } from '../../test/support/state-builder.js';
import { applyEvent, pathTo } from './state.js';

/** Adds a deepening made by a decision's move (as `decide deepen` makes one): the person chose the path. */
function addChosen(b: StateBuilder, parent: string, scores: Record<string, number>): string {
  const lens = LENSES.find((l) => l.id === b.state.nodes.get(parent)?.candidate.lensId) as Lens;
  // The builder's next candidate is made by the move planned here (ids count up together).
  const next = b.state.order.length + 1;
  applyEvent(b.state, { type: 'move.planned', move: { id: `x.m${next}`, kind: 'deepen', parentIds: [parent], lens, origin: 'decision', directive: 'x.d1:0' } });
  return b.add({ parents: [parent], scores });
}

describe('exhaustion', () => {
  it('keeps a path open while deepening still pays', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 4, b: 4 } });
    const c2 = b.add({ parents: [c1], scores: { a: 5.5, b: 5.5 } });
    const c3 = b.add({ parents: [c2], scores: { a: 6.5, b: 6.5 } });
    expect(exhaustionReason(pathTo(b.state, c3))).toBeNull();
  });

  it('calls a plateau when the last deepenings gained less than the minimum', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 6, b: 6 } });
    const c2 = b.add({ parents: [c1], scores: { a: 6.1, b: 6.1 } });
    const c3 = b.add({ parents: [c2], scores: { a: 6.2, b: 6.1 } });
    expect(exhaustionReason(pathTo(b.state, c3))).toMatch(/^plateau/);
  });

  it('does not judge a plateau across an opening: the window must hold deepenings only', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 6, b: 6 } });
    const c2 = b.add({ parents: [c1], scores: { a: 6.1, b: 6.1 } });
    expect(exhaustionReason(pathTo(b.state, c2))).toBeNull();
  });

  it('never ends a path on one near-duplicate: the next take may differ', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 5, b: 5 } });
    const c2 = b.add({ parents: [c1], scores: { a: 5.1, b: 5 }, parentSimilarity: 0.97 });
    expect(exhaustionReason(pathTo(b.state, c2))).toBeNull();
  });

  it('ends a path on two near-duplicates in a row', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 4, b: 4 } });
    const c2 = b.add({ parents: [c1], scores: { a: 5, b: 5 }, parentSimilarity: 0.97 });
    const c3 = b.add({ parents: [c2], scores: { a: 6, b: 6 }, parentSimilarity: 0.99 });
    expect(exhaustionReason(pathTo(b.state, c3))).toMatch(/2 near-duplicates .* in a row/);
    // A real change in between breaks the run.
    const d2 = b.add({ parents: [c1], scores: { a: 5, b: 5 }, parentSimilarity: 0.97 });
    const d3 = b.add({ parents: [d2], scores: { a: 6, b: 6 }, parentSimilarity: 0.5 });
    const d4 = b.add({ parents: [d3], scores: { a: 7, b: 7 }, parentSimilarity: 0.97 });
    expect(exhaustionReason(pathTo(b.state, d4))).toBeNull();
  });

  it('needs a plateau over at least two deepenings, whatever the rules say', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 6, b: 6 } });
    const c2 = b.add({ parents: [c1], scores: { a: 6, b: 6 } });
    expect(exhaustionReason(pathTo(b.state, c2), { ...DEFAULT_EXHAUSTION, plateauWindow: 1 })).toBeNull();
  });

  it('stops at the ceiling of quality or depth', () => {
    const b = new StateBuilder();
    const top = b.add({ scores: { a: 9.9, b: 9.8 } });
    expect(exhaustionReason(pathTo(b.state, top))).toMatch(/^ceiling/);
    let id = b.add({ scores: { a: 1, b: 1 } });
    for (let depth = 2; depth <= DEFAULT_EXHAUSTION.maxDepth; depth += 1) {
      id = b.add({ parents: [id], scores: { a: depth, b: depth } });
    }
    expect(exhaustionReason(pathTo(b.state, id))).toMatch(/depth 8/);
  });

  it("weighs the judge's word less on a path the person chose: no quality ceiling, a plateau over four deepenings", () => {
    const b = new StateBuilder();
    const opening = b.add({ scores: { a: 6, b: 6 } });
    const chosen = addChosen(b, opening, { a: 6.1, b: 6.1 });
    expect(b.state.nodes.get(chosen)?.directive).toBe('x.d1:0');
    // Two flat deepenings would end a path of the judge's; on the person's they are noise.
    const c3 = b.add({ parents: [chosen], scores: { a: 6.2, b: 6.1 } });
    expect(exhaustionReason(pathTo(b.state, c3))).toBeNull();
    // The judge's 99% is not the person's ceiling.
    const top = b.add({ parents: [c3], scores: { a: 9.9, b: 9.9 } });
    expect(exhaustionReason(pathTo(b.state, top))).toBeNull();
    // Flat over four deepenings is evidence, on any path.
    const c4 = b.add({ parents: [c3], scores: { a: 6.2, b: 6.2 } });
    expect(exhaustionReason(pathTo(b.state, c4))).toBeNull();
    const c5 = b.add({ parents: [c4], scores: { a: 6.3, b: 6.2 } });
    expect(exhaustionReason(pathTo(b.state, c5))).toMatch(/^plateau: .* over the last 4 deepenings/);
    // The same scores on a path nobody chose end it at once.
    const other = b.add({ scores: { a: 6, b: 6 } });
    const o2 = b.add({ parents: [other], scores: { a: 6.1, b: 6.1 } });
    const o3 = b.add({ parents: [o2], scores: { a: 6.2, b: 6.1 } });
    expect(exhaustionReason(pathTo(b.state, o3))).toMatch(/^plateau: .* over the last 2 deepenings/);
  });

  it('says nothing about an unjudged leaf', () => {
    const b = new StateBuilder();
    const c1 = b.add({ judged: false });
    expect(exhaustionReason(pathTo(b.state, c1))).toBeNull();
  });
});
