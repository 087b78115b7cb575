import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TEST_PG_URL, dropSchema, freshPostgresStore, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../../../test/support/postgres.js';
import { isBatonError } from '../../errors.js';
import { peopleConformance } from '../people.conformance.js';
import { storeConformance } from '../store.conformance.js';
import { fixtureBrief, fixtureBriefSource, fixtureCreated } from '../fixtures.js';
import { openStore, resolveStoreLocation } from '../open-store.js';
import { isPostgresUrl, parsePostgresLocation } from './connection.js';
import { POSTGRES_SCHEMA_VERSION } from './migrations.js';
import { openPostgresStore } from './postgres-store.js';

describe.skipIf(skipWithoutPostgres)('postgres store', () => {
  storeConformance('postgres', freshPostgresStore);
  peopleConformance('postgres', freshPostgresStore);

  async function withSchema<T>(work: (url: string, schema: string) => Promise<T>): Promise<T> {
    const schema = uniqueSchema();
    try {
      return await work(schemaUrl(schema), schema);
    } finally {
      await dropSchema(schema);
    }
  }

  async function schemaVersion(schema: string): Promise<number | undefined> {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".baton_schema`);
      return rows[0]?.version;
    } finally {
      await client.end();
    }
  }

  it('creates its schema and migrates once, even when several processes open it together', async () => {
    await withSchema(async (url, schema) => {
      const stores = Array.from({ length: 4 }, () => openPostgresStore(url));
      await Promise.all(stores.map((s) => s.ready));
      expect(await schemaVersion(schema)).toBe(POSTGRES_SCHEMA_VERSION);
      const brief = await stores[0]?.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
      // What one writes, the others (other pools, as other machines would be) read.
      expect(await stores[3]?.getBrief(brief?.id ?? '')).toStrictEqual(brief);
      await Promise.all(stores.map((s) => s.close()));
      const reopened = openPostgresStore(url);
      expect(await reopened.getBrief(brief?.id ?? '')).toStrictEqual(brief);
      await reopened.close();
    });
  });

  it('refuses a schema written by a newer Baton, naming both versions', async () => {
    await withSchema(async (url, schema) => {
      await openPostgresStore(url).close();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`UPDATE "${schema}".baton_schema SET version = 999`);
      await client.end();
      const store = openPostgresStore(url);
      const error: unknown = await store.listExplorations().catch((e: unknown) => e);
      expect(isBatonError(error) && error.code).toBe('invalid_input');
      expect(String(error)).toMatch(/schema version 999.*only knows up to/u);
      await store.close();
    });
  });

  it('says clearly when the server cannot be reached or the database does not exist', async () => {
    const refused = openStore('postgres://postgres@127.0.0.1:1/test');
    const error: unknown = await refused.listExplorations().catch((e: unknown) => e);
    expect(isBatonError(error) && error.code).toBe('storage_unavailable');
    expect(String(error)).toMatch(/cannot be reached/u);
    await refused.close();

    const url = new URL(TEST_PG_URL);
    url.pathname = '/baton_no_such_database';
    const missing = openStore(url.toString());
    const error2: unknown = await missing.listExplorations().catch((e: unknown) => e);
    expect(isBatonError(error2) && error2.code).toBe('invalid_input');
    expect(String(error2)).toMatch(/does not exist/u);
    await missing.close();
  });

  it('keeps a write whose promise resolved when the process is killed right after (kill -9)', async () => {
    await withSchema(async (url) => {
      const script = fileURLToPath(new URL('../../../test/team/kill-after-write.ts', import.meta.url));
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, url], { encoding: 'utf8', timeout: 60_000 });
      expect(child.signal).toBe('SIGKILL');
      const written = JSON.parse(child.stdout.trim()) as { explorationId: string; briefId: string };
      const store = openPostgresStore(url);
      expect(await store.getExploration(written.explorationId)).toMatchObject({ id: written.explorationId, status: 'awaiting' });
      expect((await store.readEvents(written.explorationId)).map((e) => e.event.type)).toEqual(['exploration.created', 'checkpoint.raised']);
      expect(await store.getCall('k-done')).toMatchObject({ status: 'done', output: 'paid for' });
      await store.close();
    });
  }, 60_000);

  it('keeps one database apart per schema', async () => {
    await withSchema(async (urlA) =>
      withSchema(async (urlB) => {
        const a = openPostgresStore(urlA);
        const b = openPostgresStore(urlB);
        const brief = await a.saveBrief({ source: 's', brief: fixtureBrief() });
        await a.createExploration({ id: 'x_here', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
        expect((await a.listExplorations()).map((x) => x.id)).toEqual(['x_here']);
        expect(await b.listExplorations()).toEqual([]);
        await Promise.all([a.close(), b.close()]);
      }),
    );
  });
});

describe('postgres locations', () => {
  it('tells a postgres URL from a SQLite path', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('./postgres/baton.db')).toBe(false);
    expect(isPostgresUrl('/data/baton.db')).toBe(false);
    expect(resolveStoreLocation(undefined, '/work', { BATON_DB: 'postgres://u@h/db' })).toBe('postgres://u@h/db');
    expect(resolveStoreLocation(undefined, '/work', { BATON_DB: 'b.db' })).toBe('/work/b.db');
    expect(resolveStoreLocation('postgres://u@h/x', '/work', { BATON_DB: 'b.db' })).toBe('postgres://u@h/x');
  });

  it('takes the schema from the URL, checks it, and never shows a password', () => {
    const where = parsePostgresLocation('postgres://bob:s3cret@db.internal:5433/team?schema=baton_team&sslmode=disable');
    expect(where.schema).toBe('baton_team');
    expect(where.connectionString).not.toContain('schema=');
    expect(where.connectionString).toContain('sslmode=disable');
    expect(where.display).not.toContain('s3cret');
    expect(where.display).toContain('schema=baton_team');
    expect(() => parsePostgresLocation('postgres://h/db?schema=x;drop')).toThrow(/schema "x;drop"/u);
    expect(() => parsePostgresLocation('postgres://bob:pw@[bad')).toThrow(/not a valid postgres:\/\/ URL/u);
    expect(() => parsePostgresLocation('postgres://bob:pw@[bad')).not.toThrow(/pw@/u);
  });
});
