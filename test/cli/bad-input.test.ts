import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { describeResult, EXAMPLES, jsonOf, rowCounts, runCli, stackTraceLines, tempDir } from '../support/cli.js';
import { LintShape, OutcomeShape } from '../support/shapes.js';

/**
 * A person's mistakes, through the real binary: each is refused with exit 2 and a message on
 * stderr that says where (file:line:column, and the field), never a stack trace — and nothing is
 * written.
 */

const VALID_FRONT = ['---', 'intent: Children in our reading club should want to retell the story at home, for their parents.'];

interface BadBrief {
  name: string;
  file: string;
  /** Creates the bad input at `path`. */
  make: (path: string) => void;
  /** What the message must name: the location, the field, the gist. */
  location: RegExp;
  mentions: string[];
}

const text = (lines: string[]) => (path: string) => writeFileSync(path, `${lines.join('\n')}\n`);

const BAD_BRIEFS: BadBrief[] = [
  {
    name: 'a YAML syntax error',
    file: 'syntax.md',
    make: text([...VALID_FRONT, 'question: What: is it?', 'criteria: [clear]', '---']),
    location: /syntax\.md:3:11\b/u,
    mentions: ['invalid YAML'],
  },
  {
    name: 'a value of the wrong type (weight: "high")',
    file: 'wrong-type.md',
    make: text([...VALID_FRONT, 'question: What would a child retell?', 'criteria:', '  - text: Ends on an image', '    weight: high', '---']),
    location: /wrong-type\.md:6:13\b/u,
    mentions: ['criteria.0.weight', 'expected a number', '"high"'],
  },
  {
    name: 'an unknown key',
    file: 'unknown-key.md',
    make: text([...VALID_FRONT, 'question: What would a child retell?', 'critera:', '  - Ends on an image', '---']),
    location: /unknown-key\.md:4:1\b/u,
    mentions: ['critera', 'did you mean `criteria`'],
  },
  {
    name: 'an empty question',
    file: 'empty-question.md',
    make: text([...VALID_FRONT, 'question: ""', 'criteria:', '  - Ends on an image', '---']),
    location: /empty-question\.md:3:\d+\b/u,
    mentions: ['question', 'empty'],
  },
  {
    name: 'a negative budget',
    file: 'negative-budget.md',
    make: text([...VALID_FRONT, 'question: What would a child retell?', 'criteria:', '  - Ends on an image', 'budget:', '  calls: -5', '---']),
    location: /negative-budget\.md:7:\d+\b/u,
    mentions: ['budget.calls', '-5'],
  },
  {
    name: 'a 50 MB file',
    file: 'huge.md',
    make: (path) => {
      writeFileSync(path, '---\n');
      truncateSync(path, 50 * 1024 * 1024); // sparse: cheap to make, but 50 MB by its size
    },
    location: /huge\.md/u,
    mentions: ['50 MiB', 'at most 1 MiB'],
  },
  {
    name: 'a binary file',
    file: 'binary.md',
    make: (path) => writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x10])),
    location: /binary\.md/u,
    mentions: ['not a text file'],
  },
  {
    name: 'a missing file',
    file: 'missing.md',
    make: () => undefined,
    location: /missing\.md/u,
    mentions: [],
  },
  {
    name: 'a directory',
    file: 'folder.md',
    make: (path) => mkdirSync(path),
    location: /folder\.md/u,
    mentions: ['directory'],
  },
];

const UNKNOWN_PROVIDER = text([...VALID_FRONT, 'question: What would a child retell?', 'criteria:', '  - Ends on an image', 'model: openia:gpt', '---']);

/** Exit 2, a located message on stderr, no stack trace, nothing on stdout. */
function expectRefused(result: CliResult, location: RegExp | null, mentions: readonly string[]): void {
  expect(result.code, describeResult(result)).toBe(2);
  expect(stackTraceLines(result.stderr), result.stderr).toEqual([]);
  expect(result.stderr).not.toMatch(/internal error/u);
  expect(result.stdout).toBe('');
  if (location) expect(result.stderr).toMatch(location);
  for (const words of mentions) expect(result.stderr).toContain(words);
}

/** A working directory whose database already holds one exploration awaiting a decision. */
let cwd = '';
let db = '';
let exploration = '';

beforeAll(async () => {
  cwd = tempDir();
  db = join(cwd, '.baton', 'baton.db');
  for (const bad of BAD_BRIEFS) bad.make(join(cwd, bad.file));
  UNKNOWN_PROVIDER(join(cwd, 'provider.md'));
  const run = await runCli(['run', join(EXAMPLES, 'flaky-tests.md'), '--json', '--seed', '3'], { cwd });
  expect(run.code, describeResult(run)).toBe(10);
  exploration = OutcomeShape.parse(jsonOf(run)).exploration;
});

describe('a brief with a mistake in it', () => {
  it.each(BAD_BRIEFS)('`run` refuses $name with a located message, and writes nothing', async (bad) => {
    const before = rowCounts(db);
    const result = await runCli(['run', bad.file], { cwd });
    expectRefused(result, bad.location, bad.mentions);
    expect(rowCounts(db)).toEqual(before);
  });

  it.each(BAD_BRIEFS)('`lint` refuses $name the same way', async (bad) => {
    const result = await runCli(['lint', bad.file, '--json'], { cwd });
    expectRefused(result, bad.location, bad.mentions);
  });

  it.each(BAD_BRIEFS)('`reframe` refuses $name and writes nothing', async (bad) => {
    const before = rowCounts(db);
    expectRefused(await runCli(['reframe', bad.file], { cwd }), bad.location, bad.mentions);
    expect(rowCounts(db)).toEqual(before);
  });

  it('names the location once, not twice', async () => {
    for (const bad of BAD_BRIEFS) {
      const result = await runCli(['run', bad.file], { cwd });
      const firstLine = result.stderr.split('\n')[0] ?? '';
      expect(firstLine.split(bad.file).length - 1, firstLine).toBe(1);
    }
  });

  it('does not create a database when the brief is refused', async () => {
    const fresh = tempDir();
    for (const bad of BAD_BRIEFS) {
      bad.make(join(fresh, bad.file));
      expectRefused(await runCli(['run', bad.file], { cwd: fresh }), bad.location, bad.mentions);
      expect(existsSync(join(fresh, '.baton')), `after ${bad.name}`).toBe(false);
    }
  });
});

describe('an unknown model provider (model: openia:gpt)', () => {
  it('is refused by `run` with a did-you-mean, before an exploration is created', async () => {
    const before = rowCounts(db);
    const result = await runCli(['run', 'provider.md'], { cwd });
    expectRefused(result, null, ['openia', 'did you mean "openai"']);
    const after = rowCounts(db);
    expect(after.explorations).toBe(before.explorations);
    expect(after.events).toBe(before.events);
  });

  it('writes no brief version either', async () => {
    const before = rowCounts(db);
    expectRefused(await runCli(['run', 'provider.md'], { cwd }), null, ['did you mean "openai"']);
    expect(rowCounts(db)).toEqual(before);
  });

  it('names the file, line and column of `model:`', async () => {
    expectRefused(await runCli(['run', 'provider.md'], { cwd }), /provider\.md:6:\d+/u, ['model']);
  });

  it('is reported by `lint` as an error', async () => {
    const result = await runCli(['lint', 'provider.md', '--json'], { cwd });
    expect(result.code, describeResult(result)).toBe(2);
  });
});

describe('a decision that cannot be taken', () => {
  const cases: Array<{ name: string; args: string[]; mentions: string[] }> = [
    { name: 'an unknown action', args: ['frobnicate'], mentions: ['unknown action "frobnicate"', 'deepen, prune, combine, accept, lens, redirect, continue'] },
    { name: 'an unknown candidate', args: ['deepen', 'c999'], mentions: ['no candidate "c999"'] },
    { name: 'combine with one candidate', args: ['combine', 'c1'], mentions: ['combine', 'two'] },
    { name: 'accept with no candidate', args: ['accept'], mentions: ['accept', 'one candidate'] },
    { name: 'accept with two candidates', args: ['accept', 'c1', 'c2'], mentions: ['accept', 'one candidate'] },
    { name: 'lens with no lens', args: ['lens'], mentions: ['lens'] },
    { name: 'redirect with no brief', args: ['redirect'], mentions: ['--brief'] },
  ];

  it.each(cases)('refuses $name (exit 2), records nothing, and the checkpoint stays open', async ({ args, mentions }) => {
    const before = rowCounts(db);
    const result = await runCli(['decide', exploration, ...args, '--why', 'a reason that must not be recorded'], { cwd });
    expectRefused(result, null, mentions);
    expect(rowCounts(db)).toEqual(before);
    const board = await runCli(['board', exploration, '--json'], { cwd });
    expect(board.code, describeResult(board)).toBe(10);
  });
});

describe('other mistakes on the command line', () => {
  it('`run` with an unknown exploration id says so', async () => {
    const before = rowCounts(db);
    expectRefused(await runCli(['run', 'xnothere'], { cwd }), null, ['no exploration "xnothere"']);
    expectRefused(await runCli(['decide', 'xnothere', 'continue'], { cwd }), null, ['no exploration "xnothere"']);
    expect(rowCounts(db)).toEqual(before);
  });

  it('an ambiguous id prefix asks for more of the id', async () => {
    const other = await runCli(['run', join(EXAMPLES, 'lighthouse-story.md'), '--json', '--seed', '3', '--db', join(cwd, 'two.db')], { cwd });
    const second = await runCli(['run', join(EXAMPLES, 'flaky-tests.md'), '--json', '--seed', '3', '--db', join(cwd, 'two.db')], { cwd });
    expect(other.code).toBe(10);
    expect(second.code).toBe(10);
    expectRefused(await runCli(['show', 'x', '--db', join(cwd, 'two.db')], { cwd }), null, ['matches several explorations', 'Give more of the id']);
  });

  it('`--seed abc` is refused before anything is read or written', async () => {
    const before = rowCounts(db);
    expectRefused(await runCli(['run', join(EXAMPLES, 'flaky-tests.md'), '--seed', 'abc'], { cwd }), null, ['--seed', '"abc"']);
    expect(rowCounts(db)).toEqual(before);
  });

  it('`export --format pdf` is refused and writes no file', async () => {
    const result = await runCli(['export', exploration, '--format', 'pdf', '-o', 'out.pdf'], { cwd });
    expect(result.code, describeResult(result)).toBe(2);
    expect(stackTraceLines(result.stderr)).toEqual([]);
    expect(result.stderr).toContain("'pdf' is invalid");
    expect(result.stderr).toContain('md, json');
    expect(existsSync(join(cwd, 'out.pdf'))).toBe(false);
  });

  it('an unknown command is refused with exit 2', async () => {
    const result = await runCli(['frobnicate'], { cwd });
    expect(result.code, describeResult(result)).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('baton init', () => {
  it('refuses to overwrite an existing file (exit 2) and leaves it as it was', async () => {
    const path = join(cwd, 'mine.md');
    writeFileSync(path, 'my own notes\n');
    const result = await runCli(['init', 'mine.md'], { cwd });
    expectRefused(result, /mine\.md/u, ['already exists', '--force']);
    expect(readFileSync(path, 'utf8')).toBe('my own notes\n');
  });

  it('writes a template that lints clean', async () => {
    const dir = tempDir();
    const result = await runCli(['init', 'brief.md', '--json'], { cwd: dir });
    expect(result.code, describeResult(result)).toBe(0);
    expect(jsonOf(result)).toEqual({ written: join(dir, 'brief.md') });
    expect(readFileSync(join(dir, 'brief.md'), 'utf8')).toMatch(/^---\n/u);
    const lint = await runCli(['lint', 'brief.md', '--json'], { cwd: dir });
    expect(lint.code, describeResult(lint)).toBe(0);
    expect(LintShape.parse(jsonOf(lint)).findings).toEqual([]);
    // init touches no database.
    expect(existsSync(join(dir, '.baton'))).toBe(false);
  });
});

describe('--help', () => {
  const commands = ['init', 'lint', 'reframe', 'run', 'board', 'decide', 'ls', 'show', 'export', 'demo'];

  it.each(commands)('`baton %s --help` exits 0 and documents --json', async (command) => {
    const result = await runCli([command, '--help'], { cwd });
    expect(result.code, describeResult(result)).toBe(0);
    expect(result.stdout).toContain(`Usage: baton ${command}`);
    expect(result.stdout).toContain('--json');
  });

  it('`baton --help` lists every command', async () => {
    const result = await runCli(['--help'], { cwd });
    expect(result.code, describeResult(result)).toBe(0);
    for (const command of commands) expect(result.stdout).toContain(`  ${command} `);
  });
});
