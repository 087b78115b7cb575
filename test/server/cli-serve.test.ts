import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATON_BIN, REPO_ROOT, describeResult, runCli, stackTraceLines, tempDir } from '../support/cli.js';
import { LEAK_KEY } from './fixture.js';
import { send } from './http.js';

/** The real `baton serve` / `baton demo --open` binaries: long-running, stopped by a signal. */

interface Serving {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** The first stdout line that is a URL. */
  url: Promise<string>;
  exit: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function serve(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Serving {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const fullEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, BATON_DB: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, ...env })) {
    if (value !== undefined) fullEnv[key] = value;
  }
  const child = spawn(process.execPath, [BATON_BIN, ...args], { cwd, env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => /^http:\/\/\S+$/u.test(l) || /"url"/u.test(l));
      if (line) resolve(line.includes('"url"') ? stdout : line);
    });
    child.once('exit', () => reject(new Error(`baton exited before printing a URL\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, url, exit };
}

describe('baton serve (the binary)', () => {
  it('prints a tokened URL, serves the API with it, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir('baton-serve-cli-');
    const s = serve(['serve', '--db', join(dir, 'b.db'), '--json'], dir, { OPENAI_API_KEY: LEAK_KEY });
    const printed = JSON.parse(await s.url) as { url: string; port: number };
    const url = new URL(printed.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(printed.port);
    const token = url.searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await send(printed.port, '/api/explorations')).status).toBe(401);
    const list = await send(printed.port, '/api/explorations', { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    expect(list.body).not.toContain(LEAK_KEY);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).not.toContain(LEAK_KEY);
    expect(stackTraceLines(s.stderr())).toEqual([]);
  });

  it('refuses to listen beyond loopback without --allow-remote, and bad ports (exit 2)', async () => {
    const dir = tempDir('baton-serve-cli-');
    for (const args of [['serve', '--host', '0.0.0.0'], ['serve', '--port', '70000'], ['serve', '--port', 'abc']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, describeResult(result)).toBe(2);
      expect(stackTraceLines(result.stderr)).toEqual([]);
    }
    const remote = await runCli(['serve', '--host', '0.0.0.0'], { cwd: dir });
    expect(remote.stderr).toContain('--allow-remote');
  });

  it('warns when --allow-remote lets it listen beyond loopback', async () => {
    const dir = tempDir('baton-serve-cli-');
    const s = serve(['serve', '--db', join(dir, 'b.db'), '--host', '0.0.0.0', '--allow-remote'], dir);
    await s.url;
    expect(s.stderr()).toMatch(/Warning: listening on 0\.0\.0\.0/u);
    s.child.kill('SIGINT');
    expect(await s.exit, s.stderr()).toBe(0);
  });

  it('lists serve in the help', async () => {
    const help = await runCli(['--help'], { cwd: tempDir() });
    expect(help.stdout).toMatch(/^\s+serve\b/mu);
  });
});

describe('baton demo --open without a display', () => {
  it('explores to the checkpoint, then prints the board\'s URL and serves it until stopped', async () => {
    const dir = tempDir('baton-demo-open-');
    const s = serve(['demo', '--open', '--db', join(dir, 'b.db')], dir);
    const printed = new URL(await s.url);
    const exploration = printed.searchParams.get('exploration') ?? '';
    expect(exploration).toMatch(/^x[0-9a-z]+$/u);
    expect(s.stderr()).toMatch(/No display/u);
    const login = await send(Number(printed.port), `${printed.pathname}${printed.search}`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe(`/?exploration=${exploration}`);
    const detail = await send(Number(printed.port), `/api/explorations/${exploration}`, { headers: { authorization: `Bearer ${printed.searchParams.get('token') ?? ''}` } });
    expect(JSON.parse(detail.body)).toMatchObject({ status: 'awaiting' });
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });
});
