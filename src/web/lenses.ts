/**
 * Lenses as the UI shows them: the built-in ids (to offer "try a lens") and one colour per lens,
 * the same in the tree, on the board and in the charts.
 *
 * The built-in list mirrors `BUILT_IN_LENSES` in src/brief/lenses.ts (test/web/lenses.test.ts
 * keeps them in step); it is copied so the browser bundle carries none of the library's runtime.
 */
export const BUILT_IN_LENS_CHOICES: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'challenge-assumption', name: 'Challenge an assumption' },
  { id: 'new-genre', name: 'Change the genre' },
  { id: 'emotional-arc', name: 'Change the emotional arc' },
  { id: 'invert', name: 'Invert the problem' },
  { id: 'change-audience', name: 'Change the audience' },
  { id: 'borrow-field', name: 'Borrow from another field' },
  { id: 'extreme', name: 'Push to an extreme' },
  { id: 'constraint-flip', name: 'Flip a constraint' },
  { id: 'minimal', name: 'Make it minimal' },
  { id: 'first-principles', name: 'Reason from first principles' },
];

/**
 * Ten colours a colour-blind reader can tell apart: Okabe–Ito's eight (yellow left out: it
 * vanishes on white), with Paul Tol's indigo, wine and a slate grey. No two lenses share a purple.
 */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#332288', '#882255', '#000000', '#6B7785'];

/** A lens's colour: built-ins have fixed colours; other lenses are hashed onto the palette. */
export function lensColour(lensId: string): string {
  const builtin = BUILT_IN_LENS_CHOICES.findIndex((lens) => lens.id === lensId);
  if (builtin >= 0) return PALETTE[builtin % PALETTE.length] as string;
  let hash = 0;
  for (let i = 0; i < lensId.length; i += 1) hash = (hash * 31 + lensId.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length] as string;
}

export const MUTED = '#c3c7cc';
