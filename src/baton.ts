import type { LintFinding } from './brief/lint.js';
import type { Framing } from './brief/reframe.js';
import type { Brief } from './brief/schema.js';
import type { Reopening } from './explore/events.js';
import type { JudgeBiasCheck, JudgeBiasEstimate } from './explore/judge-bias-check.js';
import { checkJudgeBias, estimateJudgeBias } from './explore/judge-bias-check.js';
import type { ExportDocument } from './steer/export.js';
import type { RunOutcome } from './steer/steering.js';
import type { Decision, Reversal } from './steer/types.js';
import type { CandidateView, ExplorationView } from './steer/views.js';
import type { BriefVersion, ExplorationRecord, Lease, Store } from './store/store.js';
import type { ForkOptions } from './api/admin.js';
import * as admin from './api/admin.js';
import * as briefs from './api/briefs.js';
import { BatonCore } from './api/core.js';
import * as deciding from './api/deciding.js';
import type { BatonOptions, DecideOptions, LeasedOutcome, ReframeResult, ReopenOptions, ReverseOptions, RunOptions, StartOptions } from './api/options.js';
import * as reframing from './api/reframe.js';
import * as running from './api/running.js';
import * as starting from './api/start.js';
import * as views from './api/views.js';

export type { BatonOptions, DecideOptions, LeasedOutcome, ReframeResult, ReopenOptions, ReverseOptions, RunOptions, StartOptions } from './api/options.js';
export { lensesFor } from './api/start.js';

/**
 * The library API: everything the CLI (and later the HTTP server and MCP server) does goes
 * through this class. It owns the store and builds an engine per exploration on demand.
 *
 * A thin front door: each method delegates to a module in `src/api/` — brief files
 * (`briefs`), starting (`start`), running (`running`), deciding and reopening (`deciding`),
 * views and exports (`views`), reframing (`reframe`), managing explorations (`admin`) — over
 * the state they share (`core`).
 *
 * @example
 * const baton = Baton.open({ db: './.baton/baton.db' });
 * const id = await baton.start('examples/story.md', { seed: 7 });
 * const result = await baton.run(id);
 * if (result.status === 'awaiting') await baton.decide(id, { action: 'continue', reason: 'keep going' });
 * await baton.close();
 */
export class Baton {
  private readonly core: BatonCore;

  private constructor(options: BatonOptions) {
    this.core = new BatonCore(options);
  }

  /** Prepares Baton on a database; the file is created only when something is first written. */
  static open(options: BatonOptions = {}): Baton {
    return new Baton(options);
  }

  /** The store, opened (and created) on first use. */
  get store(): Store {
    return this.core.store;
  }

  // Brief files and brief text.

  /** Reads and validates a brief file (writing nothing). */
  async readBrief(path: string): Promise<{ absolute: string; source: string; brief: Brief }> {
    return briefs.readBrief(this.core, path);
  }

  /** Reads and validates a brief file and stores it as a brief version. */
  async saveBriefFile(path: string, parentId?: string, note?: string): Promise<BriefVersion> {
    return briefs.saveBriefFile(this.core, path, parentId, note);
  }

  /** Validates a brief given as Markdown text and stores it as a brief version. */
  async saveBriefSource(source: string, options: { parentId?: string; note?: string; name?: string } = {}): Promise<BriefVersion> {
    return briefs.saveBriefSource(this.core, source, options);
  }

  /** Parses a brief given as text, in the brief worker within `briefLimits` (located errors, or `limit_exceeded`). */
  async parseSource(source: string, name = 'brief.md'): Promise<Brief> {
    return briefs.parseSource(this.core, source, name);
  }

  /**
   * Lints a brief file: the coach's findings, model ids this build cannot resolve, and every
   * check `run` would refuse (a schema or module that cannot be used, a regex RE2 cannot run).
   */
  async lint(path: string): Promise<{ file: string; findings: LintFinding[] }> {
    return briefs.lint(this.core, path);
  }

  /**
   * Lints a brief given as Markdown text. Unlike `lint`, a brief that does not parse is not an
   * error here: each problem comes back as an `invalid-brief` finding, located, for an editor.
   * It runs in a worker thread within `briefLimits` (a `limit_exceeded` error past them).
   */
  async lintSource(source: string, name = 'brief.md'): Promise<LintFinding[]> {
    return briefs.lintSource(this.core, source, name);
  }

  // Starting, running, deciding.

  /** Starts an exploration of a brief file; returns its id. Nothing runs until `run`. */
  async start(briefPath: string, options: StartOptions = {}): Promise<string> {
    return starting.start(this.core, briefPath, options);
  }

  /**
   * Starts an exploration of a brief given as Markdown text (e.g. typed into the web UI);
   * `name` is how problems are located (`brief.md:3:5: …`). Nothing runs until `run`.
   */
  async startFromSource(source: string, options: StartOptions & { name?: string } = {}): Promise<string> {
    return starting.startFromSource(this.core, source, options);
  }

  async resolveId(idOrPrefix: string): Promise<string> {
    return this.core.resolveId(idOrPrefix);
  }

  /**
   * Runs (or resumes) an exploration until a checkpoint, the end, or an abort. It holds the
   * exploration's lease meanwhile: a second runner is refused (`exploration_busy`), and a
   * decision made elsewhere makes this run stop at its next safe point (`handedOver`). On a team
   * store (`drive: 'queue'`) it queues the exploration for the workers instead, before taking any
   * lease (the worker that takes it holds the lease), and waits for it to settle.
   */
  async run(idOrPrefix: string, options: RunOptions = {}): Promise<LeasedOutcome> {
    return running.run(this.core, idOrPrefix, options);
  }

  /** The lease of an exploration as it stands (who explores it now), for display; undefined when nobody does. */
  async lease(idOrPrefix: string): Promise<Lease | undefined> {
    return running.currentLease(this.core, idOrPrefix);
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
    return running.reverse(this.core, idOrPrefix, input);
  }

  /**
   * Records a decision (durably), then — unless `run: false` — runs to the next checkpoint. When
   * another process is exploring, the decision asks it to stop at its next safe point and waits
   * for the lease; a decision recorded by someone else meanwhile makes this one a conflict (it was
   * made on a board that is no longer current), so racing decisions record exactly one.
   */
  async decide(idOrPrefix: string, input: DecideOptions): Promise<{ decision: Decision; outcome: LeasedOutcome }> {
    return deciding.decide(this.core, idOrPrefix, input);
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
    return deciding.reopen(this.core, idOrPrefix, input);
  }

  // Views and exports.

  /** The board: the open checkpoint's, or the current one between checkpoints. */
  async board(idOrPrefix: string): Promise<RunOutcome> {
    return views.board(this.core, idOrPrefix);
  }

  async show(idOrPrefix: string): Promise<ExplorationView> {
    return views.show(this.core, idOrPrefix);
  }

  async candidate(idOrPrefix: string, ref: string): Promise<CandidateView> {
    return views.candidate(this.core, idOrPrefix, ref);
  }

  async exportDocument(idOrPrefix: string): Promise<ExportDocument> {
    return views.exportDocument(this.core, idOrPrefix);
  }

  async export(idOrPrefix: string, format: 'md' | 'json'): Promise<string> {
    return views.exportText(this.core, idOrPrefix, format);
  }

  // Managing explorations.

  async list(): Promise<ExplorationRecord[]> {
    return (await this.core.existingStore()?.listExplorations()) ?? [];
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

  // The judge, and the brief's question.

  /**
   * What the judge bias check (`baton doctor --judge`) would cost with `judge`, before any call:
   * its calls and their worst-case dollars.
   */
  async estimateJudgeBias(judge: string): Promise<JudgeBiasEstimate> {
    return estimateJudgeBias(this.core.judgePort(judge));
  }

  /**
   * Measures `judge`'s length and position bias on the built-in set: a fixed number of calls,
   * made directly (not part of any exploration), refused up front when their worst case could pass
   * `maxUsd` (default $0.50). Says in plain words what it found, and what it spent.
   */
  async checkJudgeBias(judge: string, options: { maxUsd?: number; signal?: AbortSignal } = {}): Promise<JudgeBiasCheck> {
    return checkJudgeBias(this.core.judgePort(judge), options);
  }

  /**
   * Asks the model for alternative framings of a brief's question, through lenses. The framings
   * are kept (keyed by the brief's content) so that `adoptFraming` adopts exactly what was shown.
   */
  async reframe(briefPath: string, options: { count?: number; seed?: number; model?: string } = {}): Promise<ReframeResult> {
    return reframing.reframe(this.core, briefPath, options);
  }

  /**
   * Adopts framing `index` (1-based) from the last `reframe` of this brief: records a new brief
   * version with the new question and writes the brief to `outputPath` (default: in place).
   */
  async adoptFraming(briefPath: string, index: number, outputPath?: string): Promise<{ version: BriefVersion; path: string; framing: Framing }> {
    return reframing.adoptFraming(this.core, briefPath, index, outputPath);
  }

  async close(): Promise<void> {
    await this.core.close();
  }
}
