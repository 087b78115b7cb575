import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { TeamQueue } from '../../src/team/queue.js';
import { TEST_PG_URL, dropSchema, schemaUrl, skipWithoutPostgres, uniqueSchema } from '../support/postgres.js';

describe.skipIf(skipWithoutPostgres)('the team queue', () => {
  const schema = uniqueSchema('queue');
  afterAll(async () => {
    await dropSchema(schema);
    await dropSchema(`${schema}_queue`);
  });

  it('announces each queued exploration on its channel, so idle workers take it without waiting for a poll', async () => {
    const store = openPostgresStore(schemaUrl(schema));
    const queue = new TeamQueue(store, { leaseSeconds: 5 });
    const listener = new pg.Client({ connectionString: TEST_PG_URL });
    await listener.connect();
    try {
      await queue.start();
      const heard: string[] = [];
      const twoHeard = new Promise<void>((resolve) => {
        listener.on('notification', (message) => {
          if (message.channel === queue.channel) heard.push(message.payload ?? '');
          if (heard.length === 2) resolve();
        });
      });
      await listener.query(`LISTEN "${queue.channel}"`);
      await queue.enqueue('x_first');
      await queue.enqueue('x_second');
      await twoHeard;
      expect(heard).toEqual(['x_first', 'x_second']);
      expect(await queue.lastJob('x_first')).toMatchObject({ state: 'created' });
    } finally {
      await listener.end();
      await queue.stop(false);
      await store.close();
    }
  });
});
