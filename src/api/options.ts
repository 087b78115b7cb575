import type { BriefLimits } from '../brief/brief-worker.js';
import type { Framing } from '../brief/reframe.js';
import type { Progress } from '../explore/engine.js';
import type { Reopening } from '../explore/events.js';
import type { ProviderGates } from '../models/concurrency.js';
import type { EmbeddingPort, ModelPort } from '../models/port.js';
import type { ReopenInput } from '../steer/decisions.js';
import type { RunOutcome } from '../steer/steering.js';
import type { Decision, DecisionInput } from '../steer/types.js';
import type { LeaseSettings } from '../store/lease-keeper.js';
import type { Lease, Store } from '../store/store.js';

/**
 * The options and results of the `Baton` facade's methods: the public shapes of the library API,
 * re-exported by `baton.ts` and `index.ts`.
 */

export interface BatonOptions {
  /** SQLite file or a `postgres://` URL (a team store); default `BATON_DB` or `./.baton/baton.db`. */
  db?: string;
  /** An already-open store (any `Store` implementation). */
  store?: Store;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Simulated latency of the rehearsal model, ms. */
  latencyMs?: number;
  /** Moves run at once. */
  concurrency?: number;
  embedding?: EmbeddingPort;
  now?: () => Date;
  /**
   * Model ports of your own, by model id, used instead of the registry — e.g. a simulated world
   * in a benchmark. Each factory gets the exploration's seed.
   *
   * @example
   * Baton.open({ db: ':memory:', models: { 'sim:world': ({ seed }) => world.port(seed) } });
   */
  models?: Record<string, (options: { seed: number }) => ModelPort>;
  /**
   * How `run` and `decide` advance an exploration: in this process, or by queueing it for the
   * team's workers (`baton worker`) and waiting. Default: the queue when `db` is a postgres://
   * URL, in process otherwise (and whenever a `store` is given).
   */
  drive?: 'in-process' | 'queue';
  /** How leases are kept (heartbeat, when a silent holder counts as gone, how long a decision waits). */
  lease?: Partial<LeaseSettings>;
  /**
   * Whether a brief given as text rather than a file (`startFromSource`, `lintSource`, a redirect
   * with `briefSource`) may run `module:` checks; default true. `baton serve` sets it false unless
   * started with `--allow-modules`: a brief sent over HTTP must not run code in the server.
   */
  allowModules?: boolean;
  /**
   * Limits on reading a brief given as text (`startFromSource`, `lintSource`, a redirect with
   * `briefSource`), which runs in a worker thread: past them it is a `limit_exceeded` error.
   */
  briefLimits?: Partial<BriefLimits>;
  /** Most cards on a board (default: the user config's `board.cards`, else 8); every direction still gets a row. */
  boardCards?: number;
  /** Whose limits the providers' calls pass through: this process's by default; a team's workers share theirs. */
  limits?: ProviderGates;
}

/** A run's outcome; `handedOver` says why it stopped early for another process (a decision waiting for it). */
export interface LeasedOutcome extends RunOutcome {
  handedOver?: string;
}

export interface StartOptions {
  seed?: number;
  model?: string;
  /**
   * The judge, overriding the brief's: one `provider:model`, or several (a jury) as a list or
   * joined with commas. Each juror is one more call per candidate.
   */
  judge?: string | readonly string[];
  /** The embedding novelty uses: `provider:model`, or `local` (the default) for the local lexical one. */
  embed?: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  maxWaves?: number;
  /**
   * Let Baton skip a checkpoint whose decision your taste predicts confidently (default true).
   * Each skip is an assumption in the ledger, shown on the next board, and reversible.
   */
  assume?: boolean;
}

export interface ReverseOptions {
  /** The assumption to reverse: `a1` or its full id. */
  assumption: string;
  reason?: string;
  /** Continue running to the next checkpoint after recording the reversal (default false). */
  run?: boolean | RunOptions;
}

export interface DecideOptions extends DecisionInput {
  /** Who decides, on a shared server (a person's name); absent for the store's owner. */
  actor?: string;
  /** For `redirect`: path of the edited brief. */
  briefPath?: string;
  /** For `redirect`: the edited brief's Markdown (instead of `briefPath`), e.g. from the web UI. */
  briefSource?: string;
  /** Continue running to the next checkpoint after recording the decision. */
  run?: boolean | RunOptions;
  /** Called once the decision is durable, before exploring on. */
  onRecorded?: (decision: Decision) => void;
  /** Called when another process is exploring: the decision waits for its next safe point. */
  onWaiting?: (lease: Lease) => void;
  /** Stops waiting for another process's lease (and the run that follows, unless `run` has its own). */
  signal?: AbortSignal;
  /**
   * The checkpoint whose board the person answered (`x1a2b3.k2`, or `k2`): the decision is refused
   * (`conflict`) unless that checkpoint is still open, so decisions raced on one board record one.
   */
  checkpointId?: string;
}

export interface ReopenOptions extends ReopenInput {
  /** Explore on to the next checkpoint after recording the reopening (default true). */
  run?: boolean | RunOptions;
  /** Called once the reopening is durable, before exploring on. */
  onRecorded?: (reopening: Reopening) => void;
}

export interface ReframeResult {
  briefId: string;
  label: string;
  framings: Framing[];
}
