import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import type { Judgment } from '../explore/types.js';
import { fixtureBrief, fixtureBriefSource, fixtureCandidate, fixtureCreated, fixtureJudgment, fixtureLens } from './fixtures.js';
import { quantizeEmbedding } from './embedding-codec.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
import { defaultDbPath, openSqliteStore, shortId } from './sqlite-store.js';
import { peopleConformance } from './people.conformance.js';
import { storeConformance } from './store.conformance.js';

const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  tmpDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storeConformance('sqlite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-conformance-'));
  const store = openSqliteStore(join(dir, 'nested', 'baton.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

storeConformance('sqlite :memory:', async () => {
  const store = openSqliteStore(':memory:');
  return { store, cleanup: () => store.close() };
});

peopleConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-people-'));
  const store = openSqliteStore(join(dir, 'baton.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('openSqliteStore', () => {
  it('creates the parent directory and opens in WAL mode with the durability settings', async () => {
    const path = join(tmpDir(), 'a', 'b', 'baton.db');
    const store = openSqliteStore(path);
    expect(store.location).toBe(resolve(path));
    expect(existsSync(path)).toBe(true);
    await store.close();

    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps data across close and reopen', async () => {
    const path = join(tmpDir(), 'baton.db');
    const first = openSqliteStore(path);
    const brief = await first.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
    await first.createExploration({
      id: 'x_keep',
      briefId: brief.id,
      seed: 1,
      model: 'rehearsal',
      judge: 'rehearsal',
      title: 'kept',
      created: fixtureCreated(brief.id),
    });
    const candidate = fixtureCandidate('x_keep', 1);
    await first.commit('x_keep', { events: [{ type: 'candidate.added', candidate }] });
    await first.putNote('n', [1, 2]);
    await first.close();
    await first.close(); // closing twice is harmless

    const second = openSqliteStore(path);
    expect(await second.getBrief(brief.id)).toStrictEqual(brief);
    expect(await second.getCandidate(candidate.id)).toStrictEqual(candidate);
    expect((await second.readEvents('x_keep')).map((e) => e.event.type)).toEqual(['exploration.created', 'candidate.added']);
    expect(await second.getNote('n')).toEqual([1, 2]);
    await second.close();
  });

  it('writes the call rows queued in a turn with the events committed in it; a failing one is rejected alone', async () => {
    const store = openSqliteStore(join(tmpDir(), 'baton.db'));
    const brief = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
    await store.createExploration({ id: 'x_turn', briefId: brief.id, seed: 1, model: 'rehearsal', judge: 'rehearsal', title: 't', created: fixtureCreated(brief.id) });
    const intent = { explorationId: 'x_turn', purpose: 'open' as const, model: 'rehearsal', reservedTokens: 1, reservedUsd: 0 };
    // Queued, not yet written: the commit below takes them into its transaction.
    const begun = store.beginCall({ key: 'x_turn.m1:write', ...intent });
    const orphan = store.finishCall({ key: 'x_turn.m9:write', status: 'done', output: 'o', usage: { inputTokens: 1, outputTokens: 1 }, usd: 0, latencyMs: 0 });
    const candidate = fixtureCandidate('x_turn', 1);
    const stored = await store.commit('x_turn', { events: [{ type: 'candidate.added', candidate }] });
    expect(stored.map((e) => e.event.type)).toEqual(['candidate.added']);
    await expect(begun).resolves.toBeUndefined();
    await expect(orphan).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await store.getCall('x_turn.m1:write'))?.status).toBe('intent');
    expect(await store.getCall('x_turn.m9:write')).toBeUndefined();
    expect(await store.getCandidate(candidate.id)).toStrictEqual(candidate);
    await store.close();
  });

  it('applies migrations once: reopening and migrating again change nothing', async () => {
    const path = join(tmpDir(), 'baton.db');
    await openSqliteStore(path).close();
    await openSqliteStore(path).close();
    const db = new Database(path);
    expect(migrate(db, path)).toBe(0);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['briefs', 'explorations', 'candidates', 'candidate_parents', 'judgments', 'calls', 'checkpoints', 'decisions', 'events', 'notes']),
    );
    db.close();

    const fresh = new Database(':memory:');
    expect(migrate(fresh, ':memory:')).toBe(MIGRATIONS.length);
    fresh.close();
  });

  it('refuses a database written by a newer Baton, naming the file and both versions', async () => {
    const path = join(tmpDir(), 'baton.db');
    await openSqliteStore(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();

    let error: unknown;
    try {
      openSqliteStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('invalid_input');
    expect((error as BatonError).message).toContain(resolve(path));
    expect((error as BatonError).message).toContain(String(SCHEMA_VERSION + 5));
    expect((error as BatonError).message).toContain(String(SCHEMA_VERSION));
  });

  it('refuses a file that is not a database', () => {
    const path = join(tmpDir(), 'notes.txt');
    writeFileSync(path, 'x'.repeat(4096));
    expect(() => openSqliteStore(path)).toThrow(/not a SQLite database/);
  });

  it('stores a candidate embedding as float32 bytes apart from its text, and parents as rows', async () => {
    const path = join(tmpDir(), 'baton.db');
    const store = openSqliteStore(path);
    const brief = await store.saveBrief({ source: 's', brief: fixtureBrief() });
    await store.createExploration({ id: 'x', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
    const root = fixtureCandidate('x', 1);
    const child = fixtureCandidate('x', 2, { parentIds: [root.id], kind: 'deepen', depth: 1, text: 'child' });
    await store.commit('x', { events: [{ type: 'candidate.added', candidate: root }, { type: 'candidate.added', candidate: child }] });
    await store.close();

    const db = new Database(path, { readonly: true });
    const bytes = db.prepare<[string], Buffer>('SELECT embedding FROM candidate_embeddings WHERE id = ?').pluck().get(root.id);
    expect(bytes?.byteLength).toBe(root.embedding.length * 4);
    expect(db.prepare<[string], number>('SELECT length(embedding) FROM candidates WHERE id = ?').pluck().get(root.id)).toBe(0);
    expect(db.prepare('SELECT parent_id, position FROM candidate_parents WHERE candidate_id = ?').all(child.id)).toEqual([
      { parent_id: root.id, position: 0 },
    ]);
    const payload = db.prepare<[], string>("SELECT payload_json FROM events WHERE type = 'candidate.added' ORDER BY seq LIMIT 1").pluck().get();
    expect(payload).toBe(JSON.stringify({ id: root.id }));
    expect(db.prepare<[string], number>('SELECT COUNT(*) FROM candidates WHERE text = ?').pluck().get(root.text)).toBe(1);
    db.close();
  });
});

describe('int8 embeddings', () => {
  it('keeps a quantized embedding as one byte per dimension and reads back exactly the same values', async () => {
    const path = join(tmpDir(), 'baton.db');
    const store = openSqliteStore(path);
    const brief = await store.saveBrief({ source: 's', brief: fixtureBrief() });
    await store.createExploration({ id: 'x', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
    const embedding = quantizeEmbedding(Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * 0.37)));
    const candidate = fixtureCandidate('x', 1, { embedding });
    await store.commit('x', { events: [{ type: 'candidate.added', candidate }] });
    await store.close();

    const db = new Database(path, { readonly: true });
    const bytes = db.prepare<[string], Buffer>('SELECT embedding FROM candidate_embeddings WHERE id = ?').pluck().get(candidate.id);
    expect(bytes?.byteLength).toBe(256);
    db.close();
    const reopened = openSqliteStore(path);
    const read = await reopened.getCandidate(candidate.id);
    expect(Array.from(new Uint32Array((read?.embedding as Float32Array).buffer))).toEqual(Array.from(new Uint32Array(embedding.buffer)));
    const [, added] = await reopened.readEvents('x');
    expect(added?.event.type === 'candidate.added' && added.event.candidate).toStrictEqual(candidate);
    await reopened.close();
  });

  it('opens a database written before them: its float32 embeddings still read', async () => {
    const path = join(tmpDir(), 'baton.db');
    const old = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) old.exec(migration.sql);
    old.pragma('user_version = 3');
    const brief = fixtureBrief();
    old.prepare("INSERT INTO briefs VALUES ('b1', 'b1', 1, NULL, NULL, 's', ?, NULL, 'now')").run(JSON.stringify(brief));
    old.prepare("INSERT INTO explorations VALUES ('x', 'b1', 'b1', 'running', 1, 'm', 'j', 't', 'now', 'now')").run();
    const embedding = new Float32Array([0.5, -0.25, Math.PI]);
    old
      .prepare("INSERT INTO candidates VALUES ('x.c1', 'x', 'x.m1', 'open', 'l', 0, 'text', ?, 'm', 'now')")
      .run(Buffer.from(embedding.buffer));
    old.close();

    const store = openSqliteStore(path);
    expect((await store.getCandidate('x.c1'))?.embedding).toEqual(embedding);
    await store.close();
  });

  it('keeps every event and its sequence number when the log loses AUTOINCREMENT, and numbers new ones after them', async () => {
    const path = join(tmpDir(), 'baton.db');
    const old = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) old.exec(migration.sql);
    old.pragma('user_version = 5');
    old.prepare("INSERT INTO briefs VALUES ('b1', 'b1', 1, NULL, NULL, 's', ?, NULL, 'now')").run(JSON.stringify(fixtureBrief()));
    old.prepare("INSERT INTO explorations VALUES ('x', 'b1', 'b1', 'running', 1, 'm', 'j', 't', 'now', 'now')").run();
    const insert = old.prepare("INSERT INTO events (seq, exploration_id, type, payload_json, at) VALUES (?, 'x', 'exploration.created', ?, 'now')");
    insert.run(7, JSON.stringify(fixtureCreated('b1')));
    insert.run(41, JSON.stringify(fixtureCreated('b1')));
    old.close();

    const store = openSqliteStore(path);
    expect((await store.readEvents('x')).map((e) => e.seq)).toEqual([7, 41]);
    const [stored] = await store.commit('x', { events: [{ type: 'lens.added', lens: { id: 'l2', name: 'L2', text: 'another', builtin: false } }] });
    expect(stored?.seq).toBe(42);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'events'").pluck().get()).not.toMatch(/AUTOINCREMENT/iu);
    db.close();
  });

  it('gives each judgment of a database from before version 14 to the exploration whose log named it first', async () => {
    const path = join(tmpDir(), 'baton.db');
    const old = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 11)) old.exec(migration.sql);
    old.pragma('user_version = 11');
    const brief = JSON.stringify(fixtureBrief());
    old.prepare("INSERT INTO briefs VALUES ('b1', 'b1', 1, NULL, NULL, 's', ?, NULL, 'now'), ('b2', 'b1', 2, 'b1', NULL, 's', ?, NULL, 'now')").run(brief, brief);
    old.prepare("INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at) VALUES ('x', 'b1', 'b1', 'awaiting', 1, 'm', 'j', 't', 'now', 'now')").run();
    old
      .prepare("INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at, forked_from, forked_at_checkpoint) VALUES ('f', 'b1', 'b2', 'awaiting', 1, 'm', 'j', 'fork', 'now', 'now', 'x', 'k')")
      .run();
    old
      .prepare("INSERT INTO candidates (id, exploration_id, move_id, kind, lens_id, depth, text, embedding, model, created_at) VALUES ('x.c1', 'x', 'x.m1', 'open', 'l', 0, 'text', ?, 'm', 'now')")
      .run(Buffer.from(new Float32Array([1, 0]).buffer));
    const judgment = (id: string, briefId: string, quality: number): Judgment => ({ ...fixtureJudgment('x.c1', briefId), id, quality });
    const insertJudgment = old.prepare(
      `INSERT INTO judgments (id, candidate_id, brief_id, quality, scores_json, failed_json, flags_json, critique, novelty, parent_similarity, judge, created_at)
       VALUES (@id, 'x.c1', @briefId, @quality, @scores, @failed, @flags, @critique, @novelty, NULL, @judge, @createdAt)`,
    );
    const inSource = judgment('x.c1.j1', 'b1', 0.5);
    // The fork judged the shared candidate again after its redirect: before version 14 the source listed it too.
    const inFork = judgment('x.c1.j2', 'b2', 0.9);
    for (const j of [inSource, inFork]) {
      insertJudgment.run({ ...j, scores: JSON.stringify(j.scores), failed: JSON.stringify(j.failed), flags: JSON.stringify(j.flags) });
    }
    const event = old.prepare('INSERT INTO events (exploration_id, type, payload_json, at) VALUES (?, ?, ?, ?)');
    for (const explorationId of ['x', 'f']) {
      event.run(explorationId, 'exploration.created', JSON.stringify(fixtureCreated('b1')), 'now');
      event.run(explorationId, 'candidate.added', JSON.stringify({ id: 'x.c1' }), 'now');
      event.run(explorationId, 'candidate.judged', JSON.stringify({ id: inSource.id }), 'now');
    }
    event.run('f', 'brief.redirected', JSON.stringify({ briefId: 'b2', lenses: [] }), 'now');
    event.run('f', 'candidate.judged', JSON.stringify({ id: inFork.id }), 'now');
    old.close();

    const store = openSqliteStore(path);
    expect(await store.listJudgments('x')).toStrictEqual([inSource]);
    expect(await store.listJudgments('f')).toStrictEqual([inSource, inFork]);
    expect((await store.readEvents('f')).flatMap((e) => (e.event.type === 'candidate.judged' ? [e.event.judgment.id] : []))).toEqual([inSource.id, inFork.id]);
    await store.deleteExploration('f');
    expect(await store.listJudgments('x')).toStrictEqual([inSource]);
    await store.close();
  });

  it('totals the spend of calls written before the running totals, and keeps totalling new ones', async () => {
    const path = join(tmpDir(), 'baton.db');
    const old = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 11)) old.exec(migration.sql);
    old.pragma('user_version = 11');
    old.prepare("INSERT INTO briefs VALUES ('b1', 'b1', 1, NULL, NULL, 's', ?, NULL, 'now')").run(JSON.stringify(fixtureBrief()));
    old.prepare("INSERT INTO explorations (id, brief_id, current_brief_id, status, seed, model, judge, title, created_at, updated_at) VALUES ('x', 'b1', 'b1', 'running', 1, 'm', 'j', 't', 'now', 'now')").run();
    const call = old.prepare(
      `INSERT INTO calls (key, exploration_id, purpose, model, status, reserved_tokens, reserved_usd, input_tokens, output_tokens, usd, started_at, usage_estimated)
       VALUES (?, ?, 'open', 'm', ?, 10, ?, ?, ?, ?, 'now', ?)`,
    );
    call.run('done', 'x', 'done', 0.5, 10, 20, 0.01, 1);
    call.run('cut', 'x', 'failed', 0.5, 5, 0, 0.002, 0);
    call.run('refused', 'x', 'failed', 0.5, 0, 0, 0, 0);
    call.run('open', 'x', 'intent', 0.25, null, null, null, 0);
    call.run('reframe', null, 'done', 0, 1, 1, 1, 0);
    old.close();

    const store = openSqliteStore(path);
    const expected = { calls: 2, tokens: 35, estimatedCalls: 1, possiblyBilled: 1 };
    expect(await store.spend('x')).toMatchObject(expected);
    await store.commit('x', { events: [], calls: [{ key: 'open', status: 'done', output: 'o', usage: { inputTokens: 1, outputTokens: 1 }, usd: 0.001, latencyMs: 1 }] });
    const spend = await store.spend('x');
    expect(spend).toMatchObject({ calls: 3, tokens: 37, estimatedCalls: 1, possiblyBilled: 0 });
    expect(spend.usd).toBeCloseTo(0.013, 9);
    expect(spend.possiblyBilledUsd).toBeCloseTo(0, 9);
    await store.close();
  });

  it('a hand-edited scale fails with a message naming the candidate', async () => {
    const path = join(tmpDir(), 'baton.db');
    const store = openSqliteStore(path);
    const brief = await store.saveBrief({ source: 's', brief: fixtureBrief() });
    await store.createExploration({ id: 'x', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
    const candidate = fixtureCandidate('x', 1, { embedding: quantizeEmbedding(new Float32Array([1, -0.5, 0.25])) });
    await store.commit('x', { events: [{ type: 'candidate.added', candidate }] });
    await store.close();
    const db = new Database(path);
    db.prepare('UPDATE candidate_embeddings SET scale = -3').run();
    db.close();

    const reopened = openSqliteStore(path);
    await expect(reopened.getCandidate(candidate.id)).rejects.toThrow(new RegExp(`malformed embedding scale .*${candidate.id.replace('.', '\\.')}`));
    await expect(reopened.readEvents('x')).rejects.toThrow(/malformed embedding scale/);
    await reopened.close();
  });
});

describe('reading stored JSON', () => {
  async function written(): Promise<{ path: string; briefId: string }> {
    const path = join(tmpDir(), 'baton.db');
    const store = openSqliteStore(path);
    const brief = await store.saveBrief({ source: 's', brief: fixtureBrief() });
    await store.createExploration({ id: 'x', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
    const candidate = fixtureCandidate('x', 1);
    await store.commit('x', {
      events: [
        { type: 'move.planned', move: { id: 'x.m1', kind: 'open', parentIds: [], lens: fixtureLens, origin: 'policy' } },
        { type: 'candidate.added', candidate },
        { type: 'candidate.judged', judgment: fixtureJudgment(candidate.id, brief.id) },
      ],
    });
    await store.close();
    return { path, briefId: brief.id };
  }

  it('an inline event is stored without repeating its type; rows that repeat it still read', async () => {
    const { path } = await written();
    const db = new Database(path);
    const payload = db.prepare<[], string>("SELECT payload_json FROM events WHERE type = 'move.planned'").pluck().get() as string;
    expect(JSON.parse(payload)).not.toHaveProperty('type');
    db.prepare("UPDATE events SET payload_json = ? WHERE type = 'move.planned'").run(JSON.stringify({ type: 'move.planned', ...JSON.parse(payload) }));
    db.close();
    const store = openSqliteStore(path);
    const events = await store.readEvents('x');
    expect(events[1]?.event).toStrictEqual({ type: 'move.planned', move: { id: 'x.m1', kind: 'open', parentIds: [], lens: fixtureLens, origin: 'policy' } });
    await store.close();
  });

  it('keeps a planned move\'s lens once per exploration; payloads with the lens inline still read', async () => {
    const { path } = await written();
    const store = openSqliteStore(path);
    const moves = [2, 3].map((n) => ({ id: `x.m${n}`, kind: 'open' as const, parentIds: [], lens: fixtureLens, origin: 'policy' as const }));
    await store.commit('x', { events: moves.map((move) => ({ type: 'move.planned' as const, move })) });
    await store.close();
    const db = new Database(path);
    expect(db.prepare('SELECT COUNT(*) FROM move_lenses').pluck().get()).toBe(1);
    const payloads = db.prepare<[], string>("SELECT payload_json FROM events WHERE type = 'move.planned' ORDER BY seq").pluck().all();
    expect(payloads.map((p) => typeof (JSON.parse(p) as { move: { lens: unknown } }).move.lens)).toEqual(['number', 'number', 'number']);
    const inline = JSON.stringify({ type: 'move.planned', move: { ...moves[0], lens: { ...fixtureLens, name: 'Inline' } } });
    db.prepare("UPDATE events SET payload_json = ? WHERE seq = (SELECT MAX(seq) FROM events)").run(inline);
    db.close();

    const reopened = openSqliteStore(path);
    const events = await reopened.readEvents('x');
    const lenses = events.flatMap((e) => (e.event.type === 'move.planned' ? [e.event.move.lens.name] : []));
    expect(lenses).toEqual([fixtureLens.name, fixtureLens.name, 'Inline']);
    const after = await reopened.readEvents('x', events[3]?.seq ?? 0);
    expect(after.map((e) => e.event.type === 'move.planned' && e.event.move.lens)).toEqual([fixtureLens, { ...fixtureLens, name: 'Inline' }]);
    await reopened.close();
  });

  it('a planned move naming a lens that is not stored fails clearly', async () => {
    const { path } = await written();
    const db = new Database(path);
    db.prepare("UPDATE events SET payload_json = json_set(payload_json, '$.move.lens', 99) WHERE type = 'move.planned'").run();
    db.close();
    const store = openSqliteStore(path);
    await expect(store.readEvents('x')).rejects.toThrow(/Event 2 refers to lens 99, which is not stored/);
    await expect(store.readEvents('x', 1)).rejects.toThrow(/Event 2 refers to lens 99, which is not stored/);
    await store.close();
  });

  it.each([
    ["UPDATE events SET payload_json = json_set(payload_json, '$.move.kind', 'jump') WHERE type = 'move.planned'", /unexpected data in events\.payload_json of event 2/],
    ["UPDATE events SET payload_json = '{\"move\":' WHERE type = 'move.planned'", /malformed JSON in events\.payload_json of event 2/],
    ["UPDATE events SET payload_json = '{\"id\":7}' WHERE type = 'candidate.added'", /unexpected data in events\.payload_json of event 3/],
    ["UPDATE judgments SET scores_json = '[{\"criterion\":\"c\",\"score\":\"high\",\"reason\":\"r\",\"by\":\"judge\"}]'", /unexpected data in judgments\.scores_json of /],
    ["UPDATE move_lenses SET lens_json = '{\"id\":\"l\"}'", /unexpected data in move_lenses\.lens_json of 1/],
    ["UPDATE judgments SET flags_json = '[{\"kind\":\"odd\",\"reason\":\"r\"}]'", /unexpected data in judgments\.flags_json/],
  ])('a hand-edited row fails reading with a message saying where: %s', async (edit, message) => {
    const { path } = await written();
    const db = new Database(path);
    db.prepare(edit).run();
    db.close();
    const store = openSqliteStore(path);
    await expect(store.readEvents('x')).rejects.toThrow(message);
    await store.close();
  });
});

describe('defaultDbPath', () => {
  it('uses BATON_DB when set, else .baton/baton.db under the working directory', () => {
    expect(defaultDbPath('/work', {})).toBe(resolve('/work/.baton/baton.db'));
    expect(defaultDbPath('/work', { BATON_DB: '' })).toBe(resolve('/work/.baton/baton.db'));
    expect(defaultDbPath('/work', { BATON_DB: '/data/b.db' })).toBe(resolve('/data/b.db'));
    expect(defaultDbPath('/work', { BATON_DB: 'rel/b.db' })).toBe(resolve('/work/rel/b.db'));
    expect(defaultDbPath('/work', { BATON_DB: ':memory:' })).toBe(':memory:');
  });
});

describe('shortId', () => {
  it('makes prefixed, distinct ids', () => {
    const ids = Array.from({ length: 1000 }, () => shortId('b'));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^b_[0-9a-f]{10}$/);
  });
});
