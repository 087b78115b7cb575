import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import type { ExplorationDetail, ExplorationsResponse } from '../../src/server/contract.js';
import { startServer } from '../../src/server/server.js';
import type { RunningServer } from '../../src/server/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { addPerson } from '../../src/team/people.js';
import { BIN, ROOT, STORY, tempDirs } from '../support/crash.js';
import { dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';
import { call, textOf } from '../mcp/client.js';
import { send } from '../server/http.js';
import type { HttpRequest, HttpResponse } from '../server/http.js';

/**
 * People on a shared server, on both stores: each signs in with their own token (kept hashed),
 * sees only what is shared with them, decides only where the share allows (403 otherwise, over the
 * API and over MCP), and every decision in the ledger and the export says who made it. The launch
 * token keeps working as the owner's.
 */

const tmp = tempDirs();
const schemas: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const schema of schemas) {
    await dropSchema(schema);
    await dropSchema(`${schema}_queue`);
  }
  tmp.cleanup();
});

function json<T = Record<string, unknown>>(response: HttpResponse): T {
  return JSON.parse(response.body) as T;
}

/** Two explorations at their first checkpoint; ada may decide on the first, bo only read it; nobody shares the second. */
async function seed(db: string): Promise<{ shared: string; unshared: string; ada: string; bo: string }> {
  const baton = Baton.open({ db, drive: 'in-process', latencyMs: 0 });
  try {
    const shared = await baton.start(STORY, { seed: 3 });
    await baton.run(shared);
    const unshared = await baton.start(STORY, { seed: 4 });
    const ada = (await addPerson(baton.store, 'ada')).token;
    const bo = (await addPerson(baton.store, 'bo')).token;
    await baton.store.share({ explorationId: shared, person: 'ada', access: 'decide', createdAt: new Date().toISOString() });
    await baton.store.share({ explorationId: shared, person: 'bo', access: 'read', createdAt: new Date().toISOString() });
    return { shared, unshared, ada, bo };
  } finally {
    await baton.close();
  }
}

async function checkPeople(db: string, storedText: () => Promise<string>): Promise<void> {
  const { shared, unshared, ada, bo } = await seed(db);
  const dir = tmp.make('baton-people-serve-');
  const server = await startServer({ db, cwd: dir, env: {}, log: () => undefined, pollMs: 100, baton: { latencyMs: 0 } });
  servers.push(server);
  const as = (token: string) => (path: string, request: HttpRequest = {}) =>
    send(server.port, path, { method: request.body !== undefined ? 'POST' : 'GET', ...request, headers: { authorization: `Bearer ${token}`, origin: server.origin, ...request.headers } });
  const owner = as(server.token);

  // Who sees what.
  const listed = async (token: string) => json<ExplorationsResponse>(await as(token)('/api/explorations')).explorations.map((x) => x.id).sort();
  expect(await listed(server.token)).toEqual([shared, unshared].sort());
  expect(await listed(ada)).toEqual([shared]);
  expect(await listed(bo)).toEqual([shared]);
  expect((await as(bo)(`/api/explorations/${unshared}`)).status).toBe(403);
  expect(json(await as(bo)(`/api/explorations/${unshared}/export?format=json`))).toMatchObject({ code: 'forbidden' });
  expect((await as('baton_person_not-a-real-token')('/api/explorations')).status).toBe(401);
  expect(json<{ person: string | null }>(await as(ada)('/api/session')).person).toBe('ada');
  expect(json<{ person: string | null }>(await owner('/api/session')).person).toBeNull();

  // Over MCP: bo's session lists only what is shared and may not decide there.
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bo}` } } });
  const client = new Client({ name: 'people-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const list = await call(client, 'list_explorations');
    expect(textOf(list)).toContain(shared);
    expect(textOf(list)).not.toContain(unshared);
    const decided = await call(client, 'decide', { explorationId: shared, action: 'continue', reason: 'mine now' });
    expect(decided.isError).toBe(true);
    expect(textOf(decided)).toMatch(/may read .* but not decide/u);
    const hidden = await call(client, 'get_board', { explorationId: unshared });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toContain('not shared with bo');
  } finally {
    await client.close();
  }

  // Who may decide.
  const detail = json<ExplorationDetail>(await as(bo)(`/api/explorations/${shared}`));
  expect(detail.status).toBe('awaiting');
  const decision = { action: 'continue', reason: 'keep going', checkpointId: detail.checkpoint?.id };
  const refused = await as(bo)(`/api/explorations/${shared}/decisions`, { body: decision });
  expect(refused.status).toBe(403);
  expect(json(refused)).toMatchObject({ code: 'forbidden' });
  expect((await as(ada)(`/api/explorations/${unshared}/decisions`, { body: decision })).status).toBe(403);
  const accepted = await as(ada)(`/api/explorations/${shared}/decisions`, { body: decision });
  expect(accepted.status, accepted.body).toBe(202);
  expect(json<{ decision: { actor?: string } }>(accepted).decision.actor).toBe('ada');

  // The ledger and the export say who decided.
  const ledger = json<ExplorationDetail>(await owner(`/api/explorations/${shared}`)).ledger;
  expect(ledger.flatMap((e) => (e.decision ? [[e.decision.reason, e.decision.by]] : []))).toEqual([['keep going', 'ada']]);
  const markdown = (await owner(`/api/explorations/${shared}/export?format=md`)).body;
  expect(markdown).toContain('By: ada');

  // Tokens are never stored in clear, nor sent back.
  const stored = await storedText();
  for (const token of [ada, bo, server.token]) expect(stored).not.toContain(token);
}

describe('people on a shared server', () => {
  it('on SQLite: tokens, shares, 403s over the API and MCP, and who decided', async () => {
    const db = join(tmp.make('baton-people-'), 'baton.db');
    await checkPeople(db, async () => readFileSync(db).toString('latin1') + readFileSync(`${db}-wal`, { flag: 'a+' }).toString('latin1'));
  }, 120_000);

  it.skipIf(skipWithoutPostgres)('on Postgres: the same', async () => {
    const schema = uniqueSchema('people');
    schemas.push(schema);
    const url = schemaUrl(schema);
    await checkPeople(url, async () => {
      const store = openPostgresStore(url);
      try {
        const { rows } = await store.pool.query<{ dump: string }>("SELECT string_agg(t::text, '\n') AS dump FROM (SELECT p::text AS t FROM people p UNION ALL SELECT d::text FROM decisions d UNION ALL SELECT s::text FROM shares s) x");
        return rows[0]?.dump ?? '';
      } finally {
        await store.close();
      }
    });
  }, 120_000);

  it('baton user add prints the token once; user list and share work from the CLI', () => {
    const dir = tmp.make('baton-people-cli-');
    const db = join(dir, 'baton.db');
    const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const added = cli(['user', 'add', 'cy']);
    expect(added.status, added.stderr).toBe(0);
    const token = added.stdout.trim();
    expect(token).toMatch(/^baton_person_[A-Za-z0-9_-]{43}$/u);
    expect(added.stderr).not.toContain(token);
    expect(cli(['user', 'add', 'cy']).status).toBe(2);
    expect(cli(['user', 'add', 'Not A Name']).status).toBe(2);
    const listed = cli(['user', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ people: [{ name: 'cy', shares: [] }] });
    expect(listed.stdout).not.toContain(token);
    expect(readFileSync(db).toString('latin1')).not.toContain(token);
    const run = spawnSync(process.execPath, [BIN, 'run', STORY, '--seed', '2', '--db', db, '--json'], { cwd: ROOT, encoding: 'utf8' });
    const id = (JSON.parse(run.stdout) as { exploration?: string }).exploration ?? '';
    expect(id).not.toBe('');
    expect(cli(['share', id, 'cy', '--can', 'decide']).status).toBe(0);
    expect(cli(['share', id, 'cy', '--can', 'write']).status).toBe(2);
    expect(JSON.parse(cli(['user', 'list', '--json']).stdout)).toMatchObject({ people: [{ name: 'cy', shares: [{ explorationId: id, access: 'decide' }] }] });
    expect(cli(['user', 'remove', 'cy']).status).toBe(0);
    expect(JSON.parse(cli(['user', 'list', '--json']).stdout)).toEqual({ people: [] });
  }, 120_000);
});
