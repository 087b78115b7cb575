import type { Store } from '../../src/store/store.js';
import type { Snapshot } from '../support/crash.js';

/**
 * `readSnapshot` (test/support/crash.ts) read through the `Store` port instead of a SQLite file,
 * so the crash tests can hold a Postgres store to the same invariants. Same normalisation:
 * ids relative to the exploration, brief ids numbered in the order the exploration met them.
 */
export async function snapshotOf(store: Store): Promise<Snapshot> {
  const [exploration] = await store.listExplorations();
  if (!exploration) {
    return { explorationId: null, status: null, candidates: [], qualities: {}, judgmentIds: [], judged: [], calls: [], decisions: [], checkpoints: [], eventTypes: {} };
  }
  const xid = exploration.id;
  const events = (await store.readEvents(xid)).map((e) => e.event);
  const briefIds: string[] = [];
  const meet = (id: string | undefined): void => {
    if (id !== undefined && !briefIds.includes(id)) briefIds.push(id);
  };
  meet(exploration.briefId);
  meet(exploration.currentBriefId);
  for (const event of events) if (event.type === 'decision.made') meet(event.decision.briefId);
  // Numbered by when each was saved, as the SQLite snapshot numbers them (by rowid).
  const saved = await Promise.all(briefIds.map(async (id) => ({ id, at: (await store.getBrief(id))?.createdAt ?? '' })));
  const ordered = saved.sort((a, b) => a.at.localeCompare(b.at)).map((b) => b.id);
  const rel = (id: string): string => {
    let out = id.startsWith(xid) ? id.slice(xid.length) : id;
    ordered.forEach((briefId, i) => (out = out.split(briefId).join(`brief${i + 1}`)));
    return out;
  };
  const candidates = (await store.listCandidates(xid)).map((c) => ({
    id: rel(c.id),
    moveId: rel(c.moveId),
    parentIds: c.parentIds.map(rel),
    lensId: c.lensId,
    kind: c.kind,
    depth: c.depth,
    text: c.text,
  }));
  const judgments = await store.listJudgments(xid);
  const calls = (await store.listCalls(xid))
    .map((c) => ({ key: rel(c.key), status: c.status, output: c.output, finishedAt: c.finishedAt }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const decisions = events.flatMap((e) =>
    e.type === 'decision.made'
      ? [{ id: rel(e.decision.id), action: e.decision.action, reason: e.decision.reason ?? null, candidateIds: e.decision.candidateIds.map(rel) }]
      : [],
  );
  const checkpoints = events.flatMap((e) => (e.type === 'checkpoint.raised' ? [rel(e.checkpoint.id)] : []));
  const eventTypes: Record<string, number> = {};
  for (const e of events) eventTypes[e.type] = (eventTypes[e.type] ?? 0) + 1;
  return {
    explorationId: xid,
    status: exploration.status,
    candidates,
    qualities: Object.fromEntries(judgments.map((j) => [rel(j.candidateId), j.quality])),
    judgmentIds: judgments.map((j) => rel(j.id)),
    judged: judgments.map((j) => ({ candidateId: rel(j.candidateId), briefId: rel(j.briefId) })),
    calls,
    decisions,
    checkpoints,
    eventTypes,
  };
}
