import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DECISION_ACTIONS } from '../types.js';
import { preferencesFrom } from './preferences.js';

const shown = ['a', 'b', 'c', 'd'];
const pairs = (list: Array<{ preferred: string; other: string }>): string[] => list.map((p) => `${p.preferred}>${p.other}`);

describe('preferences from a decision', () => {
  it('accept: the accepted card over every other card shown', () => {
    expect(pairs(preferencesFrom({ action: 'accept', candidateIds: ['b'] }, shown))).toEqual(['b>a', 'b>c', 'b>d']);
  });

  it('deepen: each chosen card over each card left alone', () => {
    expect(pairs(preferencesFrom({ action: 'deepen', candidateIds: ['c', 'a'] }, shown))).toEqual(['c>b', 'c>d', 'a>b', 'a>d']);
  });

  it('combine: both over the rest', () => {
    expect(pairs(preferencesFrom({ action: 'combine', candidateIds: ['a', 'd'] }, shown))).toEqual(['a>b', 'a>c', 'd>b', 'd>c']);
  });

  it('prune: every other card over the pruned one', () => {
    expect(pairs(preferencesFrom({ action: 'prune', candidateIds: ['c'] }, shown))).toEqual(['a>c', 'b>c', 'd>c']);
    expect(pairs(preferencesFrom({ action: 'prune', candidateIds: ['d', 'a'] }, shown))).toEqual(['b>d', 'c>d', 'b>a', 'c>a']);
  });

  it('continue, a lens, a redirect: no preference among the candidates', () => {
    for (const action of ['continue', 'lens', 'redirect'] as const) {
      expect(preferencesFrom({ action, candidateIds: [] }, shown)).toEqual([]);
    }
  });

  it('counts a chosen candidate named from the tree, off the board; ignores repeated ids', () => {
    expect(pairs(preferencesFrom({ action: 'deepen', candidateIds: ['z', 'z'] }, ['a', 'b', 'a']))).toEqual(['z>a', 'z>b']);
    expect(preferencesFrom({ action: 'accept', candidateIds: ['a'] }, ['a'])).toEqual([]);
  });

  it('every pair sets a chosen card against an unchosen shown one, never a card against itself (seeded)', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(fc.constantFrom(...DECISION_ACTIONS), fc.array(id, { maxLength: 3 }), fc.array(id, { maxLength: 6 }), (action, chosen, board) => {
        const result = preferencesFrom({ action, candidateIds: chosen }, board);
        const named = new Set<string>(chosen);
        const others = new Set<string>(board.filter((c) => !named.has(c)));
        if (action === 'continue' || action === 'lens' || action === 'redirect') {
          expect(result).toEqual([]);
          return;
        }
        expect(result.length).toBe(named.size * others.size);
        expect(new Set(pairs(result)).size).toBe(result.length);
        for (const { preferred, other } of result) {
          expect(preferred).not.toBe(other);
          if (action === 'prune') {
            expect(named.has(other) && others.has(preferred)).toBe(true);
          } else {
            expect(named.has(preferred) && others.has(other)).toBe(true);
          }
        }
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
