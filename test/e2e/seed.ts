import { parseBrief } from '../../src/brief/parse.js';
import type { ExplorationEvent } from '../../src/explore/events.js';
import type { Candidate, Judgment } from '../../src/explore/types.js';
import { fixtureBoard, fixtureCandidate, fixtureJudgment } from '../../src/store/fixtures.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Explorations written straight into a real SQLite file through the `Store` port, for the browser
 * tests: one whose candidate text is hostile HTML, and one with thousands of candidates.
 * `baton serve` then reads them like any other exploration.
 */

export const HOSTILE_TEXT = [
  '# A keeper’s log',
  '',
  'The lamp turns. <img src=x onerror="window.__pwned=1"> The sea answers.',
  '',
  '<script>window.__pwned=1</script>',
  '',
  'A [link](javascript:window.__pwned=1) and an image ![tracker](https://example.invalid/t.png).',
].join('\n');

const SOURCE = `---
question: What should the keeper's log say tonight?
criteria:
  - id: voice
    text: The keeper's voice is specific.
    weight: 2
  - id: imagery
    text: Sensory details from the sea.
    weight: 1
lenses: [emotional-arc, invert, new-genre, minimal]
model: rehearsal
judge: rehearsal
---
The lighthouse was automated years ago; the keeper stayed on anyway.
`;

export async function seedHostileExploration(dbPath: string): Promise<{ id: string; candidateId: string }> {
  return withStore(dbPath, async (store) => {
    const { explorationId, briefId } = await createExploration(store, 'xhostil');
    const candidate = fixtureCandidate(explorationId, 1, { text: HOSTILE_TEXT, lensId: 'emotional-arc' });
    const judgment = fixtureJudgment(candidate.id, briefId, {
      scores: [
        { criterion: 'voice', score: 7, reason: 'Reads <b>bold</b> <img src=x onerror="window.__pwned=1">', by: 'judge' },
        { criterion: 'imagery', score: 6, reason: 'Some sea.', by: 'judge' },
      ],
      critique: '<script>window.__pwned=1</script> Tighten the middle.',
    });
    const board = fixtureBoard(explorationId, `${explorationId}:k1`, candidate.id);
    const card = { ...(board.cards[0] as (typeof board.cards)[number]), lensId: 'emotional-arc', lensName: 'Change the emotional arc', excerpt: HOSTILE_TEXT.slice(0, 200), why: 'Best so far <img src=x onerror="window.__pwned=1">' };
    const events: ExplorationEvent[] = [
      { type: 'candidate.added', candidate },
      { type: 'candidate.judged', judgment },
      { type: 'checkpoint.raised', checkpoint: { id: board.checkpointId as string, explorationId, reasons: board.reasons, board: { ...board, cards: [card] }, createdAt: new Date().toISOString() } },
    ];
    await store.commit(explorationId, { events });
    return { id: explorationId, candidateId: candidate.id };
  });
}

/**
 * An exploration of `count` candidates shaped like a real one: four lenses open paths, paths
 * deepen and branch, some are combined, exhausted or pruned. Deterministic.
 */
export async function seedLargeExploration(dbPath: string, count: number): Promise<{ id: string; candidateIds: string[] }> {
  return withStore(dbPath, async (store) => {
    const { explorationId, briefId } = await createExploration(store, 'xlarge1');
    const lenses = ['emotional-arc', 'invert', 'new-genre', 'minimal'];
    const candidates: Candidate[] = [];
    const events: ExplorationEvent[] = [];
    for (let n = 1; n <= count; n += 1) {
      const kind = n <= 24 ? 'open' : n % 29 === 0 ? 'combine' : 'deepen';
      const parentIds = kind === 'open' ? [] : kind === 'combine' ? [pick(candidates, n * 7), pick(candidates, n * 13)] : [pick(candidates, n * 11)];
      const parent = candidates.find((c) => c.id === parentIds[0]);
      const candidate = fixtureCandidate(explorationId, n, {
        kind,
        parentIds: [...new Set(parentIds)],
        lensId: parent?.lensId ?? (lenses[n % lenses.length] as string),
        depth: parent ? parent.depth + 1 : 0,
        text: `Candidate ${n}: the keeper counts ${n} turns of the lamp before the fog lifts.`,
      });
      candidates.push(candidate);
      const quality = 0.3 + 0.6 * (((n * 37) % 100) / 100);
      const judgment: Judgment = fixtureJudgment(candidate.id, briefId, { quality, novelty: ((n * 53) % 100) / 100, flags: [] });
      events.push({ type: 'candidate.added', candidate }, { type: 'candidate.judged', judgment });
      if (n % 17 === 0) events.push({ type: 'path.exhausted', candidateId: candidate.id, reason: 'plateau' });
    }
    const best = candidates[candidates.length - 1] as Candidate;
    const board = fixtureBoard(explorationId, `${explorationId}:k1`, best.id);
    events.push({ type: 'checkpoint.raised', checkpoint: { id: board.checkpointId as string, explorationId, reasons: board.reasons, board, createdAt: new Date().toISOString() } });
    await store.commit(explorationId, { events });
    return { id: explorationId, candidateIds: candidates.map((c) => c.id) };
  });
}

/**
 * Another writer on the same database (as a CLI run beside the server would be) adds one judged
 * candidate under `parentId`; the server's event stream must carry it to the page.
 */
export async function appendCandidate(dbPath: string, explorationId: string, n: number, parentId: string): Promise<string> {
  return withStore(dbPath, async (store) => {
    const parent = await store.getCandidate(parentId);
    if (!parent) throw new Error(`no candidate ${parentId}`);
    const exploration = await store.getExploration(explorationId);
    const candidate = fixtureCandidate(explorationId, n, { kind: 'deepen', parentIds: [parentId], lensId: parent.lensId, depth: parent.depth + 1, text: `Candidate ${n}, written by another process.` });
    const judgment = fixtureJudgment(candidate.id, exploration?.currentBriefId ?? '', { quality: 0.95, novelty: 0.5, flags: [] });
    await store.commit(explorationId, { events: [{ type: 'candidate.added', candidate }, { type: 'candidate.judged', judgment }] });
    return candidate.id;
  });
}

/** A parent chosen deterministically, favouring recent candidates so paths grow deep. */
function pick(candidates: readonly Candidate[], salt: number): string {
  const recent = Math.min(candidates.length, 60);
  return (candidates[candidates.length - 1 - (salt % recent)] as Candidate).id;
}

async function createExploration(store: Store, id: string): Promise<{ explorationId: string; briefId: string }> {
  const brief = parseBrief(SOURCE);
  const version = await store.saveBrief({ source: SOURCE, brief });
  const lenses = (brief.lenses === 'auto' ? [] : brief.lenses).slice();
  await store.createExploration({
    id,
    briefId: version.id,
    seed: 1,
    model: 'rehearsal',
    judge: 'rehearsal',
    title: brief.question,
    created: { type: 'exploration.created', briefId: version.id, seed: 1, lenses, model: 'rehearsal', judge: 'rehearsal' },
  });
  return { explorationId: id, briefId: version.id };
}

async function withStore<T>(dbPath: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(dbPath);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
