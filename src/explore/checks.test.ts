import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import { countWords, runCheck } from './checks.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-checks-'));
  await writeFile(
    join(dir, 'schema.json'),
    JSON.stringify({
      type: 'object',
      required: ['title', 'tags'],
      properties: { title: { type: 'string', minLength: 3 }, tags: { type: 'array', items: { type: 'string' } } },
    }),
  );
  await writeFile(join(dir, 'broken-schema.json'), '{ "type": ');
  await writeFile(
    join(dir, 'has-title.mjs'),
    `export function check(text) {
       if (text.includes('THROW')) throw new Error('boom');
       if (text.includes('WEIRD')) return 42;
       return text.startsWith('#') ? { pass: true } : { pass: false, reason: 'no title line' };
     }`,
  );
  await writeFile(join(dir, 'default-async.mjs'), 'export default async (text) => text.length > 5;');
  await writeFile(join(dir, 'no-function.mjs'), 'export const check = 3;');
  await writeFile(join(dir, 'syntax-error.mjs'), 'export function check( {');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectInvalidInput(promise: Promise<unknown>, mention: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BatonError);
  expect((error as BatonError).code).toBe('invalid_input');
  expect((error as BatonError).message).toContain(mention);
}

describe('countWords', () => {
  it('counts whitespace-separated tokens that hold a letter or digit', () => {
    expect(countWords('  Hello,   world — 42 times! ')).toBe(4);
    expect(countWords('')).toBe(0);
    expect(countWords('— … --- !!')).toBe(0);
    expect(countWords('naïve café\nZürich\t2024')).toBe(4);
  });
});

describe('runCheck', () => {
  it('checks word limits', async () => {
    expect(await runCheck({ min_words: 3 }, 'one two three')).toEqual({ pass: true, reason: '3 words, at least 3' });
    const short = await runCheck({ min_words: 4, max_words: 10 }, 'one two three');
    expect(short.pass).toBe(false);
    expect(short.reason).toBe('3 words, fewer than the minimum of 4');
    const long = await runCheck({ max_words: 2 }, 'one two three');
    expect(long).toEqual({ pass: false, reason: '3 words, more than the maximum of 2' });
  });

  it('checks required text case-insensitively and names what is missing', async () => {
    expect((await runCheck({ must_include: 'Harbour' }, 'the HARBOUR at dawn')).pass).toBe(true);
    const result = await runCheck({ must_include: ['harbour', 'ferry', 'gulls'] }, 'The harbour at dawn');
    expect(result.pass).toBe(false);
    expect(result.reason).toBe('missing "ferry", "gulls"');
  });

  it('checks forbidden text and names what is present', async () => {
    expect((await runCheck({ must_not_include: ['lorem'] }, 'clean text')).pass).toBe(true);
    const result = await runCheck({ must_not_include: ['Lorem', 'ipsum', 'dolor'] }, 'lorem IPSUM');
    expect(result).toEqual({ pass: false, reason: 'contains "Lorem", "ipsum", which must not appear' });
  });

  it('checks a regex with flags, repeatably', async () => {
    const check = { regex: '^title:', regex_flags: 'gim' };
    for (let i = 0; i < 3; i++) expect((await runCheck(check, 'intro\nTitle: x')).pass).toBe(true);
    const result = await runCheck({ regex: '\\d{3}' }, 'no digits');
    expect(result).toEqual({ pass: false, reason: 'does not match /\\d{3}/' });
  });

  it('rejects an invalid regex, naming the pattern', async () => {
    await expectInvalidInput(runCheck({ regex: '(unclosed' }, 'text'), '(unclosed');
  });

  it('validates JSON against an inline schema, accepting a fenced block', async () => {
    const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
    expect((await runCheck({ json_schema: schema }, '{"name": "Ada"}')).pass).toBe(true);
    expect((await runCheck({ json_schema: schema }, 'Here it is:\n```json\n{"name": "Ada"}\n```\n')).pass).toBe(true);
    const wrong = await runCheck({ json_schema: schema }, '{"name": 3}');
    expect(wrong.pass).toBe(false);
    expect(wrong.reason).toContain('/name must be string');
    const notJson = await runCheck({ json_schema: schema }, 'plain prose');
    expect(notJson.pass).toBe(false);
    expect(notJson.reason).toMatch(/^not valid JSON/);
  });

  it('reads an older draft schema as 2020-12', async () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array' };
    expect((await runCheck({ json_schema: schema }, '[1, 2]')).pass).toBe(true);
  });

  it('validates JSON against a schema file relative to the brief, listing errors with paths', async () => {
    const ok = await runCheck({ json_schema: 'schema.json' }, '{"title": "Tide", "tags": ["sea"]}', { briefDir: dir });
    expect(ok.pass).toBe(true);
    const bad = await runCheck({ json_schema: 'schema.json' }, '{"title": "T", "tags": [1]}', { briefDir: dir });
    expect(bad.pass).toBe(false);
    expect(bad.reason).toContain('/title must NOT have fewer than 3 characters');
    expect(bad.reason).toContain('/tags/0 must be string');
    const missing = await runCheck({ json_schema: 'schema.json' }, '{}', { briefDir: dir });
    expect(missing.reason).toContain("/ must have required property 'title'");
  });

  it('reports a missing or broken schema file as invalid input', async () => {
    await expectInvalidInput(runCheck({ json_schema: 'nope.json' }, '{}', { briefDir: dir }), join(dir, 'nope.json'));
    await expectInvalidInput(runCheck({ json_schema: 'broken-schema.json' }, '{}', { briefDir: dir }), 'not valid JSON');
    await expectInvalidInput(runCheck({ json_schema: { type: 'no-such-type' } }, '{}'), 'invalid JSON schema');
  });

  it('runs a check module exporting `check`', async () => {
    expect(await runCheck({ module: 'has-title.mjs' }, '# Title\nbody', { briefDir: dir })).toEqual({
      pass: true,
      reason: 'check module has-title.mjs: passed',
    });
    expect(await runCheck({ module: 'has-title.mjs' }, 'body', { briefDir: dir })).toEqual({
      pass: false,
      reason: 'check module has-title.mjs: no title line',
    });
  });

  it('runs an async default export returning a boolean', async () => {
    expect((await runCheck({ module: 'default-async.mjs' }, 'long enough', { briefDir: dir })).pass).toBe(true);
    const short = await runCheck({ module: 'default-async.mjs' }, 'tiny', { briefDir: dir });
    expect(short).toEqual({ pass: false, reason: 'check module default-async.mjs returned false' });
  });

  it('turns a module that throws or answers nonsense into a failure', async () => {
    const thrown = await runCheck({ module: 'has-title.mjs' }, 'THROW', { briefDir: dir });
    expect(thrown).toEqual({ pass: false, reason: 'check module has-title.mjs failed: boom' });
    const weird = await runCheck({ module: 'has-title.mjs' }, 'WEIRD', { briefDir: dir });
    expect(weird.pass).toBe(false);
    expect(weird.reason).toBe('check module has-title.mjs failed: expected a boolean or {pass, reason}, got number');
  });

  it('reports a missing, unloadable or function-less module as invalid input', async () => {
    await expectInvalidInput(runCheck({ module: 'missing.mjs' }, 'x', { briefDir: dir }), join(dir, 'missing.mjs'));
    await expectInvalidInput(runCheck({ module: 'no-function.mjs' }, 'x', { briefDir: dir }), 'must export');
    await expectInvalidInput(runCheck({ module: 'syntax-error.mjs' }, 'x', { briefDir: dir }), 'could not be loaded');
  });

  it('requires every kind of a combined check to pass, joining the failures', async () => {
    const check = { min_words: 5, must_include: 'ferry', must_not_include: 'gull', regex: '^The' };
    expect((await runCheck(check, 'The ferry leaves at nine tonight')).pass).toBe(true);
    const result = await runCheck(check, 'A gull over the sea');
    expect(result.pass).toBe(false);
    expect(result.reason).toBe('missing "ferry"; contains "gull", which must not appear; does not match /^The/');
  });
});
