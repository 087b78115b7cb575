/**
 * The terminal's sanitizer: the one place text leaves Baton for a terminal (the CLI's stdout and
 * stderr). Model and brief text may carry escape sequences — clear the screen (`ESC[2J`), set the
 * window title (OSC 0), plant hyperlinks (OSC 8) — or a carriage return that overwrites Baton's
 * own `│` marker, or bidi overrides that reorder what is shown. Every control character except
 * newline and tab is made visible instead of obeyed: C0 controls as their Unicode control
 * pictures (ESC → ␛, CR → ␍), DEL as ␡, C1 controls and bidi/invisible formatting marks as
 * `<U+202E>`. Nothing is dropped, so a reader still sees that something was there.
 */

// C0 except \t (09) and \n (0A); DEL; C1; bidi embeddings/overrides/isolates and marks; line and
// paragraph separators (some terminals break lines on them); the BOM / zero-width no-break space.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/gu;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * Text safe to write to a terminal: newlines and tabs kept, every other control made visible.
 * A Windows line ending (`\r\n`) is read as a newline.
 *
 * @example
 * sanitizeTerminal('best\r│ every criterion met\x1b[2J') // 'best␍│ every criterion met␛[2J'
 */
export function sanitizeTerminal(text: string): string {
  return text.replace(/\r\n/gu, '\n').replace(UNSAFE, visible);
}

/** True when `text` holds nothing `sanitizeTerminal` would change (after CRLF). */
export function isTerminalSafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const unsafe = UNSAFE.test(text.replace(/\r\n/gu, '\n'));
  UNSAFE.lastIndex = 0;
  return !unsafe;
}
