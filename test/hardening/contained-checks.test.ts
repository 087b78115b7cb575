import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopCheckModules } from '../../src/explore/check-module.js';
import { runCheck } from '../../src/explore/checks.js';
import { describeResult, jsonOf, runCli, tempDir } from '../support/cli.js';

/**
 * Checks never hang and never take Baton down: regexes run in linear time (RE2), and a `module:`
 * check that throws, exits, loops or returns junk is that criterion's failure — Baton goes on.
 */

afterAll(() => stopCheckModules());

const dir = tempDir('baton-contained-');
const modules: Record<string, string> = {
  'exits.mjs': 'export function check() { process.exit(0); }',
  'throws.mjs': 'export function check() { throw new Error("no luck"); }',
  'loops.mjs': 'export function check() { for (;;) {} }',
  'junk.mjs': 'export function check() { return () => 1; }',
  'hog.mjs': 'export function check() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }',
  'chatty.mjs': 'export function check(text) { console.log("{ not json"); return { pass: text.length > 0, reason: "has text" }; }',
};
for (const [name, source] of Object.entries(modules)) writeFileSync(join(dir, name), source);

describe('regex checks', () => {
  it('a catastrophic pattern answers at once on a hostile text', async () => {
    const text = `${'a'.repeat(100_000)}!`;
    expect(await runCheck({ regex: '^(a+)+$' }, text)).toEqual({ pass: false, reason: 'does not match /^(a+)+$/' });
    expect(await runCheck({ regex: '(x+x+)+y', regex_flags: 'i' }, 'x'.repeat(50_000))).toMatchObject({ pass: false });
  });

  it('a catastrophic `pattern` inside a JSON schema cannot hang either', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } };
    const result = await runCheck({ json_schema: schema }, JSON.stringify({ name: `${'a'.repeat(100_000)}!` }));
    expect(result.pass).toBe(false);
  });
});

describe('module checks are contained', () => {
  const ctx = { briefDir: dir };
  it.each([
    ['exits.mjs', /ended its thread/u],
    ['throws.mjs', /no luck/u],
    ['junk.mjs', /expected a boolean or \{pass, reason\}, got function/u],
    ['hog.mjs', /failed/u],
  ])('%s fails its criterion, and Baton carries on', async (module, reason) => {
    const result = await runCheck({ module }, 'some text', ctx);
    expect(result.pass).toBe(false);
    expect(result.reason).toMatch(reason);
    // The next call gets a fresh worker.
    expect((await runCheck({ module }, 'some text', ctx)).pass).toBe(false);
  }, 30_000);

  it('a module that never answers is stopped at its time limit', async () => {
    const result = await runCheck({ module: 'loops.mjs' }, 'text', ctx);
    expect(result).toMatchObject({ pass: false });
    expect(result.reason).toMatch(/did not answer within 5 s/u);
  }, 30_000);

  it('through the real binary, a module that calls process.exit neither ends the run nor corrupts --json', async () => {
    writeFileSync(
      join(dir, 'brief.md'),
      ['---', 'question: How should we name the harbour lighthouse?', 'criteria:', '  - text: The name is memorable', '  - check:', '      module: exits.mjs', '  - check:', '      module: chatty.mjs', 'budget:', '  calls: 8', '---', ''].join('\n'),
    );
    const run = await runCli(['run', 'brief.md', '--json', '--seed', '2'], { cwd: dir, env: { BATON_DB: join(dir, 'baton.db') } });
    expect([4, 10], describeResult(run)).toContain(run.code);
    const outcome = jsonOf(run) as { board: { cards: Array<{ scores: Array<{ criterion: string; score: number }> }> } };
    const card = outcome.board.cards[0];
    expect(card?.scores.length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/u);
  }, 120_000);
});
