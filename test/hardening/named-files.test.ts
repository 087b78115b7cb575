import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { describeResult, runCli, tempDir } from '../support/cli.js';

/**
 * Files a brief names (`json_schema`, `module`) and the checks `run` would refuse, through the
 * real binary: `lint` finds each with file:line:column and field, `run` refuses it with exit 2
 * before creating the database, and no message quotes a file Baton could not use.
 */

const SECRET = 'root:SECRET-CONTENT-DO-NOT-SHOW:0:0';

function brief(check: string): string {
  return ['---', 'question: How should we name the harbour lighthouse?', 'criteria:', '  - text: The name is memorable', '  - check:', `      ${check}`, 'budget:', '  calls: 8', '---', ''].join('\n');
}

interface Case {
  name: string;
  check: string;
  /** What the message says (a distinct reason per kind of file). */
  says: RegExp;
  setup?: (dir: string) => void;
}

const CASES: Case[] = [
  { name: 'a missing schema', check: 'json_schema: missing.json', says: /does not exist/u },
  { name: 'a schema outside the folder (absolute)', check: 'json_schema: /etc/passwd', says: /outside the brief's folder/u },
  { name: 'a schema outside the folder (../)', check: 'json_schema: ../outside.json', says: /outside the brief's folder/u, setup: (dir) => writeFileSync(join(dir, '..', 'outside.json'), SECRET) },
  { name: 'a symlink that leads out', check: 'json_schema: link.json', says: /symbolic link to a file outside/u, setup: (dir) => symlinkSync('/etc/passwd', join(dir, 'link.json')) },
  { name: 'a symlink loop', check: 'json_schema: loop.json', says: /symbolic link loop/u, setup: (dir) => { symlinkSync(join(dir, 'loop-b.json'), join(dir, 'loop.json')); symlinkSync(join(dir, 'loop.json'), join(dir, 'loop-b.json')); } },
  { name: 'a directory', check: 'json_schema: folder.json', says: /is a directory/u, setup: (dir) => mkdirSync(join(dir, 'folder.json')) },
  { name: 'a named pipe', check: 'json_schema: pipe.json', says: /named pipe/u, setup: (dir) => execFileSync('mkfifo', [join(dir, 'pipe.json')]) },
  { name: 'a device (through a link)', check: 'json_schema: zero.json', says: /outside the brief's folder|device/u, setup: (dir) => symlinkSync('/dev/zero', join(dir, 'zero.json')) },
  { name: 'an oversized schema', check: 'json_schema: big.json', says: /bytes; a file a brief names may be at most/u, setup: (dir) => writeFileSync(join(dir, 'big.json'), `{"a":"${'x'.repeat(1024 * 1024)}"}`) },
  { name: 'a schema that is not JSON', check: 'json_schema: secret.json', says: /is not valid JSON$/mu, setup: (dir) => writeFileSync(join(dir, 'secret.json'), SECRET) },
  { name: 'an invalid schema', check: 'json_schema: bad.json', says: /invalid JSON schema/u, setup: (dir) => writeFileSync(join(dir, 'bad.json'), '{"type": 12}') },
  { name: 'a regex RE2 cannot run', check: "regex: '(?=a)b'", says: /lookahead/u },
  { name: 'a module outside the folder', check: 'module: /etc/passwd', says: /outside the brief's folder/u },
  { name: 'a module without a check function', check: 'module: none.mjs', says: /must export a function/u, setup: (dir) => writeFileSync(join(dir, 'none.mjs'), 'export const check = 3;') },
  { name: 'a module that exits while loading', check: 'module: exits.mjs', says: /while loading, it ended its thread/u, setup: (dir) => writeFileSync(join(dir, 'exits.mjs'), 'process.exit(0);') },
  { name: 'a module that does not parse', check: 'module: broken.mjs', says: /could not be loaded/u, setup: (dir) => writeFileSync(join(dir, 'broken.mjs'), 'export function check( {') },
];

describe('files and checks a brief names', () => {
  for (const c of CASES) {
    it(`${c.name}: lint locates it, run refuses it and writes nothing`, async () => {
      const root = tempDir('baton-named-');
      const dir = join(root, 'briefs');
      mkdirSync(dir);
      c.setup?.(dir);
      writeFileSync(join(dir, 'brief.md'), brief(c.check));
      const env = { BATON_DB: join(dir, 'baton.db'), HOME: root };
      const lint: CliResult = await runCli(['lint', 'brief.md'], { cwd: dir, env });
      expect(lint.code, describeResult(lint)).toBe(2);
      // A check that cannot be used is a lint error; a regex RE2 cannot parse is already a parse error.
      expect(`${lint.stdout}${lint.stderr}`).toMatch(/brief\.md:6:\d+: (error unusable-check: |criteria\.1\.check\.regex: )/u);
      expect(`${lint.stdout}${lint.stderr}`).toMatch(c.says);
      const run = await runCli(['run', 'brief.md'], { cwd: dir, env });
      expect(run.code, describeResult(run)).toBe(2);
      expect(run.stderr).toMatch(/^baton: \S*brief\.md:6:\d+: criteria\.1\.check\.(json_schema|module|regex): /mu);
      expect(run.stderr).toMatch(c.says);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+|internal error/u);
      for (const output of [lint.stdout, lint.stderr, run.stdout, run.stderr]) expect(output).not.toContain('SECRET-CONTENT');
      expect(existsSync(join(dir, 'baton.db')), 'a refused run creates no database').toBe(false);
      expect(existsSync(join(dir, '.baton')), 'a refused run creates no database').toBe(false);
    });
  }
});
