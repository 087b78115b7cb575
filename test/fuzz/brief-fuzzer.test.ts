import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { isBatonError } from '../../src/errors.js';
import { stopCheckModules } from '../../src/explore/check-module.js';
import { describeResult, EXAMPLES, runCli, tempDir } from '../support/cli.js';

/**
 * A seeded brief fuzzer: example briefs mutated line by line (hostile values, huge values,
 * removed, duplicated and re-indented lines, code checks naming files that cannot be used) go
 * through `lint` and `run` (rehearsal model). Each one is a located error, a clean run, or a
 * bounded refusal: never an internal error, never a hang, never a database left by a refusal.
 * Two hundred through the library, a dozen (lint and run each) through the real binary.
 */

afterAll(() => stopCheckModules());

const SEEDS = ['lighthouse-story.md', 'flaky-tests.md', 'library-onboarding.md'].map((name) => readFileSync(join(EXAMPLES, name), 'utf8'));

const FRAGMENTS = [
  'criteria: 3',
  'question: ""',
  'question: "\\e[2J\\e]0;title\\a <script>x</script>"',
  `question: "${'why '.repeat(3000)}"`,
  '  - check:\n      regex: "(a+)+$"',
  '  - check:\n      regex: "(?=x)y"',
  '  - check:\n      regex: "["',
  '  - check:\n      json_schema: /etc/passwd',
  '  - check:\n      json_schema: ../../escape.json',
  '  - check:\n      json_schema: missing.json',
  '  - check:\n      json_schema: {type: 12}',
  '  - check:\n      module: /dev/zero',
  '  - check:\n      module: exits.mjs',
  '  - check:\n      module: hangs.mjs',
  '  - check:\n      max_words: -1',
  '  - check: {}',
  'budget:\n  calls: 0',
  'budget:\n  usd: 1e309',
  'attention: 1000000',
  'lenses: []',
  'lenses: [no-such-lens-at-all]',
  'model: nope:nope',
  'a: &a [1,2,3]\nb: [*a,*a,*a,*a]',
  '---',
  '\t- tab',
  '  - \u202Ebidi criterion',
  '  - text: x\n    weight: 0',
  `criteria:\n${Array.from({ length: 150 }, (_, i) => `  - criterion ${i}`).join('\n')}`,
];

type Mutation = { kind: 'insert' | 'replace'; at: number; fragment: string } | { kind: 'delete' | 'duplicate' | 'indent'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert' as const, 'replace' as const), at: fc.nat(60), fragment: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 })) }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'indent' as const), at: fc.nat(60) }),
);

function mutate(source: string, mutations: readonly Mutation[]): string {
  const lines = source.split('\n');
  for (const m of mutations) {
    const at = m.at % Math.max(1, lines.length);
    if (m.kind === 'insert') lines.splice(at, 0, m.fragment);
    else if (m.kind === 'replace') lines.splice(at, 1, m.fragment);
    else if (m.kind === 'delete') lines.splice(at, 1);
    else if (m.kind === 'duplicate') lines.splice(at, 0, lines[at] ?? '');
    else lines[at] = `  ${lines[at] ?? ''}`;
  }
  return lines.join('\n');
}

function workspace(prefix: string): string {
  const dir = join(tempDir(prefix), 'briefs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'exits.mjs'), 'export function check() { process.exit(0); }');
  writeFileSync(join(dir, 'hangs.mjs'), 'export function check() { for (;;) {} }');
  return dir;
}

/** An error a person can act on: a Baton error that is not internal. */
function expectUserError(error: unknown, source: string): void {
  expect(isBatonError(error), `not a BatonError: ${String(error)}\n${source.slice(0, 500)}`).toBe(true);
  if (!isBatonError(error)) return;
  expect(error.code, `${error.message}\n${source.slice(0, 500)}`).not.toBe('internal');
}

describe('brief fuzzer', () => {
  it('library: every mutated brief is a located error, a clean run or a bounded refusal', async () => {
    const dir = workspace('baton-fuzz-');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDS.keys()), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (seedIndex, mutations) => {
        n += 1;
        const source = mutate(SEEDS[seedIndex] ?? '', mutations);
        const file = join(dir, `brief-${n}.md`);
        writeFileSync(file, source);
        const db = join(dir, `run-${n}.db`);
        const baton = Baton.open({ db, cwd: dir, env: {} });
        try {
          try {
            await baton.lint(file);
          } catch (error) {
            expectUserError(error, source);
          }
          let id: string | undefined;
          try {
            id = await baton.start(file, { seed: 1 });
          } catch (error) {
            expectUserError(error, source);
            if (isBatonError(error) && error.code === 'invalid_input') expect(error.location, error.message).toBeDefined();
            expect(existsSync(db), 'a refused start writes no database').toBe(false);
            return;
          }
          try {
            await baton.run(id, { maxWaves: 1 });
          } catch (error) {
            // A budget of 0 calls and the like: refused with a user error, never a crash.
            expectUserError(error, source);
          }
        } finally {
          await baton.close();
        }
      }),
      { numRuns: 200, seed: 4242 },
    );
  }, 300_000);

  it('binary: mutated briefs never exit 1, print no stack trace, and leave no database on refusal', async () => {
    const dir = workspace('baton-fuzz-cli-');
    const samples = fc.sample(fc.tuple(fc.constantFrom(...SEEDS.keys()), fc.array(mutationArb, { minLength: 1, maxLength: 3 })), { numRuns: 12, seed: 77 });
    for (const [i, [seedIndex, mutations]] of samples.entries()) {
      const source = mutate(SEEDS[seedIndex] ?? '', mutations);
      writeFileSync(join(dir, `b${i}.md`), source);
      const db = join(dir, `b${i}.db`);
      for (const args of [['lint', `b${i}.md`], ['run', `b${i}.md`, '--seed', '1', '--db', db]]) {
        const result = await runCli(args, { cwd: dir, env: {} });
        const context = `${args.join(' ')}\n${describeResult(result)}\n--- brief ---\n${source.slice(0, 600)}`;
        expect([0, 2, 3, 4, 10], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/u);
        if (args[0] === 'run' && result.code === 2) expect(existsSync(db), `a refused run writes no database\n${context}`).toBe(false);
      }
    }
  }, 300_000);
});
