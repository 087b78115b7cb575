import { describe, expect, it } from 'vitest';
import { BUILT_IN_LENSES } from '../../src/brief/lenses.js';
import { BUILT_IN_LENS_CHOICES, lensColour } from '../../src/web/lenses.js';

/** The web UI carries its own copy of the built-in lenses (its bundle has no library runtime). */
describe('the web UI’s lenses', () => {
  it('offers exactly the built-in lenses, in order, with their names', () => {
    expect(BUILT_IN_LENS_CHOICES).toEqual(BUILT_IN_LENSES.map((lens) => ({ id: lens.id, name: lens.name })));
  });

  it('gives every built-in lens its own colour, and any lens the same colour every time', () => {
    const colours = BUILT_IN_LENSES.map((lens) => lensColour(lens.id));
    expect(new Set(colours).size).toBe(colours.length);
    expect(lensColour('custom-tell-it-as-a')).toBe(lensColour('custom-tell-it-as-a'));
    expect(lensColour('custom-tell-it-as-a')).toMatch(/^#[0-9a-f]{6}$/);
  });
});
