import type { Brief } from '../brief/schema.js';
import type { ExplorationEvent, ExplorationStatus, StoredEvent } from '../explore/events.js';
import type { Candidate, Judgment } from '../explore/types.js';
import type { Usage } from '../models/port.js';
import type { PeopleStore } from './people.js';

/**
 * Storage port. Core code talks only to this; SQLite (and later Postgres) are adapters that pass
 * the same conformance suite (`store.conformance.ts`).
 *
 * Durability contract: when a promise returned by a write resolves, the write has been committed
 * and survives the process being killed.
 */

export interface BriefVersion {
  id: string;
  /** Versions of one brief share a lineage; the first version's id. */
  lineageId: string;
  version: number;
  parentId: string | null;
  /** The brief file's path when it came from one. */
  path: string | null;
  /** The Markdown source, exactly as written. */
  source: string;
  brief: Brief;
  note: string | null;
  createdAt: string;
}

export interface NewBriefVersion {
  source: string;
  brief: Brief;
  path?: string;
  parentId?: string;
  note?: string;
}

export interface ExplorationRecord {
  id: string;
  /** The brief version it started from. */
  briefId: string;
  /** The brief version in force now (changes on redirect). */
  currentBriefId: string;
  status: ExplorationStatus;
  seed: number;
  model: string;
  judge: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** When it was archived (hidden from the default list); null when it is not. */
  archivedAt?: string | null;
  /** The exploration and checkpoint it was forked from; null for one started from a brief. */
  forkOf?: ForkOrigin | null;
}

export interface ForkOrigin {
  explorationId: string;
  checkpointId: string;
}

export interface NewFork {
  /** The new exploration's id. */
  id: string;
  /** The exploration to fork and one of its checkpoints: the fork's log is its log up to there. */
  sourceId: string;
  checkpointId: string;
  title: string;
}

export interface NewExploration {
  id: string;
  briefId: string;
  seed: number;
  model: string;
  judge: string;
  title: string;
  /** The first event, `exploration.created`, written in the same transaction. */
  created: Extract<ExplorationEvent, { type: 'exploration.created' }>;
}

export type CallPurpose = 'open' | 'deepen' | 'combine' | 'judge' | 'reframe';

export interface CallIntent {
  /** Deterministic key: the same planned call always has the same key, so resume reuses it. */
  key: string;
  explorationId: string | null;
  purpose: CallPurpose;
  model: string;
  /** Tokens and dollars reserved before the call, for budget accounting of calls in flight. */
  reservedTokens: number;
  reservedUsd: number;
}

/** For a call whose answer must be structured: parsed as it was, repaired (e.g. cut-off JSON), or unusable. */
export type AnswerCheck = 'valid' | 'repaired' | 'invalid';

export interface CallResult {
  key: string;
  status: 'done' | 'failed';
  /** Set for calls whose answer must be structured (the judge, reframings). */
  answer?: AnswerCheck;
  /** The model's answer text when done; the error message when failed. */
  output: string;
  usage: Usage;
  usd: number;
  latencyMs: number;
  /**
   * Only used when no intent was recorded for `key` (a result without `beginCall`): the store
   * then records the whole call from the result, and needs these to do so.
   */
  purpose?: CallPurpose;
  model?: string;
}

export interface CallRecord extends CallIntent {
  status: 'intent' | 'done' | 'failed';
  answer: AnswerCheck | null;
  /** Null before the result, and once released (`ExplorationWrite.releasedCalls`). */
  output: string | null;
  usage: Usage | null;
  usd: number | null;
  latencyMs: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface SpendTotals {
  /** Calls that may have been billed: completed, or failed after the provider may have generated. */
  calls: number;
  tokens: number;
  usd: number;
  /** Of `calls`, those whose provider reported no usage: their tokens and dollars are estimated from the text. */
  estimatedCalls: number;
  /** Intents with no result: cut off by a crash, possibly billed. */
  possiblyBilled: number;
  possiblyBilledUsd: number;
}

/**
 * An exploration's folded state up to event `seq`, in a format the engine reads (see
 * explore/snapshot.ts): reopening reads it and the events after it instead of the whole log.
 * A cache, never the record: the log stays whole.
 */
export interface StateSnapshot {
  seq: number;
  format: number;
  state: Uint8Array;
  /** When read: how many events the log holds up to `seq` now (a snapshot of another log is not used). */
  events?: number;
}

export interface ExplorationWrite {
  events: ExplorationEvent[];
  /** Call results committed atomically with the events. */
  calls?: CallResult[];
  /**
   * Keys of completed calls whose answer is now kept elsewhere by these events (a writer's answer
   * is the candidate's text): the store drops their output, keeping status, usage and cost, so
   * the text is stored once. Such a call is never asked for again.
   */
  releasedCalls?: string[];
}

/**
 * Who is exploring an exploration now (DESIGN.md's lease): one holder at a time. A runner takes
 * it before its first move and renews it (`heartbeat`) while it works; another runner is refused,
 * and a decision asks the holder to yield at its next safe point.
 */
export interface Lease {
  explorationId: string;
  /** A random id per holding: renewing and releasing name it, so a lease taken over is not released by its old holder. */
  holder: string;
  pid: number;
  host: string;
  /** ISO times. */
  since: string;
  heartbeat: string;
  /** When someone asked the holder to stop at its next safe point (a decision waiting to be recorded). */
  yieldRequested: string | null;
}

export interface LeaseClaim {
  holder: string;
  pid: number;
  host: string;
  /** ISO time: `since` and `heartbeat` of a lease acquired now. */
  at: string;
}

export interface AcquireLeaseOptions {
  /**
   * Called (inside the store's transaction) with a lease someone else holds: true when it may be
   * taken over — its heartbeat is stale, or its process is known to be gone.
   */
  takeOver?: (held: Lease) => boolean;
  /** When the lease is held by someone else: ask them to yield at their next safe point. */
  askToYield?: boolean;
}

/** The lease now held by the claimant (`acquired`), or the other holder's. */
export type LeaseAttempt = { acquired: true; lease: Lease } | { acquired: false; lease: Lease };

/** Everything Baton keeps; people and shares are `PeopleStore`'s (./people.ts). */
export interface Store extends PeopleStore {
  readonly location: string;

  saveBrief(input: NewBriefVersion): Promise<BriefVersion>;
  getBrief(id: string): Promise<BriefVersion | undefined>;

  createExploration(input: NewExploration): Promise<ExplorationRecord>;
  getExploration(id: string): Promise<ExplorationRecord | undefined>;
  /** Newest first. */
  listExplorations(): Promise<ExplorationRecord[]>;
  /** Finds an exploration by id or unique id prefix. */
  resolveExplorationId(idOrPrefix: string): Promise<string | undefined>;

  /** Gives an exploration a new title (its name in lists). */
  renameExploration(id: string, title: string): Promise<ExplorationRecord>;
  /** Archives (hides from the default list) or unarchives an exploration; nothing else changes. */
  setArchived(id: string, archived: boolean): Promise<ExplorationRecord>;
  /**
   * Deletes an exploration and every row that is its own (events, candidates, judgments, calls,
   * checkpoints, decisions). Refused (`conflict`) while a fork still shares its rows.
   */
  deleteExploration(id: string): Promise<void>;
  /**
   * A new exploration whose log is the source's up to (and including) the checkpoint, awaiting
   * a decision there. Candidates, judgments and calls are shared with the source, not copied:
   * nothing is asked of a model again.
   */
  forkExploration(input: NewFork): Promise<ExplorationRecord>;

  /**
   * Appends events (and call results) in one transaction. The store keeps the exploration's
   * status and current brief in step with the events (`checkpoint.raised` → awaiting, …).
   */
  commit(explorationId: string, write: ExplorationWrite): Promise<StoredEvent[]>;
  /** Events in order, hydrated (candidates with text and embedding, judgments whole). */
  readEvents(explorationId: string, afterSeq?: number): Promise<StoredEvent[]>;

  /** The latest state snapshot of an exploration, if one was kept. */
  getSnapshot(explorationId: string): Promise<StateSnapshot | undefined>;
  /** Keeps a state snapshot, replacing an older one (one of a later `seq` is kept instead). */
  putSnapshot(explorationId: string, snapshot: StateSnapshot): Promise<void>;

  getCandidate(id: string): Promise<Candidate | undefined>;
  listCandidates(explorationId: string): Promise<Candidate[]>;
  listJudgments(explorationId: string): Promise<Judgment[]>;

  /** Records a call's intent before it is made. Idempotent for the same key. */
  beginCall(intent: CallIntent): Promise<void>;
  /** Records a call's result outside any exploration (e.g. reframing a brief). */
  finishCall(result: CallResult): Promise<void>;
  getCall(key: string): Promise<CallRecord | undefined>;
  listCalls(explorationId: string): Promise<CallRecord[]>;
  spend(explorationId: string): Promise<SpendTotals>;

  /** Takes the exploration's lease, atomically: free, already ours, or taken over (see `AcquireLeaseOptions`). */
  acquireLease(explorationId: string, claim: LeaseClaim, options?: AcquireLeaseOptions): Promise<LeaseAttempt>;
  /** Sets the heartbeat of a lease we hold; undefined when it is no longer ours (taken over or released). */
  renewLease(explorationId: string, holder: string, at: string): Promise<Lease | undefined>;
  /** Gives the lease up; nothing happens when `holder` no longer holds it. */
  releaseLease(explorationId: string, holder: string): Promise<void>;
  /** The lease as it stands, for display ("explored by pid N on HOST since T"). */
  getLease(explorationId: string): Promise<Lease | undefined>;

  /** Generic small key/value records (e.g. the last reframings shown for a brief). */
  putNote(key: string, value: unknown): Promise<void>;
  getNote(key: string): Promise<unknown>;

  close(): Promise<void>;
}

export type { ExplorationStatus };
