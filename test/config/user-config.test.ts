import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserConfig, parseUserConfig, userConfigPath } from '../../src/config/user-config.js';
import { isBatonError } from '../../src/errors.js';
import { describeProviders, resolveModel } from '../../src/models/registry.js';
import { jsonOf, runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const KEY = 'sk-baton-CONFIG-KEY-77aa';

function writeConfig(dir: string, text: string, mode = 0o600): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function errorOf(fn: () => unknown): Error & { exitCode?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('where the user config is looked for', () => {
  it('prefers BATON_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(userConfigPath({ BATON_CONFIG: '/etc/x.yaml', XDG_CONFIG_HOME: '/x', HOME: '/h' }).path).toBe('/etc/x.yaml');
    expect(userConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }).path).toBe('/x/baton/config.yaml');
    expect(userConfigPath({ HOME: '/h' }).path).toBe('/h/.config/baton/config.yaml');
  });

  it('is empty when there is no file, and an error when BATON_CONFIG names a missing one', () => {
    const dir = tmp.make('baton-config-');
    expect(loadUserConfig({ env: { HOME: dir }, cwd: '/' })).toEqual({ path: null, config: { providers: {}, pricing: {}, retry: {}, board: {} } });
    const error = errorOf(() => loadUserConfig({ env: { BATON_CONFIG: join(dir, 'nope.yaml') }, cwd: '/' }));
    expect(error.message).toContain('nope.yaml: no such file');
    expect(isBatonError(error) && error.exitCode).toBe(2);
  });
});

describe('reading the user config', () => {
  it('locates a YAML mistake at file:line:col', () => {
    const error = errorOf(() => parseUserConfig('providers:\n  openai:\n    apiKey: [unclosed\n', 'c.yaml'));
    expect(error.message).toMatch(/^c\.yaml:\d+:\d+: /u);
    expect(isBatonError(error) && error.exitCode).toBe(2);
  });

  it('locates a value of the wrong shape at its line, naming the field', () => {
    const error = errorOf(() => parseUserConfig('providers:\n  openai:\n    concurrency: lots\n', 'c.yaml'));
    expect(error.message).toMatch(/^c\.yaml:3:18: providers\.openai\.concurrency: /u);
    const unknown = errorOf(() => parseUserConfig('providers:\n  opneai:\n    apiKey: x\n', 'c.yaml'));
    expect(unknown.message).toContain('c.yaml:2:3');
    expect(unknown.message).toContain('opneai');
    const price = errorOf(() => parseUserConfig('pricing:\n  gpt-4o:\n    inputPerMTok: 1\n    outputPerMTok: 2\n', 'c.yaml'));
    expect(price.message).toContain('provider:model');
  });

  it('refuses a key in a file others can read, with the fix', () => {
    const dir = tmp.make('baton-config-');
    const path = writeConfig(dir, `providers:\n  openai:\n    apiKey: ${KEY}\n`, 0o644);
    const error = errorOf(() => loadUserConfig({ env: { BATON_CONFIG: path }, cwd: '/' }));
    expect(error.message).toContain(`chmod 600 ${path}`);
    expect(error.message).not.toContain(KEY);
    // Without a key, the same permissions are fine.
    writeConfig(dir, 'retry:\n  maxAttempts: 2\n', 0o644);
    expect(loadUserConfig({ env: { BATON_CONFIG: path }, cwd: '/' }).config.retry.maxAttempts).toBe(2);
  });

  it('refuses a key in a file inside the project directory', () => {
    const dir = tmp.make('baton-config-');
    const path = writeConfig(dir, `providers:\n  openai:\n    apiKey: ${KEY}\n`);
    const error = errorOf(() => loadUserConfig({ env: { BATON_CONFIG: path }, cwd: dir }));
    expect(error.message).toContain('inside the project directory');
  });
});

describe('providers configured from the file', () => {
  it('take the key, base URL and prices from the file; the environment wins', () => {
    const dir = tmp.make('baton-config-');
    const path = writeConfig(
      dir,
      [
        'providers:',
        '  openai:',
        `    apiKey: ${KEY}`,
        '    baseUrl: http://127.0.0.1:9/v1',
        'pricing:',
        '  openai:my-fine-tune:',
        '    inputPerMTok: 3',
        '    outputPerMTok: 12',
      ].join('\n'),
    );
    const config = loadUserConfig({ env: { BATON_CONFIG: path }, cwd: '/' });
    const port = resolveModel('openai:my-fine-tune', { seed: 1, env: {}, config });
    expect(port.info.pricing).toEqual({ inputPerMTok: 3, outputPerMTok: 12 });

    const fromFile = describeProviders({}, config).find((p) => p.id === 'openai');
    expect(fromFile?.ready).toBe(true);
    expect(fromFile?.key?.source).toEqual({ from: 'config', path });
    expect(fromFile?.baseUrl?.effective).toBe('http://127.0.0.1:9/v1');
    const fromEnv = describeProviders({ OPENAI_API_KEY: 'sk-other' }, config).find((p) => p.id === 'openai');
    expect(fromEnv?.key?.source).toEqual({ from: 'environment', variable: 'OPENAI_API_KEY' });
    expect(JSON.stringify(describeProviders({}, config))).not.toContain(KEY);
  });

  it('`baton models` says where the key came from, never the key', async () => {
    const home = tmp.make('baton-home-');
    mkdirSync(join(home, '.config', 'baton'), { recursive: true });
    const path = writeConfig(join(home, '.config', 'baton'), `providers:\n  anthropic:\n    apiKey: ${KEY}\n`);
    const cwd = tmp.make('baton-project-');
    const env = { HOME: home, XDG_CONFIG_HOME: undefined, BATON_CONFIG: undefined, ANTHROPIC_API_KEY: undefined };
    const text = await runCli(['models'], { cwd, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`key:       from ${path}`);
    expect(text.stdout).not.toContain(KEY);
    const json = await runCli(['models', '--json'], { cwd, env });
    const parsed = jsonOf(json) as { config: string; providers: Array<{ id: string; ready: boolean }> };
    expect(parsed.config).toBe(path);
    expect(parsed.providers.find((p) => p.id === 'anthropic')?.ready).toBe(true);
    expect(json.stdout).not.toContain(KEY);

    writeFileSync(path, 'providers: [');
    const broken = await runCli(['models'], { cwd, env });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${path}:1:`);
    expect(broken.stderr).not.toContain('    at ');
  });
});
