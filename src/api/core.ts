import { existsSync } from 'node:fs';
import type { BriefLimits } from '../brief/brief-worker.js';
import { DEFAULT_BRIEF_LIMITS } from '../brief/brief-worker.js';
import { juryOf } from '../brief/schema.js';
import { loadUserConfig } from '../config/user-config.js';
import { BatonError } from '../errors.js';
import type { Progress } from '../explore/engine.js';
import { ExplorationEngine } from '../explore/engine.js';
import { createLocalEmbedding } from '../models/local-embedding.js';
import type { EmbeddingPort, ModelPort } from '../models/port.js';
import { resolveEmbedding, resolveModel } from '../models/registry.js';
import { isServerLocation, openStore, resolveStoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { TeamQueue } from '../team/queue.js';
import { checkModel, readingModel } from './models.js';
import type { BatonOptions } from './options.js';

/**
 * What every part of the `Baton` facade shares: its options, the store (opened on first use),
 * the team queue when workers drive explorations, and an engine per exploration on demand. The
 * facade's modules (`briefs`, `start`, `running`, `deciding`, `views`, `reframe`) take it as
 * their first argument; it is not part of the public API.
 */
export class BatonCore {
  private opened: Store | undefined;
  private queue: Promise<TeamQueue> | undefined;
  readonly dbPath: string;
  readonly options: BatonOptions;
  readonly embedding: EmbeddingPort;

  constructor(options: BatonOptions) {
    this.opened = options.store;
    this.dbPath = resolveStoreLocation(options.db, options.cwd ?? process.cwd(), options.env ?? process.env);
    this.options = options;
    this.embedding = options.embedding ?? createLocalEmbedding();
  }

  /** The store, opened (and created) on first use. */
  get store(): Store {
    this.opened ??= openStore(this.dbPath);
    return this.opened;
  }

  /** The team queue when explorations are driven by workers, else undefined (in process). */
  async teamQueue(): Promise<TeamQueue | undefined> {
    const drive = this.options.drive ?? (this.options.store === undefined && isServerLocation(this.dbPath) ? 'queue' : 'in-process');
    if (drive === 'in-process') return undefined;
    this.queue ??= import('../team/queue.js').then(({ openTeamQueue }) => openTeamQueue(this.store));
    return this.queue;
  }

  /** The store if it exists already; reading never creates a database. */
  existingStore(): Store | undefined {
    if (this.opened) return this.opened;
    if (this.dbPath !== ':memory:' && !isServerLocation(this.dbPath) && !existsSync(this.dbPath)) return undefined;
    return this.store;
  }

  /** Where provider keys and base URLs come from: the given environment, or the process's. */
  env(): Record<string, string | undefined> {
    return this.options.env ?? process.env;
  }

  /** The folder relative paths (brief files) resolve against. */
  cwd(): string {
    return this.options.cwd ?? process.cwd();
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
  async engine(idOrPrefix: string, onProgress?: (progress: Progress) => void, mode: 'run' | 'read' = 'run'): Promise<ExplorationEngine> {
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
    this.boardCardsSetting ??= { value: this.options.boardCards ?? loadUserConfig({ env: this.env(), cwd: this.cwd() }).config.board.cards };
    return this.boardCardsSetting.value;
  }

  /** A port the caller supplied for this model id, if any. */
  customModel(id: string, seed: number): ModelPort | undefined {
    const models = this.options.models;
    return models && Object.hasOwn(models, id) ? models[id]?.({ seed }) : undefined;
  }

  /** The judge the bias check measures: the caller's port, else the registry's, tried once per call. */
  judgePort(judge: string): ModelPort {
    const custom = this.customModel(judge, 1);
    if (custom) return custom;
    checkModel(judge, { field: 'judge' }, this.env());
    return resolveModel(judge, { seed: 1, env: this.env(), retry: { maxAttempts: 1 } });
  }

  /** Limits on reading a brief given as text, in the brief worker. */
  briefLimits(): BriefLimits {
    return { ...DEFAULT_BRIEF_LIMITS, ...this.options.briefLimits };
  }

  async close(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    if (queue) await (await queue.catch(() => undefined))?.stop(false);
    await this.opened?.close();
    this.opened = undefined;
  }
}
