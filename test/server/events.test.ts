import { describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import type { ExplorationDetail, StartedResponse, StreamedEvent } from '../../src/server/contract.js';
import { json, LIGHTHOUSE, testServer } from './fixture.js';
import { openEvents } from './http.js';
import { EXAMPLES, runCli } from '../support/cli.js';
import { join } from 'node:path';

describe('baton serve: live updates by server-sent events', async () => {
  const t = await testServer();

  it('streams the event log, and a reconnect with Last-Event-ID resumes exactly after that id', async () => {
    const { id } = json<StartedResponse>(await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 11 } }));
    const first = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    await first.until((m) => m.event === 'checkpoint.raised');
    first.close();
    const seen = first.messages.filter((m) => m.id !== undefined);
    expect(seen[0]?.event).toBe('exploration.created');
    expect(seen.length).toBeGreaterThan(10);
    const seqs = seen.map((m) => Number(m.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const message of seen) {
      const data = JSON.parse(message.data) as StreamedEvent;
      expect(data.seq).toBe(Number(message.id));
      expect(data.type).toBe(message.event);
      expect(message.data).not.toContain('embedding');
    }

    const cut = seen[Math.floor(seen.length / 2)] as { id: string };
    const resumed = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie, 'last-event-id': cut.id });
    await resumed.until((m) => m.event === 'checkpoint.raised');
    resumed.close();
    const expected = seen.filter((m) => Number(m.id) > Number(cut.id)).map((m) => m.id);
    expect(resumed.messages.filter((m) => m.id !== undefined).map((m) => m.id)).toEqual(expected);

    const byQuery = await openEvents(t.port, `/api/explorations/${id}/events?after=${cut.id}`, { cookie: t.cookie });
    await byQuery.until((m) => m.event === 'checkpoint.raised');
    byQuery.close();
    expect(byQuery.messages.filter((m) => m.id !== undefined).map((m) => m.id)).toEqual(expected);

    // A reconnect keeps the URL's ?after= and adds Last-Event-ID: the later one wins.
    const reconnect = await openEvents(t.port, `/api/explorations/${id}/events?after=${seen[1]?.id ?? ''}`, { cookie: t.cookie, 'last-event-id': cut.id });
    await reconnect.until((m) => m.event === 'checkpoint.raised');
    reconnect.close();
    expect(reconnect.messages.filter((m) => m.id !== undefined).map((m) => m.id)).toEqual(expected);

    // The detail says where its view ends, so a stream can start right after it.
    const detail = json<ExplorationDetail>(await t.browser(`/api/explorations/${id}`));
    expect(detail.lastSeq).toBe(Number(seen.at(-1)?.id));

    const bad = await t.browser(`/api/explorations/${id}/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
  });

  it('picks up events another process writes to the same database', async () => {
    const other = Baton.open({ db: t.db, cwd: t.dir, env: {} });
    try {
      const id = await other.start(join(EXAMPLES, 'lighthouse-story.md'), { seed: 5 });
      const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
      await stream.until((m) => m.event === 'exploration.created');
      expect(stream.messages.some((m) => m.event === 'candidate.added')).toBe(false);
      await other.run(id);
      await stream.until((m) => m.event === 'checkpoint.raised');
      stream.close();
      const fromStore = await other.store.readEvents(id);
      expect(stream.messages.filter((m) => m.id !== undefined).map((m) => Number(m.id))).toEqual(fromStore.map((e) => e.seq));
    } finally {
      await other.close();
    }
  });

  it('picks up events that `baton run` in another process writes', async () => {
    const starter = Baton.open({ db: t.db, cwd: t.dir, env: {} });
    const id = await starter.start(join(EXAMPLES, 'lighthouse-story.md'), { seed: 9 });
    await starter.close();
    const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    await stream.until((m) => m.event === 'exploration.created');
    const run = await runCli(['run', id, '--db', t.db], { cwd: t.dir });
    expect(run.code, run.stderr).toBe(10);
    await stream.until((m) => m.event === 'checkpoint.raised');
    stream.close();
    expect(stream.messages.filter((m) => m.event === 'candidate.added').length).toBeGreaterThan(3);
  });
});

describe('baton serve: streams that wait', () => {
  it('sends heartbeats while nothing happens, refuses a second run (409), and ends open streams on close', async () => {
    const t = await testServer({ heartbeatMs: 50, baton: { latencyMs: 30 } });
    const { id } = json<StartedResponse>(await t.browser('/api/explorations', { body: { briefText: LIGHTHOUSE, seed: 4 } }));
    const again = await t.browser(`/api/explorations/${id}/run`, { body: {} });
    expect(again.status, again.body).toBe(409);
    const stream = await openEvents(t.port, `/api/explorations/${id}/events`, { cookie: t.cookie });
    await stream.until((m) => m.event === 'checkpoint.raised');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(stream.raw()).toContain(': heartbeat');
    await t.server.close();
    await stream.ended;
  });
});
