/**
 * Every rehearsal text starts with a header line that says what it is:
 * `[rehearsal · lens <lensId> · draft <n> · <sig>]`, where `sig` (six hex digits) identifies the
 * opening a path grew from. A combined text carries a second line naming the openings it mixes,
 * `[combines lens a · 1f2e3d + lens b · 4c5b6a]`, so the judge can score it from the text alone.
 */

export interface RehearsalHeader {
  lensId: string;
  draft: number;
  sig: string;
}

/** An opening a text descends from. */
export interface RehearsalOrigin {
  lensId: string;
  sig: string;
}

export interface RehearsalText {
  header: RehearsalHeader | null;
  /** Present on combined texts (and their deepenings). */
  origins: RehearsalOrigin[] | null;
  body: string;
}

const HEADER = /^\[rehearsal · lens (\S+) · draft (\d+) · ([0-9a-f]{6})\][ \t]*(?:\r?\n|$)/;
const ORIGINS = /^\[combines ([^\]\n]+)\][ \t]*(?:\r?\n|$)/;
const ORIGIN = /^lens (\S+) · ([0-9a-f]{6})$/;

export function formatRehearsalHeader(header: RehearsalHeader): string {
  return `[rehearsal · lens ${header.lensId} · draft ${header.draft} · ${header.sig}]`;
}

/**
 * The header of a rehearsal text, or null when the text has none (another model wrote it).
 *
 * @example
 * parseRehearsalHeader('[rehearsal · lens invert · draft 2 · 0a1b2c]\n\nBody…');
 * // → { lensId: 'invert', draft: 2, sig: '0a1b2c' }
 */
export function parseRehearsalHeader(text: string): RehearsalHeader | null {
  const match = HEADER.exec(text);
  if (!match) return null;
  return { lensId: match[1] as string, draft: Number(match[2]), sig: match[3] as string };
}

export function formatOrigins(origins: readonly RehearsalOrigin[]): string {
  return `[combines ${origins.map((o) => `lens ${o.lensId} · ${o.sig}`).join(' + ')}]`;
}

/** Splits a text into its header, its origins line and the body that follows. */
export function splitRehearsalText(text: string): RehearsalText {
  const headerMatch = HEADER.exec(text);
  if (!headerMatch) return { header: null, origins: null, body: text.trim() };
  let rest = text.slice(headerMatch[0].length);
  let origins: RehearsalOrigin[] | null = null;
  const originsMatch = ORIGINS.exec(rest);
  if (originsMatch) {
    const parsed = (originsMatch[1] as string).split(' + ').map((part) => ORIGIN.exec(part.trim()));
    if (parsed.every((m) => m !== null)) {
      origins = parsed.map((m) => ({ lensId: m[1] as string, sig: m[2] as string }));
      rest = rest.slice(originsMatch[0].length);
    }
  }
  return { header: parseRehearsalHeader(text), origins, body: rest.trim() };
}
