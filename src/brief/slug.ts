/**
 * Ids derived from text (criteria, custom lenses). They follow the same rule as ids a person
 * writes (`^[a-z0-9][a-z0-9-]*$`) so that derived and written ids can live side by side.
 */

/**
 * Lowercase ASCII slug of `text`, cut at a dash so it stays readable within `maxLength`.
 *
 * @example
 * slugify('Ends on an image, not a moral!') // 'ends-on-an-image-not-a-moral'
 * slugify('Ends on an image, not a moral!', { maxLength: 12 }) // 'ends-on-an'
 */
export function slugify(text: string, options: { maxLength?: number; fallback?: string } = {}): string {
  const maxLength = options.maxLength ?? 32;
  const full = text
    .normalize('NFKD')
    // Combining marks left by NFKD: "café" becomes "cafe" rather than "caf".
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const slug = cutAtDash(full, maxLength);
  return slug === '' ? (options.fallback ?? 'item') : slug;
}

/**
 * Returns `base`, or `base-2`, `base-3`… — the first one not in `taken` — and adds it to `taken`.
 * The suffix replaces the end of a long base so the result still fits `maxLength`.
 */
export function uniqueId(base: string, taken: Set<string>, maxLength = 32): string {
  let id = base;
  for (let n = 2; taken.has(id); n += 1) {
    const suffix = `-${n}`;
    id = `${cutAtDash(base, maxLength - suffix.length) || base.slice(0, maxLength - suffix.length)}${suffix}`;
  }
  taken.add(id);
  return id;
}

function cutAtDash(slug: string, maxLength: number): string {
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, maxLength);
  // Prefer a whole-word cut unless that throws away most of the room.
  const lastDash = cut.lastIndexOf('-');
  const trimmed = lastDash >= maxLength / 2 ? cut.slice(0, lastDash) : cut;
  return trimmed.replace(/-+$/, '');
}
