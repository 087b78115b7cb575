import { BUILT_IN_LENSES, chooseLenses } from '../brief/lenses.js';
import type { Brief, Lens } from '../brief/schema.js';

/** For `lenses: auto`: the built-in lenses in the order Baton would choose them for this brief. */
const spareLensCache = new WeakMap<Brief, readonly Lens[]>();
export function spareLenses(brief: Brief): readonly Lens[] {
  if (brief.lenses !== 'auto') return [];
  let spare = spareLensCache.get(brief);
  if (!spare) {
    spare = chooseLenses(brief, BUILT_IN_LENSES.length);
    spareLensCache.set(brief, spare);
  }
  return spare;
}
