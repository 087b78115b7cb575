import { createHash, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { chooseLenses, resolveLenses } from './brief/lenses.js';
import type { LintFinding } from './brief/lint.js';
import { lintBrief } from './brief/lint.js';
import { locateField, parseBrief, readBriefFile, safeParseBrief } from './brief/parse.js';
import type { Framing } from './brief/reframe.js';
import { applyFraming, FramingsSchema, reframeLenses } from './brief/reframe.js';
import type { Brief, Lens } from './brief/schema.js';
import type { SourceLocation } from './errors.js';
import { BatonError, isBatonError } from './errors.js';
import { writeFileAtomic } from './util/files.js';
import type { Progress } from './explore/engine.js';
import { ExplorationEngine } from './explore/engine.js';
import { recordedCall } from './explore/calls.js';
import { parseJsonAnswer } from './explore/judge.js';
import { createLocalEmbedding } from './models/local-embedding.js';
import type { EmbeddingPort, ModelPort } from './models/port.js';
import { checkModelId, LOCAL_EMBEDDING, resolveEmbedding, resolveModel } from './models/registry.js';
import type { DecideInput } from './steer/decisions.js';
import { decide, resolveCandidateId } from './steer/decisions.js';
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
import type { BriefVersion, ExplorationRecord, Store } from './store/store.js';

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
}

export interface StartOptions {
  seed?: number;
  model?: string;
  judge?: string;
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
  /** For `redirect`: path of the edited brief. */
  briefPath?: string;
  /** For `redirect`: the edited brief's Markdown (instead of `briefPath`), e.g. from the web UI. */
  briefSource?: string;
  /** Continue running to the next checkpoint after recording the decision. */
  run?: boolean | RunOptions;
  /** Called once the decision is durable, before exploring on. */
  onRecorded?: (decision: Decision) => void;
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
    const input: Parameters<Store['saveBrief']>[0] = { source, brief, path: absolute };
    if (parentId !== undefined) input.parentId = parentId;
    if (note !== undefined) input.note = note;
    return this.store.saveBrief(input);
  }

  /** Validates a brief given as Markdown text and stores it as a brief version. */
  async saveBriefSource(source: string, options: { parentId?: string; note?: string; name?: string } = {}): Promise<BriefVersion> {
    const name = options.name ?? 'brief.md';
    const brief = parseBrief(source, { file: name });
    checkModels(brief, source, name);
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
    return this.startBrief({ source, brief: parseBrief(source, { file: name }), file: name }, options);
  }

  private async startBrief(input: { source: string; brief: Brief; file: string; path?: string }, options: StartOptions): Promise<string> {
    const { source, brief, file } = input;
    const model = options.model ?? brief.model;
    const judge = options.judge ?? options.model ?? brief.judge;
    const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
    // Fail on an unknown model, or a missing key, now, before anything is written.
    const env = this.env();
    const custom = this.options.models ?? {};
    // Ports given by the caller have nothing to resolve or check.
    const check = (id: string, location: SourceLocation): void => {
      if (!Object.hasOwn(custom, id)) checkModel(id, location, env);
    };
    if (options.model === undefined) check(brief.model, { ...locateField(source, 'model', { file }), field: 'model' });
    if (options.judge === undefined && options.model === undefined) {
      check(brief.judge, { ...locateField(source, 'judge', { file }), field: 'judge' });
    }
    if (options.model !== undefined) check(options.model, { field: '--model' });
    if (options.judge !== undefined) check(options.judge, { field: '--judge' });
    const embed = options.embed !== undefined && options.embed !== LOCAL_EMBEDDING ? options.embed : undefined;
    if (embed !== undefined) resolveEmbedding(embed, { seed: 1, env });
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

  private async engine(idOrPrefix: string, onProgress?: (progress: Progress) => void): Promise<ExplorationEngine> {
    const id = await this.resolveId(idOrPrefix);
    const record = await this.store.getExploration(id);
    if (!record) throw new BatonError('not_found', `no exploration "${id}"`);
    const modelOptions = {
      seed: record.seed,
      env: this.env(),
      ...(this.options.latencyMs !== undefined ? { latencyMs: this.options.latencyMs } : {}),
    };
    const deps = {
      store: this.store,
      writer: this.customModel(record.model, record.seed) ?? resolveModel(record.model, modelOptions),
      judge: this.customModel(record.judge, record.seed) ?? resolveModel(record.judge, modelOptions),
      embedding: this.embedding,
      ...(this.options.now ? { now: this.options.now } : {}),
    };
    const engineOptions = {
      concurrency: this.options.concurrency ?? 4,
      resolveEmbedding: (embed: string) => resolveEmbedding(embed, modelOptions),
      ...(onProgress ? { onProgress } : {}),
    };
    return ExplorationEngine.load(deps, id, engineOptions);
  }

  /** A port the caller supplied for this model id, if any. */
  private customModel(id: string, seed: number): ModelPort | undefined {
    const models = this.options.models;
    return models && Object.hasOwn(models, id) ? models[id]?.({ seed }) : undefined;
  }

  /** Runs (or resumes) an exploration until a checkpoint, the end, or an abort. */
  async run(idOrPrefix: string, options: RunOptions = {}): Promise<RunOutcome> {
    const queue = await this.teamQueue();
    if (queue) {
      const id = await this.resolveId(idOrPrefix);
      const { runThroughQueue } = await import('./team/queue-driver.js');
      await runThroughQueue(queue, this.store, id, options.signal);
      return this.board(id);
    }
    const engine = await this.engine(idOrPrefix, options.onProgress);
    return runUntilCheckpoint(engine, this.runUntilOptions(options));
  }

  private runUntilOptions(options: RunOptions): RunUntilOptions {
    return {
      ...(options.signal ? { signal: options.signal } : {}),
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
    const engine = await this.engine(idOrPrefix, runOptions.onProgress);
    const reversal = await reverse(engine, input.reason !== undefined ? { assumption: input.assumption, reason: input.reason } : { assumption: input.assumption }, this.options.now);
    if (!input.run || engine.state.status !== 'running') return { reversal, outcome: await outcome(engine) };
    return { reversal, outcome: await runUntilCheckpoint(engine, this.runUntilOptions(runOptions)) };
  }

  /** Records a decision (durably), then — unless `run: false` — runs to the next checkpoint. */
  async decide(idOrPrefix: string, input: DecideOptions): Promise<{ decision: Decision; outcome: RunOutcome }> {
    const runOptions = typeof input.run === 'object' ? input.run : {};
    const engine = await this.engine(idOrPrefix, runOptions.onProgress);
    const decideInput: DecideInput = { action: input.action };
    if (input.candidateIds) decideInput.candidateIds = input.candidateIds;
    if (input.reason !== undefined) decideInput.reason = input.reason;
    if (input.feedback !== undefined) decideInput.feedback = input.feedback;
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
    const decision = await decide(engine, decideInput, this.options.now);
    const queue = await this.teamQueue();
    // On a team store the workers act on it, also when none is alive now: it waits in the queue.
    if (queue && engine.state.status === 'running') await queue.enqueue(engine.state.id);
    input.onRecorded?.(decision);
    if (queue && input.run !== false && engine.state.status === 'running') {
      const { waitUntilSettled } = await import('./team/queue-driver.js');
      await waitUntilSettled(queue, this.store, engine.state.id, runOptions.signal);
      return { decision, outcome: await this.board(engine.state.id) };
    }
    if (input.run === false || engine.state.status !== 'running') return { decision, outcome: await outcome(engine) };
    const result = await runUntilCheckpoint(engine, this.runUntilOptions(runOptions));
    return { decision, outcome: result };
  }

  /** The board: the open checkpoint's, or the current one between checkpoints. */
  async board(idOrPrefix: string): Promise<RunOutcome> {
    return outcome(await this.engine(idOrPrefix));
  }

  async list(): Promise<ExplorationRecord[]> {
    return (await this.existingStore()?.listExplorations()) ?? [];
  }

  /** Lints a brief file: the coach's findings, plus model ids this build cannot resolve. */
  async lint(path: string): Promise<{ file: string; findings: LintFinding[] }> {
    const { source, brief } = await this.readBrief(path);
    return { file: path, findings: lintWithModels(source, brief, path) };
  }

  /**
   * Lints a brief given as Markdown text. Unlike `lint`, a brief that does not parse is not an
   * error here: each problem comes back as an `invalid-brief` finding, located, for an editor.
   */
  lintSource(source: string, name = 'brief.md'): LintFinding[] {
    const parsed = safeParseBrief(source, { file: name });
    if (parsed.ok) return lintWithModels(source, parsed.brief, name);
    return parsed.errors.map((problem) => ({
      code: 'invalid-brief',
      severity: 'error' as const,
      message: problem.message,
      location: problem.location,
      suggestion: 'fix this field so that the brief can be read',
    }));
  }

  async show(idOrPrefix: string): Promise<ExplorationView> {
    const engine = await this.engine(idOrPrefix);
    const record = (await this.store.getExploration(engine.state.id)) as ExplorationRecord;
    const board = engine.state.openCheckpoint?.board ?? (await currentBoard(engine, null, []));
    return explorationView(engine.state, { record, brief: engine.brief, label: modelLabel(engine), board });
  }

  async candidate(idOrPrefix: string, ref: string): Promise<CandidateView> {
    const engine = await this.engine(idOrPrefix);
    return candidateView(engine.state, resolveCandidateId(engine.state, ref));
  }

  async exportDocument(idOrPrefix: string): Promise<ExportDocument> {
    const engine = await this.engine(idOrPrefix);
    const record = (await this.store.getExploration(engine.state.id)) as ExplorationRecord;
    return buildExport({
      state: engine.state,
      brief: engine.brief.brief,
      briefVersion: engine.brief.version,
      spend: await spendOf(engine),
      label: modelLabel(engine),
      title: record.title,
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

/** The brief's lenses, or Baton's choice for `auto`, plus any lenses already in play. */
export function lensesFor(brief: Brief, current: readonly Lens[] = []): Lens[] {
  const chosen = brief.lenses === 'auto' ? chooseLenses(brief) : brief.lenses;
  const merged = [...current];
  for (const lens of chosen) if (!merged.some((l) => l.id === lens.id)) merged.push(lens);
  return merged;
}

/** The coach's findings, plus model ids this build cannot resolve, sorted by line. */
function lintWithModels(source: string, brief: Brief, file: string): LintFinding[] {
  const findings = lintBrief(source, brief, { file });
  for (const field of ['model', 'judge'] as const) {
    try {
      checkModel(brief[field], {});
    } catch (error) {
      if (!isBatonError(error)) throw error;
      findings.push({
        code: 'unknown-model',
        severity: 'error',
        message: error.message,
        location: { line: 1, column: 1, ...locateField(source, field, { file }), field },
        suggestion: `model: rehearsal   # explore offline first; providers are named provider:model`,
      });
    }
  }
  return findings.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
}

/**
 * Refuses a model id the registry cannot resolve, pointing at where it was written. With `env`,
 * the provider's key and base URL are checked too (before anything is written); without, only
 * the id.
 */
function checkModel(id: string, location: SourceLocation, env?: Record<string, string | undefined>): void {
  try {
    if (env) resolveModel(id, { seed: 1, env });
    else checkModelId(id);
  } catch (error) {
    if (isBatonError(error)) throw new BatonError(error.code, error.message, { cause: error, location: { ...error.location, ...location } });
    throw error;
  }
}

function checkModels(brief: Brief, source: string, file: string, env?: Record<string, string | undefined>): void {
  for (const field of ['model', 'judge'] as const) checkModel(brief[field], { ...locateField(source, field, { file }), field }, env);
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function titleOf(brief: Brief): string {
  const question = brief.question.replace(/\s+/gu, ' ').trim();
  return question.length > 80 ? `${question.slice(0, 77)}…` : question;
}
