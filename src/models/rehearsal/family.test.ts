import { describe, expect, it } from 'vitest';
import { FamilyLedger, sameFamily } from './family.js';

const A = 'One two three four five six seven eight nine ten.';
/** A with two words changed: of A's family (8 of 12 words shared). */
const B = 'One two three four five six seven eight alpha beta.';
/** B with two more changed: of B's family, not of A's (6 of 14). */
const C = 'One two three four five six gamma delta alpha beta.';

describe('sentence families', () => {
  it('joins a template filled twice with other slot words, not short or different sentences', () => {
    expect(sameFamily('Slowly the relief gives way to something warmer, as the readers start to feel possible.', 'Slowly the dread gives way to something warmer, as the teenage readers start to feel possible.')).toBe(true);
    expect(sameFamily('It ends here today.', 'It ends there today.')).toBe(false);
    expect(sameFamily(A, 'Then relief arrives, not loudly, but like a window opened in a stuffy room.')).toBe(false);
    expect([sameFamily(A, B), sameFamily(B, C), sameFamily(A, C)]).toEqual([true, true, false]);
  });

  it('lets a text hold two of a family, never a third, also when likeness is not transitive', () => {
    const pair = new FamilyLedger([A]);
    expect(pair.take(B)).toBe(true);
    expect(pair.admits('One two three four five six seven eight nine alpha.')).toBe(false);
    // C is like B only, but B already has A: A, B, C would read as one sentence three times.
    expect(pair.admits(C)).toBe(false);
    // B would join A and C, each far from the other, into a family of three.
    expect(new FamilyLedger([A, C]).admits(B)).toBe(false);
    // Both sentences of a two-sentence element count.
    expect(new FamilyLedger([A]).admits(`${B} ${C}`)).toBe(false);
    expect(new FamilyLedger([A]).admits(`${B} Then relief arrives, not loudly, but like a window opened.`)).toBe(true);
  });
});
