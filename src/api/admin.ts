import { randomInt } from 'node:crypto';
import { BatonError } from '../errors.js';
import type { BriefHistoryEntry } from '../steer/brief-history.js';
import { briefHistory } from '../steer/brief-history.js';
import type { Checkpoint } from '../steer/types.js';
import type { ExplorationRecord, Store } from '../store/store.js';

/**
 * Managing explorations — rename, archive, delete, fork — for the `Baton` facade, which
 * resolves ids and delegates here. Each is one store call; fork first finds the checkpoint.
 */

export interface ForkOptions {
  /** A checkpoint id, or its number in the exploration (1 = the first); the latest when absent. */
  at?: string;
  /** The fork's title; "<source title> (fork)" when absent. */
  title?: string;
}

/** The checkpoints an exploration raised, in order. */
export async function checkpointsOf(store: Store, explorationId: string): Promise<Checkpoint[]> {
  const events = await store.readEvents(explorationId);
  return events.flatMap((stored) => (stored.event.type === 'checkpoint.raised' ? [stored.event.checkpoint] : []));
}

/** Which checkpoint `at` names: an id, a 1-based number, or (absent) the latest. */
export function pickCheckpoint(checkpoints: readonly Checkpoint[], explorationId: string, at: string | undefined): Checkpoint {
  if (checkpoints.length === 0) {
    throw new BatonError('invalid_input', `Exploration ${explorationId} has raised no checkpoint yet: there is nothing to fork from.`, { location: { field: 'at' } });
  }
  if (at === undefined) return checkpoints[checkpoints.length - 1] as Checkpoint;
  const byId = checkpoints.find((c) => c.id === at);
  if (byId) return byId;
  if (/^\d+$/u.test(at)) {
    const byNumber = checkpoints[Number(at) - 1];
    if (byNumber) return byNumber;
  }
  throw new BatonError('invalid_input', `Exploration ${explorationId} has no checkpoint "${at}" (it has ${checkpoints.length}: 1–${checkpoints.length}, or ${checkpoints.map((c) => c.id).join(', ')}).`, {
    location: { field: 'at' },
  });
}

/** Forks `sourceId` at a checkpoint into a new exploration, awaiting a decision there. */
export async function forkExploration(store: Store, sourceId: string, options: ForkOptions = {}): Promise<ExplorationRecord> {
  const source = await store.getExploration(sourceId);
  if (!source) throw new BatonError('not_found', `no exploration "${sourceId}"`, { location: { field: 'exploration' } });
  const checkpoint = pickCheckpoint(await checkpointsOf(store, sourceId), sourceId, options.at);
  const title = cleanTitle(options.title ?? `${source.title} (fork)`);
  return store.forkExploration({ id: newExplorationId(), sourceId, checkpointId: checkpoint.id, title });
}

export async function renameExploration(store: Store, id: string, title: string): Promise<ExplorationRecord> {
  return store.renameExploration(id, cleanTitle(title));
}

function cleanTitle(title: string): string {
  const clean = title.replace(/\s+/gu, ' ').trim();
  if (clean === '') throw new BatonError('invalid_input', 'A title cannot be empty.', { location: { field: 'title' } });
  // A long source title still forks: the fork's default title is cut, not refused.
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

/** An exploration id as `baton run` makes them: `x` and six base-36 characters. */
export function newExplorationId(): string {
  return `x${randomInt(0, 36 ** 6).toString(36).padStart(6, '0')}`;
}

/** The brief versions an exploration ran under, for its export. */
export async function briefHistoryOf(store: Store, record: ExplorationRecord): Promise<BriefHistoryEntry[]> {
  const events = await store.readEvents(record.id);
  const redirected = events.flatMap((stored) => (stored.event.type === 'brief.redirected' ? [stored.event.briefId] : []));
  return briefHistory(store, record.briefId, redirected);
}
