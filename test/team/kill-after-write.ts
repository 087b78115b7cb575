import { fixtureBrief, fixtureBriefSource, fixtureCheckpoint, fixtureCreated } from '../../src/store/fixtures.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';

/**
 * Child process of the durability test: writes through the store, prints what it wrote once every
 * promise resolved, and kills itself with SIGKILL before closing anything.
 */
const url = process.argv[2] ?? '';
const store = openPostgresStore(url);
const brief = await store.saveBrief({ source: fixtureBriefSource, brief: fixtureBrief() });
const x = await store.createExploration({ id: 'x_killed', briefId: brief.id, seed: 1, model: 'm', judge: 'j', title: 't', created: fixtureCreated(brief.id) });
await store.beginCall({ key: 'k-done', explorationId: x.id, purpose: 'open', model: 'm', reservedTokens: 1, reservedUsd: 0 });
await store.finishCall({ key: 'k-done', status: 'done', output: 'paid for', usage: { inputTokens: 1, outputTokens: 1 }, usd: 0, latencyMs: 1 });
await store.commit(x.id, { events: [{ type: 'checkpoint.raised', checkpoint: fixtureCheckpoint(x.id, 'k1', 'c') }] });
process.stdout.write(`${JSON.stringify({ explorationId: x.id, briefId: brief.id })}\n`, () => process.kill(process.pid, 'SIGKILL'));
