import type { Progress } from '../explore/engine.js';

/** Where a command writes: data on stdout, messages on stderr, progress only on a terminal. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: live progress is shown only then. */
  interactive: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
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

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A one-line live progress display on a terminal; nothing at all otherwise. */
export function progressReporter(io: Io, enabled: boolean): { onProgress?: (p: Progress) => void; done(): void } {
  if (!enabled || !io.interactive) return { done: () => undefined };
  let best = 0;
  let candidates = 0;
  let exhausted = 0;
  let last = '';
  const draw = (): void => {
    io.err(`\r\x1b[2K  exploring · ${candidates} candidates · best ${Math.round(best * 100)}% · ${exhausted} paths exhausted · ${last}`);
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
    done: () => io.err('\r\x1b[2K'),
  };
}

/** `x1a2b3c.c12` → `c12`: what a person types. */
export function shortId(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot >= 0 ? id.slice(dot + 1) : id;
}
