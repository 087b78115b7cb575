import type { Progress } from '../explore/engine.js';

/** Where a command writes: data on stdout, messages on stderr, progress only on a terminal. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: live progress is shown only then. */
  interactive: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Redraws the one-line live progress display with `line` (cleared when empty). Set by the CLI's
   * terminal edge, which sanitizes `line`; without it, progress is not drawn.
   */
  progress?: (line: string) => void;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * JSON on stdout. JSON.stringify already escapes C0 controls; the C1 controls and bidi marks a
 * terminal would obey are escaped too (`\u202e`), so the data stays exact and the terminal
 * sanitizer finds nothing to change in it.
 */
export function printJson(io: Io, value: unknown): void {
  const text = JSON.stringify(value, null, 2).replace(/[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  io.out(`${text}\n`);
}

/** A one-line live progress display on a terminal; nothing at all otherwise. */
export function progressReporter(io: Io, enabled: boolean): { onProgress?: (p: Progress) => void; done(): void } {
  const progress = io.progress;
  if (!enabled || !io.interactive || !progress) return { done: () => undefined };
  let best = 0;
  let candidates = 0;
  let exhausted = 0;
  let last = '';
  const draw = (): void => {
    progress(`  exploring · ${candidates} candidates · best ${Math.round(best * 100)}% · ${exhausted} paths exhausted · ${last}`);
  };
  return {
    onProgress: (p) => {
      if (p.type === 'candidate') {
        candidates = p.total;
        best = Math.max(best, p.quality);
        last = `${p.kind} ${shortId(p.candidateId)} (${p.lensId}) ${Math.round(p.quality * 100)}%`;
      } else if (p.type === 'exhausted') {
        exhausted += 1;
      }
      draw();
    },
    done: () => progress(''),
  };
}

/** `x1a2b3c.c12` → `c12`: what a person types. */
export function shortId(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot >= 0 ? id.slice(dot + 1) : id;
}
