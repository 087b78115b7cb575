import { createHash, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { chooseLenses, resolveLenses } from './brief/lenses.js';
import type { LintFinding } from './brief/lint.js';
import type { BriefLimits } from './brief/brief-worker.js';
import { DEFAULT_BRIEF_LIMITS, lintInWorker, parseInWorker } from './brief/brief-worker.js';
import { byLine, checkFindings, lintWithModels } from './brief/lint-source.js';
import { locateField, parseBrief, readBriefFile } from './brief/parse.js';
import type { Framing } from './brief/reframe.js';
import { applyFraming, FramingsSchema, reframeLenses } from './brief/reframe.js';
import type { Brief, Lens } from './brief/schema.js';
import { juryOf } from './brief/schema.js';
import type { SourceLocation } from './errors.js';
import { BatonError, formatLocation, isBatonError } from './errors.js';
import { writeFileAtomic } from './util/files.js';
import { loadUserConfig } from './config/user-config.js';
import type { Progress } from './explore/engine.js';
import type { StoredEvent } from './explore/events.js';
import { ExplorationEngine } from './explore/engine.js';
import { recordedCall } from './explore/calls.js';
import { tracedDecision, tracedWorkflow } from './explore/tracing.js';
import { parseJsonAnswer } from './explore/judge.js';
import type { JudgeBiasCheck, JudgeBiasEstimate } from './explore/judge-bias-check.js';
import { checkJudgeBias, estimateJudgeBias } from './explore/judge-bias-check.js';
import type { CheckContext } from './explore/checks.js';
import { createLocalEmbedding } from './models/local-embedding.js';
import type { EmbeddingPort, ModelPort } from './models/port.js';
import type { ProviderGates } from './models/concurrency.js';
import { checkModelId, LOCAL_EMBEDDING, resolveEmbedding, resolveModel } from './models/registry.js';
import type { DecideInput } from './steer/decisions.js';
import type { ReopenInput } from './steer/decisions.js';
import { decide, reopen, resolveCandidateId } from './steer/decisions.js';
import type { Reopening } from './explore/events.js';
import { reverse } from './steer/reversals.js';
import type { ExportDocument } from './steer/export.js';
import type { CandidateView, ExplorationView } from './steer/views.js';
import { candidateView, explorationView } from './steer/views.js';
import { buildExport, renderExportMarkdown } from './steer/export.js';
import type { RunOutcome, RunUntilOptions } from './steer/steering.js';
import { currentBoard, modelLabel, outcome, runUntilCheckpoint, spendOf } from './steer/steering.js';
import type { Decision, DecisionInput, Reversal } from './steer/types.js';
import { isServerLocation, openStore, resolveStoreLocation } from './store/open-store.js';
import type { TeamQueue } from './team/queue.js';
import type { LeaseSettings, TakeLeaseOptions } from './store/lease-keeper.js';
import { LeaseKeeper } from './store/lease-keeper.js';
import type { BriefVersion, ExplorationRecord, Lease, Store } from './store/store.js';
import type { ForkOptions } from './api/admin.js';
import * as admin from './api/admin.js';

/**
 * The library API: everything the CLI (and later the HTTP server and MCP server) does goes
 * through this class. It owns the store and builds an engine per exploration on demand.
 *
 * @example
 * const baton = Baton.open({ db: './.baton/baton.db' });
 * const id = await baton.start('examples/story.md', { seed: 7 });
 * const result = await baton.run(id);
 * if (result.status === 'awaiting') await baton.decide(id, { action: 'continue', reason: 'keep going' });
 * await baton.close();
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

const StoredFramingsSchema = z.object({ briefId: z.string(), framings: FramingsSchema.shape.framings });

export class Baton {
  private opened: Store | undefined;
  private queue: Promise<TeamQueue> | undefined;
  private readonly dbPath: string;
  private readonly options: BatonOptions;
  private readonly embedding: EmbeddingPort;

  private constructor(options: BatonOptions) {
    this.opened = options.store;
    this.dbPath = resolveStoreLocation(options.db, options.cwd ?? process.cwd(), options.env ?? process.env);
    this.options = options;
    this.embedding = options.embedding ?? createLocalEmbedding();
  }

  /** Prepares Baton on a database; the file is created only when something is first written. */
  static open(options: BatonOptions = {}): Baton {
    return new Baton(options);
  }

  /** The store, opened (and created) on first use. */
  get store(): Store {
    this.opened ??= openStore(this.dbPath);
    return this.opened;
  }

  /** The team queue when explorations are driven by workers, else undefined (in process). */
  private async teamQueue(): Promise<TeamQueue | undefined> {
    const drive = this.options.drive ?? (this.options.store === undefined && isServerLocation(this.dbPath) ? 'queue' : 'in-process');
    if (drive === 'in-process') return undefined;
    this.queue ??= import('./team/queue.js').then(({ openTeamQueue }) => openTeamQueue(this.store));
    return this.queue;
  }

  /** The store if it exists already; reading never creates a database. */
  private existingStore(): Store | undefined {
    if (this.opened) return this.opened;
    if (this.dbPath !== ':memory:' && !isServerLocation(this.dbPath) && !existsSync(this.dbPath)) return undefined;
    return this.store;
  }

  /** Where provider keys and base URLs come from: the given environment, or the process's. */
  private env(): Record<string, string | undefined> {
    return this.options.env ?? process.env;
  }

  /** Reads and validates a brief file (writing nothing). */
  async readBrief(path: string): Promise<{ absolute: string; source: string; brief: Brief }> {
    const absolute = resolve(this.options.cwd ?? process.cwd(), path);
    const { source, brief } = await readBriefFile(absolute);
    return { absolute, source, brief };
  }

  /** Reads and validates a brief file and stores it as a brief version. */
  async saveBriefFile(path: string, parentId?: string, note?: string): Promise<BriefVersion> {
    const { absolute, source, brief } = await this.readBrief(path);
    checkModels(brief, source, absolute);
    await this.refuseUnusableChecks(source, brief, absolute, absolute);
    const input: Parameters<Store['saveBrief']>[0] = { source, brief, path: absolute };
    if (parentId !== undefined) input.parentId = parentId;
    if (note !== undefined) input.note = note;
    return this.store.saveBrief(input);
  }

  /** Validates a brief given as Markdown text and stores it as a brief version. */
  async saveBriefSource(source: string, options: { parentId?: string; note?: string; name?: string } = {}): Promise<BriefVersion> {
    const name = options.name ?? 'brief.md';
    const brief = await parseInWorker(source, name, this.briefLimits());
    checkModels(brief, source, name);
    await this.refuseUnusableChecks(source, brief, name);
    const input: Parameters<Store['saveBrief']>[0] = { source, brief };
    if (options.parentId !== undefined) input.parentId = options.parentId;
    if (options.note !== undefined) input.note = options.note;
    return this.store.saveBrief(input);
  }

  private async saveRedirectBrief(input: DecideOptions, parentId: string): Promise<BriefVersion> {
    if (input.briefSource !== undefined) {
      return this.saveBriefSource(input.briefSource, { parentId, ...(input.reason !== undefined ? { note: input.reason } : {}) });
    }
    if (!input.briefPath) throw new BatonError('invalid_input', 'redirect: give the edited brief (--brief FILE)', { location: { field: 'brief' } });
    return this.saveBriefFile(input.briefPath, parentId, input.reason);
  }

  /** Starts an exploration of a brief file; returns its id. Nothing runs until `run`. */
  async start(briefPath: string, options: StartOptions = {}): Promise<string> {
    const { absolute, source, brief } = await this.readBrief(briefPath);
    return this.startBrief({ source, brief, file: absolute, path: absolute }, options);
  }

  /**
   * Starts an exploration of a brief given as Markdown text (e.g. typed into the web UI);
   * `name` is how problems are located (`brief.md:3:5: …`). Nothing runs until `run`.
   */
  async startFromSource(source: string, options: StartOptions & { name?: string } = {}): Promise<string> {
    const name = options.name ?? 'brief.md';
    return this.startBrief({ source, brief: await parseInWorker(source, name, this.briefLimits()), file: name }, options);
  }

  private async startBrief(input: { source: string; brief: Brief; file: string; path?: string }, options: StartOptions): Promise<string> {
    const { source, brief, file } = input;
    const model = options.model ?? brief.model;
    const judgeOption = options.judge === undefined ? undefined : juryText(options.judge);
    const judge = judgeOption ?? options.model ?? brief.judge;
    const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
    // Fail on an unknown model, or a missing key, now, before anything is written.
    const env = this.env();
    const custom = this.options.models ?? {};
    // Ports given by the caller have nothing to resolve or check.
    const check = (id: string, location: SourceLocation | (() => SourceLocation)): void => {
      if (!Object.hasOwn(custom, id)) checkModel(id, location, env);
    };
    // Locations are found only for a refusal: each is a parse of the brief's YAML.
    if (options.model === undefined) check(brief.model, () => ({ ...locateField(source, 'model', { file }), field: 'model' }));
    if (judgeOption === undefined && options.model === undefined) {
      for (const juror of juryOf(brief.judge)) check(juror, () => ({ ...locateField(source, 'judge', { file }), field: 'judge' }));
    }
    if (options.model !== undefined) check(options.model, { field: '--model' });
    if (judgeOption !== undefined) for (const juror of juryOf(judgeOption)) check(juror, { field: '--judge' });
    const embed = options.embed !== undefined && options.embed !== LOCAL_EMBEDDING ? options.embed : undefined;
    if (embed !== undefined) resolveEmbedding(embed, { seed: 1, env });
    // Every file and check the brief names, before the database or the exploration exists.
    await this.refuseUnusableChecks(source, brief, file, input.path);
    const version = await this.store.saveBrief({ source, brief, ...(input.path !== undefined ? { path: input.path } : {}) });
    const id = `x${randomInt(0, 36 ** 6).toString(36).padStart(6, '0')}`;
    await this.store.createExploration({
      id,
      briefId: version.id,
      seed,
      model,
      judge,
      title: titleOf(brief),
      created: { type: 'exploration.created', briefId: version.id, seed, lenses: lensesFor(brief), model, judge, ...(embed !== undefined ? { embed } : {}) },
    });
    return id;
  }

  async resolveId(idOrPrefix: string): Promise<string> {
    const store = this.existingStore();
    const id = store ? await store.resolveExplorationId(idOrPrefix) : undefined;
    if (!id) throw new BatonError('not_found', `no exploration "${idOrPrefix}" in ${store?.location ?? this.dbPath}`, { location: { field: 'exploration' } });
    return id;
  }

  /**
   * An engine over the exploration's log. `read` is for views (board, show, export): they never
   * call a model, so a provider's missing key or base URL is no reason to refuse them.
   */
  private async engine(idOrPrefix: string, onProgress?: (progress: Progress) => void, mode: 'run' | 'read' = 'run'): Promise<ExplorationEngine> {
    const id = await this.resolveId(idOrPrefix);
    const record = await this.store.getExploration(id);
    if (!record) throw new BatonError('not_found', `no exploration "${id}"`);
    const modelOptions = {
      seed: record.seed,
      env: this.env(),
      ...(this.options.latencyMs !== undefined ? { latencyMs: this.options.latencyMs } : {}),
      ...(this.options.limits ? { limits: this.options.limits } : {}),
    };
    const resolve = (id: string): ModelPort => (mode === 'read' ? readingModel(id, modelOptions) : resolveModel(id, modelOptions));
    const jury = juryOf(record.judge).map((juror) => this.customModel(juror, record.seed) ?? resolve(juror));
    const deps = {
      store: this.store,
      writer: this.customModel(record.model, record.seed) ?? resolve(record.model),
      judge: jury[0] as ModelPort,
      jury,
      embedding: this.embedding,
      ...(this.options.now ? { now: this.options.now } : {}),
    };
    const engineOptions = {
      concurrency: this.options.concurrency ?? 4,
      ...(this.boardCards() !== undefined ? { boardCards: this.boardCards() as number } : {}),
      resolveEmbedding: (embed: string) => (mode === 'read' ? this.embedding : resolveEmbedding(embed, modelOptions)),
      ...(onProgress ? { onProgress } : {}),
    };
    return ExplorationEngine.load(deps, id, engineOptions);
  }

  /** The board size: the caller's, else the user config's (read once). */
  private boardCardsSetting: { value: number | undefined } | undefined;
  private boardCards(): number | undefined {
    this.boardCardsSetting ??= { value: this.options.boardCards ?? loadUserConfig({ env: this.env(), cwd: this.options.cwd ?? process.cwd() }).config.board.cards };
    return this.boardCardsSetting.value;
  }

  /** A port the caller supplied for this model id, if any. */
  private customModel(id: string, seed: number): ModelPort | undefined {
    const models = this.options.models;
    return models && Object.hasOwn(models, id) ? models[id]?.({ seed }) : undefined;
  }

  /**
   * Runs (or resumes) an exploration until a checkpoint, the end, or an abort. It holds the
   * exploration's lease meanwhile: a second runner is refused (`exploration_busy`), and a
   * decision made elsewhere makes this run stop at its next safe point (`handedOver`). On a team
   * store (`drive: 'queue'`) it queues the exploration for the workers instead, before taking any
   * lease (the worker that takes it holds the lease), and waits for it to settle.
   */
  async run(idOrPrefix: string, options: RunOptions = {}): Promise<LeasedOutcome> {
    const id = await this.resolveId(idOrPrefix);
    const queue = await this.teamQueue();
    if (queue) {
      const { runThroughQueue } = await import('./team/queue-driver.js');
      await runThroughQueue(queue, this.store, id, options.signal);
      return this.board(id);
    }
    const lease = await this.takeLease(id, options.signal ? { signal: options.signal } : {});
    return this.holding(lease, async () => {
      const engine = await this.engine(id, options.onProgress);
      return handover(await tracedWorkflow(id, () => runUntilCheckpoint(engine, this.runUntilOptions(options, lease))), lease);
    });
  }

  /** The lease of an exploration as it stands (who explores it now), for display; undefined when nobody does. */
  async lease(idOrPrefix: string): Promise<Lease | undefined> {
    const id = await this.resolveId(idOrPrefix);
    return this.store.getLease(id);
  }

  private takeLease(id: string, options: Omit<TakeLeaseOptions, 'settings'> = {}): Promise<LeaseKeeper> {
    return LeaseKeeper.take(this.store, id, { ...options, ...(this.options.lease ? { settings: this.options.lease } : {}) });
  }

  /** Does `work` holding `lease`, and gives the lease up however it ends. */
  private async holding<T>(lease: LeaseKeeper, work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await lease.release().catch(() => undefined);
      throw error;
    }
    await lease.release();
    return result;
  }

  private runUntilOptions(options: RunOptions, lease?: LeaseKeeper): RunUntilOptions {
    const signals = [options.signal, lease?.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return {
      ...(signal ? { signal } : {}),
      ...(options.maxWaves !== undefined ? { maxWaves: options.maxWaves } : {}),
      ...(options.assume !== undefined ? { assume: options.assume } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
    };
  }

  /**
   * Reverses an assumption (a checkpoint Baton skipped on the strength of your taste): the moves
   * it directed are dropped or their candidates pruned, and the reversal goes in the ledger.
   *
   * @example
   * const { board } = await baton.board(id);
   * for (const a of board.assumed ?? []) await baton.reverse(id, { assumption: a.assumptionId, reason: 'not that one' });
   */
  async reverse(idOrPrefix: string, input: ReverseOptions): Promise<{ reversal: Reversal; outcome: RunOutcome }> {
    const runOptions = typeof input.run === 'object' ? input.run : {};
    const id = await this.resolveId(idOrPrefix);
    const lease = await this.takeLease(id, { wait: true, ...(runOptions.signal ? { signal: runOptions.signal } : {}) });
    return this.holding(lease, async () => {
      const engine = await this.engine(id, runOptions.onProgress);
      const reversal = await reverse(engine, input.reason !== undefined ? { assumption: input.assumption, reason: input.reason } : { assumption: input.assumption }, this.options.now);
      if (!input.run || engine.state.status !== 'running') return { reversal, outcome: await outcome(engine) };
      return { reversal, outcome: handover(await runUntilCheckpoint(engine, this.runUntilOptions(runOptions, lease)), lease) };
    });
  }

  /**
   * Records a decision (durably), then — unless `run: false` — runs to the next checkpoint. When
   * another process is exploring, the decision asks it to stop at its next safe point and waits
   * for the lease; a decision recorded by someone else meanwhile makes this one a conflict (it was
   * made on a board that is no longer current), so racing decisions record exactly one.
   */
  async decide(idOrPrefix: string, input: DecideOptions): Promise<{ decision: Decision; outcome: LeasedOutcome }> {
    const runOptions: RunOptions = { ...(input.signal ? { signal: input.signal } : {}), ...(typeof input.run === 'object' ? input.run : {}) };
    const id = await this.resolveId(idOrPrefix);
    let engine = await this.engine(id, runOptions.onProgress);
    const seen = { lastSeq: engine.state.lastSeq, decisions: engine.state.decisions.length };
    const lease = await this.takeLease(id, {
      wait: true,
      ...(input.onWaiting ? { onWaiting: input.onWaiting } : {}),
      ...(runOptions.signal ? { signal: runOptions.signal } : {}),
      stillWanted: async () => decidedSince(id, await this.store.readEvents(id, seen.lastSeq)),
    });
    const queue = await this.teamQueue();
    const recorded = await this.holding(lease, async () => {
      const since = await this.store.readEvents(id, seen.lastSeq);
      if (since.length > 0) {
        decidedSince(id, since);
        engine = await this.engine(id, runOptions.onProgress);
      }
      if (input.checkpointId !== undefined) answers(engine, input.checkpointId);
      const decision = await this.record(engine, input);
      // On a team store the workers act on it, also when none is alive now: it waits in the queue.
      if (queue && engine.state.status === 'running') await queue.enqueue(id);
      input.onRecorded?.(decision);
      if (queue || input.run === false || engine.state.status !== 'running') return { decision, outcome: await outcome(engine) };
      return { decision, outcome: handover(await tracedWorkflow(id, () => runUntilCheckpoint(engine, this.runUntilOptions(runOptions, lease))), lease) };
    });
    const { decision } = recorded;
    if (queue && input.run !== false && recorded.outcome.status === 'running') return { decision, outcome: await this.settledThroughQueue(queue, id, runOptions.signal) };
    return { decision, outcome: recorded.outcome };
  }

  /** Waits, the lease given up, until the workers bring a queued exploration to a checkpoint or its end. */
  private async settledThroughQueue(queue: TeamQueue, id: string, signal: AbortSignal | undefined): Promise<LeasedOutcome> {
    const { waitUntilSettled } = await import('./team/queue-driver.js');
    await waitUntilSettled(queue, this.store, id, signal);
    return this.board(id);
  }

  private async record(engine: ExplorationEngine, input: DecideOptions): Promise<Decision> {
    const decideInput: DecideInput = { action: input.action };
    if (input.candidateIds) decideInput.candidateIds = input.candidateIds;
    if (input.reason !== undefined) decideInput.reason = input.reason;
    if (input.feedback !== undefined) decideInput.feedback = input.feedback;
    if (input.actor !== undefined) decideInput.actor = input.actor;
    if (input.action === 'lens') {
      if (!input.lens?.trim()) throw new BatonError('invalid_input', 'lens: say which lens to try (a built-in id or the text of a new lens)', { location: { field: 'lens' } });
      const existing = engine.state.lenses.find((l) => l.id === input.lens);
      decideInput.lensSpec = existing ?? (resolveLenses([input.lens.trim()])[0] as Lens);
    }
    if (input.action === 'redirect') {
      const version = await this.saveRedirectBrief(input, engine.state.briefId);
      decideInput.briefId = version.id;
      decideInput.redirectLenses = lensesFor(version.brief, engine.state.lenses);
    }
    return tracedDecision(engine.state.id, () => decide(engine, decideInput, this.options.now));
  }

  /**
   * Reopens an ended exploration (accepted, exhausted, or stopped on its budget) and — unless
   * `run: false` — explores on. `budget` is added to what the brief allows; a spent budget needs
   * some. The reopening goes in the ledger.
   *
   * @example
   * await baton.reopen(id, { budget: { calls: 40 }, reason: 'one more round on the warm lens' });
   */
  async reopen(idOrPrefix: string, input: ReopenOptions = {}): Promise<{ reopening: Reopening; outcome: LeasedOutcome }> {
    const runOptions = typeof input.run === 'object' ? input.run : {};
    const id = await this.resolveId(idOrPrefix);
    // Reopening writes to the log and explores on: it holds the lease like a decision does.
    const queue = await this.teamQueue();
    const lease = await this.takeLease(id, { wait: true, ...(runOptions.signal ? { signal: runOptions.signal } : {}) });
    const reopened = await this.holding(lease, async () => {
      const engine = await this.engine(id, runOptions.onProgress);
      const reopenInput: ReopenInput = {};
      if (input.budget !== undefined) reopenInput.budget = input.budget;
      if (input.reason !== undefined) reopenInput.reason = input.reason;
      const reopening = await reopen(engine, reopenInput, this.options.now);
      if (queue && engine.state.status === 'running') await queue.enqueue(id);
      input.onRecorded?.(reopening);
      if (queue || input.run === false) return { reopening, outcome: await outcome(engine) };
      return { reopening, outcome: handover(await tracedWorkflow(id, () => runUntilCheckpoint(engine, this.runUntilOptions(runOptions, lease))), lease) };
    });
    if (queue && input.run !== false && reopened.outcome.status === 'running') return { reopening: reopened.reopening, outcome: await this.settledThroughQueue(queue, id, runOptions.signal) };
    return reopened;
  }

  /** The board: the open checkpoint's, or the current one between checkpoints. */
  async board(idOrPrefix: string): Promise<RunOutcome> {
    return outcome(await this.engine(idOrPrefix, undefined, 'read'));
  }

  async list(): Promise<ExplorationRecord[]> {
    return (await this.existingStore()?.listExplorations()) ?? [];
  }

  /**
   * Forks an exploration at one of its checkpoints (the latest by default) into a new one that
   * awaits a decision there, sharing the candidates and paid calls: no model is asked again.
   *
   * @example
   * const fork = await baton.fork('x1a2b3', { at: '2', title: 'The darker direction' });
   */
  async fork(idOrPrefix: string, options: ForkOptions = {}): Promise<ExplorationRecord> {
    return admin.forkExploration(this.store, await this.resolveId(idOrPrefix), options);
  }

  async rename(idOrPrefix: string, title: string): Promise<ExplorationRecord> {
    return admin.renameExploration(this.store, await this.resolveId(idOrPrefix), title);
  }

  /** Archives (`archived` true) or unarchives an exploration. */
  async archive(idOrPrefix: string, archived = true): Promise<ExplorationRecord> {
    return this.store.setArchived(await this.resolveId(idOrPrefix), archived);
  }

  /** Deletes an exploration and its rows (refused while a fork shares them). */
  async remove(idOrPrefix: string): Promise<void> {
    await this.store.deleteExploration(await this.resolveId(idOrPrefix));
  }

  /**
   * Lints a brief file: the coach's findings, model ids this build cannot resolve, and every
   * check `run` would refuse (a schema or module that cannot be used, a regex RE2 cannot run).
   */
  async lint(path: string): Promise<{ file: string; findings: LintFinding[] }> {
    const { absolute, source, brief } = await this.readBrief(path);
    const findings = [...lintWithModels(source, brief, path), ...(await checkFindings(source, brief, path, this.checkContext(absolute)))];
    return { file: path, findings: byLine(findings) };
  }

  /** Where a brief's named files resolve, and whether its modules may run. */
  private checkContext(briefPath: string | undefined): CheckContext {
    const briefDir = briefPath !== undefined ? dirname(briefPath) : resolve(this.options.cwd ?? process.cwd());
    return { briefDir, root: briefDir, allowModules: briefPath !== undefined || this.options.allowModules !== false };
  }

  /** Throws the located problems of `checkFindings`, if any: nothing has been written yet. */
  private async refuseUnusableChecks(source: string, brief: Brief, file: string, briefPath?: string): Promise<void> {
    const findings = await checkFindings(source, brief, file, this.checkContext(briefPath));
    const first = findings[0];
    if (!first) return;
    const details = findings.map((f) => `${formatLocation(f.location)}: ${f.location.field}: ${f.message}`);
    throw new BatonError('invalid_input', first.message, { location: first.location, details });
  }

  /**
   * Lints a brief given as Markdown text. Unlike `lint`, a brief that does not parse is not an
   * error here: each problem comes back as an `invalid-brief` finding, located, for an editor.
   * It runs in a worker thread within `briefLimits` (a `limit_exceeded` error past them).
   */
  async lintSource(source: string, name = 'brief.md'): Promise<LintFinding[]> {
    return lintInWorker(source, name, this.checkContext(undefined), this.briefLimits());
  }

  /**
   * What the judge bias check (`baton doctor --judge`) would cost with `judge`, before any call:
   * its calls and their worst-case dollars.
   */
  async estimateJudgeBias(judge: string): Promise<JudgeBiasEstimate> {
    return estimateJudgeBias(this.judgePort(judge));
  }

  /**
   * Measures `judge`'s length and position bias on the built-in set: a fixed number of calls,
   * made directly (not part of any exploration), refused up front when their worst case could pass
   * `maxUsd` (default $0.50). Says in plain words what it found, and what it spent.
   */
  async checkJudgeBias(judge: string, options: { maxUsd?: number; signal?: AbortSignal } = {}): Promise<JudgeBiasCheck> {
    return checkJudgeBias(this.judgePort(judge), options);
  }

  private judgePort(judge: string): ModelPort {
    const models = this.options.models ?? {};
    const custom = Object.hasOwn(models, judge) ? models[judge] : undefined;
    if (custom) return custom({ seed: 1 });
    checkModel(judge, { field: 'judge' }, this.env());
    return resolveModel(judge, { seed: 1, env: this.env(), retry: { maxAttempts: 1 } });
  }

  /** Parses a brief given as text, in the brief worker within `briefLimits` (located errors, or `limit_exceeded`). */
  async parseSource(source: string, name = 'brief.md'): Promise<Brief> {
    return parseInWorker(source, name, this.briefLimits());
  }

  private briefLimits(): BriefLimits {
    return { ...DEFAULT_BRIEF_LIMITS, ...this.options.briefLimits };
  }

  async show(idOrPrefix: string): Promise<ExplorationView> {
    const engine = await this.engine(idOrPrefix, undefined, 'read');
    const record = (await this.store.getExploration(engine.state.id)) as ExplorationRecord;
    const board = engine.state.openCheckpoint?.board ?? (await currentBoard(engine, null, []));
    return explorationView(engine.state, { record, brief: engine.brief, label: modelLabel(engine), board });
  }

  async candidate(idOrPrefix: string, ref: string): Promise<CandidateView> {
    const engine = await this.engine(idOrPrefix, undefined, 'read');
    return candidateView(engine.state, resolveCandidateId(engine.state, ref));
  }

  async exportDocument(idOrPrefix: string): Promise<ExportDocument> {
    const engine = await this.engine(idOrPrefix, undefined, 'read');
    const record = (await this.store.getExploration(engine.state.id)) as ExplorationRecord;
    return buildExport({
      state: engine.state,
      brief: engine.brief.brief,
      briefVersion: engine.brief.version,
      spend: await spendOf(engine),
      label: modelLabel(engine),
      title: record.title,
      history: await admin.briefHistoryOf(this.store, record),
    });
  }

  async export(idOrPrefix: string, format: 'md' | 'json'): Promise<string> {
    const doc = await this.exportDocument(idOrPrefix);
    return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : renderExportMarkdown(doc);
  }

  /**
   * Asks the model for alternative framings of a brief's question, through lenses. The framings
   * are kept (keyed by the brief's content) so that `adoptFraming` adopts exactly what was shown.
   */
  async reframe(briefPath: string, options: { count?: number; seed?: number; model?: string } = {}): Promise<ReframeResult> {
    const version = await this.saveBriefFile(briefPath);
    const brief = version.brief;
    const count = Math.max(1, options.count ?? 3);
    const seed = options.seed ?? 1;
    const port = resolveModel(options.model ?? brief.model, { seed, env: this.env(), ...(this.options.latencyMs !== undefined ? { latencyMs: this.options.latencyMs } : {}) });
    const lenses = reframeLenses(brief, count);
    const key = `reframe:${contentHash(version.source)}:${port.info.id}:${seed}:${count}`;
    const task = { kind: 'reframe' as const, brief, lenses, count };
    const text = await recordedCall({ store: this.store, key, explorationId: null, purpose: 'reframe', port, task, seed });
    const parsed = parseJsonAnswer(text, FramingsSchema);
    if (!parsed.ok) throw new BatonError('provider_failure', `${port.info.id} gave no usable framings: ${parsed.error}`);
    const framings = parsed.value.framings.slice(0, count);
    await this.store.putNote(`framings:${contentHash(version.source)}`, { briefId: version.id, framings });
    return { briefId: version.id, label: port.info.label, framings };
  }

  /**
   * Adopts framing `index` (1-based) from the last `reframe` of this brief: records a new brief
   * version with the new question and writes the brief to `outputPath` (default: in place).
   */
  async adoptFraming(briefPath: string, index: number, outputPath?: string): Promise<{ version: BriefVersion; path: string; framing: Framing }> {
    const absolute = resolve(this.options.cwd ?? process.cwd(), briefPath);
    const { source } = await readBriefFile(absolute);
    const note = await this.store.getNote(`framings:${contentHash(source)}`);
    const shown = StoredFramingsSchema.safeParse(note);
    if (!shown.success) {
      throw new BatonError('invalid_input', `${briefPath}: no framings were shown for this version of the brief; run \`baton reframe ${briefPath}\` first`, { location: { file: briefPath } });
    }
    const framing = shown.data.framings[index - 1];
    if (!framing) {
      throw new BatonError('invalid_input', `--adopt ${index}: choose a framing from 1 to ${shown.data.framings.length}`, { location: { field: 'adopt' } });
    }
    const rewritten = applyFraming(source, framing.question);
    const target = resolve(this.options.cwd ?? process.cwd(), outputPath ?? briefPath);
    // Validate before writing: an adopted framing must still be a valid brief.
    const parsed = parseBrief(rewritten, { file: target });
    await writeFileAtomic(target, rewritten);
    const version = await this.store.saveBrief({
      source: rewritten,
      brief: parsed,
      path: target,
      parentId: shown.data.briefId,
      note: `reframed through ${framing.lens}: ${framing.why}`,
    });
    return { version, path: target, framing };
  }

  async close(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    if (queue) await (await queue.catch(() => undefined))?.stop(false);
    await this.opened?.close();
    this.opened = undefined;
  }
}

/**
 * A model for reading an exploration: the real one when it resolves, else a stand-in with the
 * same id and label that refuses to be called — views need only its name, never its key.
 */
function readingModel(id: string, options: Parameters<typeof resolveModel>[1]): ModelPort {
  try {
    return resolveModel(id, options);
  } catch (error) {
    if (!isBatonError(error)) throw error;
    const info = { id, label: id, rehearsal: id === 'rehearsal' || id.startsWith('rehearsal:'), pricing: { inputPerMTok: 0, outputPerMTok: 0 }, maxOutputTokens: 0 };
    return {
      info,
      complete: () => Promise.reject(new BatonError('provider_failure', `${id} cannot be called while only reading: ${error.message}`, { cause: error })),
    };
  }
}

/** A decision (or the end) recorded by someone else since the person looked: theirs stands, this one is refused. */
function decidedSince(id: string, events: readonly StoredEvent[]): void {
  for (const { event } of events) {
    if (event.type === 'decision.made') {
      const d = event.decision;
      throw new BatonError('conflict', `exploration ${id}: another decision was recorded first (${d.id.slice(d.id.lastIndexOf('.') + 1)}: ${d.action}${d.candidateIds.length > 0 ? ` ${d.candidateIds.map((c) => c.slice(c.lastIndexOf('.') + 1)).join(' ')}` : ''}); look at the board again before deciding`);
    }
    if (event.type === 'exploration.ended') throw new BatonError('conflict', `exploration ${id} has ended (${event.status}) meanwhile; there is nothing left to decide`);
  }
}

/** Refuses a decision meant for a checkpoint that is no longer open (answered, or never raised). */
function answers(engine: ExplorationEngine, checkpointId: string): void {
  const state = engine.state;
  const wanted = checkpointId.includes('.') ? checkpointId : `${state.id}.${checkpointId}`;
  const open = state.status === 'awaiting' ? state.openCheckpoint?.id : undefined;
  if (open === wanted) return;
  const answered = state.decisions.find((d) => d.checkpointId === wanted);
  const short = (s: string): string => s.slice(s.lastIndexOf('.') + 1);
  throw new BatonError(
    'conflict',
    answered
      ? `checkpoint ${short(wanted)} was already answered (${short(answered.id)}: ${answered.action}); look at the board again before deciding`
      : `checkpoint ${short(wanted)} is not open${open ? ` (the open one is ${short(open)})` : ''}; look at the board again before deciding`,
    { location: { field: 'checkpointId' } },
  );
}

/** Says why a run stopped early when its lease was wanted by another process. */
function handover(result: RunOutcome, lease: LeaseKeeper): LeasedOutcome {
  const loss = lease.loss;
  if (!loss || result.status !== 'running') return result;
  const why =
    loss.kind === 'yield'
      ? 'another process is recording a decision; it takes the exploration on from here'
      : `the lease was taken over${loss.by ? ` by pid ${loss.by.pid} on ${loss.by.host}` : ''} (this process had stopped renewing it)`;
  return { ...result, handedOver: why };
}

/** The brief's lenses, or Baton's choice for `auto`, plus any lenses already in play. */
export function lensesFor(brief: Brief, current: readonly Lens[] = []): Lens[] {
  const chosen = brief.lenses === 'auto' ? chooseLenses(brief) : brief.lenses;
  const merged = [...current];
  for (const lens of chosen) if (!merged.some((l) => l.id === lens.id)) merged.push(lens);
  return merged;
}

/**
 * Refuses a model id the registry cannot resolve, pointing at where it was written. With `env`,
 * the provider's key and base URL are checked too (before anything is written); without, only
 * the id.
 */
function checkModel(id: string, location: SourceLocation | (() => SourceLocation), env?: Record<string, string | undefined>): void {
  try {
    if (env) resolveModel(id, { seed: 1, env });
    else checkModelId(id);
  } catch (error) {
    const where = typeof location === 'function' ? location() : location;
    if (isBatonError(error)) throw new BatonError(error.code, error.message, { cause: error, location: { ...error.location, ...where } });
    throw error;
  }
}

function checkModels(brief: Brief, source: string, file: string, env?: Record<string, string | undefined>): void {
  checkModel(brief.model, () => ({ ...locateField(source, 'model', { file }), field: 'model' }), env);
  for (const juror of juryOf(brief.judge)) checkModel(juror, () => ({ ...locateField(source, 'judge', { file }), field: 'judge' }), env);
}

/** A jury given as a list or a comma list, as the judge field stores it (`a, b`); refuses an empty one. */
function juryText(judge: string | readonly string[]): string {
  const ids = (typeof judge === 'string' ? [judge] : [...judge]).flatMap((entry) => juryOf(entry));
  if (ids.length === 0) throw new BatonError('invalid_input', '--judge: name at least one model, e.g. openai:gpt-4o-mini', { location: { field: '--judge' } });
  return [...new Set(ids)].join(', ');
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function titleOf(brief: Brief): string {
  const question = brief.question.replace(/\s+/gu, ' ').trim();
  return question.length > 80 ? `${question.slice(0, 77)}…` : question;
}
