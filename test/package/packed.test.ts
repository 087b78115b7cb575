import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/**
 * The library in a stranger's project: `npm pack`, a fresh project outside the repository that
 * installs the tarball (its dependencies from the npm registry), type-checks the README's complete
 * example against the package's own declarations with tsc, and runs it: a brief, a checkpoint,
 * decisions, the export. (skipLibCheck as most projects set it: the AI SDK's own declarations do
 * not pass exactOptionalPropertyTypes; the example is checked against Baton's.) Needs the build (`npm run build`) and the npm registry (or npm's cache).
 *
 * better-sqlite3 compiles from source on install (about 80 s here, as no prebuilt binary can be
 * downloaded): the repository's own build of the same version is reused when there is one.
 */

const run = promisify(execFile);
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

/** The ```ts block of the README's Library section: the complete example a newcomer copies. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const match = /```ts\n([\s\S]*?)```/u.exec(section);
  if (!match?.[1]) throw new Error('README.md: no ```ts example in the Library section');
  return match[1];
}

const project = mkdtempSync(join(tmpdir(), 'baton-stranger-'));
const npm = (args: string[], cwd: string, timeout = 600_000) => run('npm', args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed library in a fresh project', () => {
  let tarball = '';

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    // The build is there already: pack it as it is (prepack would build it again).
    const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', project], REPO_ROOT);
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!packed) throw new Error(`npm pack printed nothing: ${stdout}`);
    tarball = join(project, packed.filename);
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('bin/baton.js');
    expect(files.filter((f) => /\.test\.|^src\/|^test\/|\.env/u.test(f))).toEqual([]);

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'stranger', private: true, type: 'module' }, null, 2));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: true, outDir: 'out', types: ['node'] }, include: ['main.ts'] }, null, 2),
    );
    writeFileSync(join(project, 'main.ts'), readmeExample());
    // Dependencies come from the registry (or npm's cache); only better-sqlite3's compilation is skipped here…
    await npm(['install', '--prefer-offline', '--ignore-scripts', tarball, '@types/node@20'], project);
    // …and done with the repository's build of the same version, or from source when there is none.
    const ours = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
    const theirs = join(project, 'node_modules', 'better-sqlite3');
    const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const built = join(ours, 'build', 'Release', 'better_sqlite3.node');
    if (existsSync(built) && version(ours) === version(theirs)) {
      mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
      copyFileSync(built, join(theirs, 'build', 'Release', 'better_sqlite3.node'));
    } else {
      await npm(['rebuild', 'better-sqlite3'], project);
    }
  }, 900_000);

  it('installs under its scoped name, with the baton binary', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', ...PACKAGE.name.split('/'), 'package.json'), 'utf8')) as { name: string; version: string };
    expect(installed).toMatchObject({ name: PACKAGE.name, version: PACKAGE.version });
    expect(PACKAGE.name).toMatch(/^@[a-z0-9-]+\/baton$/u);
    expect(existsSync(join(project, 'node_modules', '.bin', 'baton'))).toBe(true);
  });

  it('type-checks the README example against the package\'s declarations, and runs it to an accepted export', async () => {
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed in the stranger's project:\n${error.stdout ?? String(error)}`);
    });
    expect(checked.stdout).toBe('');
    const { stdout, stderr } = await run(process.execPath, ['out/main.js'], { cwd: project, timeout: 300_000 });
    const [status, ...rest] = stdout.split('\n');
    expect(status, stderr).toBe('accepted');
    const exported = rest.join('\n');
    expect(exported).toContain('the strongest hook');
    expect(exported).toContain('quiet and concrete');
    expect(stderr).toMatch(/x[0-9a-z]{6}\.c\d+ \d/u);
    expect(existsSync(join(project, '.baton', 'baton.db'))).toBe(true);
  }, 600_000);

  it('runs the installed binary, MCP command included', async () => {
    const bin = join(project, 'node_modules', '.bin', 'baton');
    const { stdout } = await run(bin, ['--help'], { cwd: project });
    expect(stdout).toContain('mcp');
    const listed = await run(bin, ['ls', '--json'], { cwd: project });
    expect(JSON.parse(listed.stdout)).toMatchObject({ explorations: [{ status: 'accepted' }] });
  });
});
