import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TreeEntry } from '../../src/steer/views.js';
import { COLUMN, layoutTree, pathToRoot } from '../../src/web/tree-layout.js';

/** The tree view's layout: pure, so checked on many random explorations. */

function entry(id: string, parentIds: string[], depth: number): TreeEntry {
  return { id, parentIds, kind: parentIds.length > 1 ? 'combine' : parentIds.length ? 'deepen' : 'open', lensId: 'invert', depth, quality: 0.5, novelty: 0.5, exhausted: null, pruned: false };
}

/** Random explorations: each candidate's parents come earlier (as in the event log). */
const explorations = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 300 }).map((moves) => {
  const entries: TreeEntry[] = [];
  moves.forEach(([a, b, combine], index) => {
    const id = `c${index + 1}`;
    if (entries.length === 0 || a % 5 === 0) return entries.push(entry(id, [], 0));
    const first = entries[a % entries.length] as TreeEntry;
    const second = entries[b % entries.length] as TreeEntry;
    const parents = combine && second.id !== first.id ? [first.id, second.id] : [first.id];
    entries.push(entry(id, parents, first.depth + 1));
  });
  return entries;
});

describe('layoutTree', () => {
  it('places every candidate once, children right of their parent, no two on one spot', () => {
    fc.assert(
      fc.property(explorations, (entries) => {
        const layout = layoutTree(entries);
        expect(layout.nodes.size).toBe(entries.length);
        expect(new Set(layout.order)).toEqual(new Set(entries.map((e) => e.id)));
        const spots = new Set<string>();
        for (const node of layout.nodes.values()) {
          spots.add(`${node.x},${node.y}`);
          expect(node.x).toBeGreaterThanOrEqual(0);
          expect(node.y).toBeGreaterThanOrEqual(0);
          expect(node.x).toBeLessThanOrEqual(layout.width);
          expect(node.y).toBeLessThanOrEqual(layout.height);
          const parent = node.parentId === null ? undefined : layout.nodes.get(node.parentId);
          expect(node.parentId).toBe(node.entry.parentIds[0] ?? null);
          if (parent) expect(node.x - parent.x).toBe(COLUMN);
        }
        expect(spots.size).toBe(entries.length);
      }),
      { seed: 20261124, numRuns: 150 },
    );
  });

  it("draws a combine's other parents as extra links, and a path runs from its opening", () => {
    const entries = [entry('a', [], 0), entry('b', [], 0), entry('c', ['a'], 1), entry('d', ['c', 'b'], 2)];
    const layout = layoutTree(entries);
    expect(layout.extraLinks).toEqual([['b', 'd']]);
    expect(pathToRoot(layout, 'd')).toEqual(['a', 'c', 'd']);
    expect(pathToRoot(layout, null)).toEqual([]);
  });
});
