import type { Brief } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import { BudgetGuard } from '../models/budget.js';
import { quantizeEmbedding } from '../store/embedding-codec.js';
import { cosineSimilarity } from '../models/local-embedding.js';
import type { EmbeddingPort, ModelPort, ModelTask } from '../models/port.js';
import type { AnswerCheck, BriefVersion, CallPurpose, Store } from '../store/store.js';
import { BudgetStop, keyedCall, recordedEmbedding } from './calls.js';
import { callSeed } from './call-seed.js';
import { foldedWorkShare, plannedCallsLeft, shortAfter, withExtra } from './engine-budget.js';
import type { ExplorationEvent, StoredEvent } from './events.js';
import { pathEnd } from './exhaustion.js';
import type { Assessed, MoveOutcome, PartialJudgment, Written } from './fold.js';
import { copyJudgment, foldOutcome, outcomeFor, round4 } from './fold.js';
import { judgeKey } from './jury.js';
import { mapLimit } from './map-limit.js';
import { NoveltyIndex } from './novelty.js';
import { pilotMoves } from './pilot.js';
import type { PolicyOptions } from './policy.js';
import { DEFAULT_POLICY, hasMoveLeft, planMoves } from './policy.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { applyEvent, pathTo } from './state.js';
import { reopenState, snapshotDue, writeSnapshot } from './reopen.js';
import { spareLenses } from './spare-lenses.js';
import type { Judgment, PlannedMove } from './types.js';
import { tracedJudging, tracedMove } from './tracing.js';
import { judgeCandidate } from './verdict.js';
import { writerTask } from './writer-task.js';

export { callSeed } from './call-seed.js';
export { mapLimit } from './map-limit.js';

/**
 * The exploration engine. Moves flow without a wave barrier: the policy plans moves for the free
 * slots, each recorded (`move.planned`) before any call is made, and a move starts at once (write,
 * then judge; each call's result committed the moment it completes). Results are folded into the
 * state one at a time in plan order, and the triggers are looked at after each fold — so an
 * exploration is the same for a seed whatever the timing, and a crash at any moment resumes the
 * same moves, reusing every completed call.
 */

export interface EngineDeps {
  store: Store;
  writer: ModelPort;
  judge: ModelPort;
  /** Several judges (a jury); `[judge]` when absent. The first is `judge`. */
  jury?: readonly ModelPort[];
  embedding: EmbeddingPort;
  now?: () => Date;
}

export interface EngineOptions {
  /** Moves run at once. */
  concurrency?: number;
  /** The embedding an exploration names (`provider:model`), resolved when it is loaded; `deps.embedding` otherwise. */
  resolveEmbedding?: (id: string) => EmbeddingPort;
  onProgress?: (progress: Progress) => void;
  /** Most cards on a board (every direction still gets a row). */
  boardCards?: number;
}

/** A candidate's preference score (higher: more to the person's taste); see `PolicyOptions`. */
export type Preference = (candidateId: string) => number | undefined;

export type Progress =
  | { type: 'wave'; moves: number }
  | { type: 'candidate'; candidateId: string; lensId: string; kind: string; quality: number; total: number }
  | { type: 'exhausted'; candidateId: string; reason: string };

export interface WaveResult {
  /** Moves completed in this wave. */
  moved: number;
  /** The policy found nothing worth doing (or nothing the budget allows). */
  nothingLeft: boolean;
  /** The budget forbids any further move. */
  budgetSpent: boolean;
}

export class ExplorationEngine {
  readonly state: ExplorationState;
  brief!: BriefVersion;
  readonly deps: EngineDeps;
  private budget!: BudgetGuard;
  private readonly novelty = new NoveltyIndex();
  private readonly concurrency: number;
  /** Most cards on a board. */
  readonly boardCards: number | undefined;
  private readonly onProgress: (progress: Progress) => void;
  /** Set when a call was refused for budget; cleared when the brief (and its budget) changes. */
  private budgetBlocked = false;
  /** Whether the exhaustion marks of the loaded state have been checked (see `restoreMarks`). */
  private marksRestored = false;
  /** The person's learned taste, supplied by steering; it biases which paths are deepened. */
  private preference: Preference | undefined;
  /** The event the latest snapshot covers up to (0: none). */
  private snapshotSeq = 0;
  /** Moves in flight, in plan order (the order they are folded in), by move id. */
  private readonly window = new Map<string, InFlight>();
  /** What calls cut off by crashes may have cost (see `reloadBrief`). */
  private lost = { calls: 0, tokens: 0, usd: 0 };
  /** Calls made by moves pending but not in flight (left by a checkpoint, a crash or the budget). */
  private readonly pendingCalls = new Map<string, number>();

  private constructor(deps: EngineDeps, state: ExplorationState, options: EngineOptions) {
    this.deps = deps;
    this.state = state;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.boardCards = options.boardCards;
    this.onProgress = options.onProgress ?? (() => undefined);
  }

  /** Loads an exploration: from its latest snapshot and the events after it, or from its whole log. */
  static async load(deps: EngineDeps, explorationId: string, options: EngineOptions = {}): Promise<ExplorationEngine> {
    const { state, codes, snapshotSeq } = await reopenState(deps.store, explorationId);
    const embedding = state.embed !== null && options.resolveEmbedding ? options.resolveEmbedding(state.embed) : deps.embedding;
    const engine = new ExplorationEngine({ ...deps, embedding }, state, options);
    engine.snapshotSeq = snapshotSeq;
    const points: CandidateNode[] = [];
    for (const id of engine.state.order) {
      const node = engine.state.nodes.get(id) as CandidateNode;
      // A copy adds no new point to the space (its novelty is 0), live and replayed alike.
      if (node.duplicateOf === undefined) points.push(node);
    }
    const first = points[0];
    if (first) engine.novelty.reserve(points.length, first.candidate.embedding.length);
    if (codes) engine.novelty.preloadCodes(codes);
    for (const node of points) engine.novelty.add(node.candidate.id, node.candidate.embedding);
    await engine.reloadBrief();
    for (const move of state.pendingMoves.values()) engine.pendingCalls.set(move.id, await callsOfMove(deps.store, move.id, candidateIdOf(move.id), state.briefId, deps.jury?.length ?? 1));
    return engine;
  }

  /** Candidates made since the last checkpoint (since the start when there was none). */
  get movesSinceLastCheckpoint(): number {
    return this.state.order.length - this.state.candidatesAtLastCheckpoint;
  }

  /** Re-reads the brief in force (after a redirect) and the spend so far. */
  async reloadBrief(): Promise<void> {
    const brief = await this.deps.store.getBrief(this.state.briefId);
    if (!brief) throw new BatonError('not_found', `brief version ${this.state.briefId} is missing from the store`);
    this.brief = brief;
    const spent = await this.deps.store.spend(this.state.id);
    // Calls cut off by a crash may have been billed: the budget counts them as spent (but the
    // policy plans on the work's own share, so a resumed exploration makes the same moves).
    const lost = { calls: spent.possiblyBilled, tokens: 0, usd: spent.possiblyBilledUsd };
    this.lost = lost;
    this.budget = new BudgetGuard(
      this.budgetLimits(brief.brief.budget),
      { calls: spent.calls + lost.calls, tokens: spent.tokens, usd: spent.usd + lost.usd },
      lost,
    );
    this.budgetBlocked = false;
  }

  /** The brief's budget plus what reopenings added. */
  private budgetLimits(budget: Brief['budget']): Brief['budget'] {
    return withExtra(budget, this.state.extraBudget);
  }

  /**
   * Which budget would still be spent with `added` on top (e.g. "80 of 80 calls"), or null when a
   * move would be affordable again.
   */
  budgetShortAfter(added: { calls?: number; tokens?: number; usd?: number }): string | null {
    return shortAfter(this.budgetLimits(this.brief.brief.budget), this.budget.totals(), added);
  }

  /** True when the budget forbids any further move. */
  budgetSpent(): boolean {
    return this.budgetBlocked || this.budget.callsLeft() < 2 || this.budget.share() >= 1;
  }

  /**
   * The share of the budget the folded work has spent, for the triggers: the calls of moves still
   * in flight are left out, so a trigger fires on what is folded, whatever the timing.
   */
  budgetShare(): number {
    return foldedWorkShare(this.budget, this.budgetLimits(this.brief.brief.budget), this.unfolded().begun, this.lost);
  }

  /** The budget guard: calls are reserved against it (pairwise ranking's too). */
  budgetGuard(): BudgetGuard {
    return this.budget;
  }

  /**
   * Calls left for steering to reckon with: the moves not folded yet count at their full cost,
   * made or not, so steering reads the same whatever the timing (and after a crash).
   */
  callsLeftToPlan(): number {
    return this.plannedCallsLeft();
  }

  /** Biases the next waves towards the person's taste (`undefined`: no bias). */
  setPreference(preference: Preference | undefined): void {
    this.preference = preference;
  }

  /** Appends events to the store and folds them into the state. */
  async commit(events: ExplorationEvent[], calls?: Parameters<Store['commit']>[1]['calls'], releasedCalls: string[] = []): Promise<StoredEvent[]> {
    // Coming to rest, the moves in flight (and any left pending) first finish their calls, so the
    // checkpoint or the ending is recorded after every call it leaves pending has its result.
    if (events.some((e) => e.type === 'checkpoint.raised' || e.type === 'exploration.ended')) await this.settle();
    const write: Parameters<Store['commit']>[1] = { events };
    if (calls) write.calls = calls;
    if (releasedCalls.length > 0) write.releasedCalls = releasedCalls;
    const stored = await this.deps.store.commit(this.state.id, write);
    let atRest = false;
    for (const { seq, event } of stored) {
      applyEvent(this.state, event, seq);
      if (event.type === 'brief.redirected' || event.type === 'exploration.reopened') await this.reloadBrief();
      if (event.type === 'checkpoint.raised' || event.type === 'exploration.ended') atRest = true;
    }
    // A snapshot is a cache written after the events it covers: a crash before it only means
    // reopening replays more of the log.
    if (snapshotDue(this.state, this.snapshotSeq, atRest)) await this.writeSnapshot();
    return stored;
  }

  /** Keeps a snapshot of the state now (and the novelty codes), so the next reopening starts from here. */
  async writeSnapshot(): Promise<void> {
    if (this.state.lastSeq > this.snapshotSeq) this.snapshotSeq = await writeSnapshot(this.deps.store, this.state, this.novelty.exportCodes());
  }

  /**
   * One step of the exploration: judges what a redirect left unjudged, starts the moves that fill
   * the free slots (after any a crash or a checkpoint left pending), and folds the oldest move in
   * flight once it returns. There is no wave barrier: a slot frees as soon as the move holding it
   * is folded, and the next move starts then. Moves are folded in plan order, one per step, so
   * the triggers are looked at after every candidate, and an exploration is the same for a seed
   * whatever the timing — a crash at any point resumes the same moves, reusing every completed call.
   */
  async runWave(): Promise<WaveResult> {
    await this.restoreMarks();
    if (this.window.size === 0 && this.state.indexes.judgedCount < this.state.order.length) {
      if (this.budgetSpent()) return { moved: 0, nothingLeft: true, budgetSpent: true };
      const unjudged = this.state.order.filter((id) => this.state.nodes.get(id)?.judgment === undefined);
      const done = unjudged.length > 0 ? await this.rejudge(unjudged) : 0;
      if (done > 0) return { moved: done, nothingLeft: false, budgetSpent: false };
    }
    let planned: PlannedMove[] = [];
    if (!this.budgetSpent()) {
      // Moves planned before a crash or a checkpoint go first, in plan order; their completed calls are reused.
      for (const move of this.state.pendingMoves.values()) if (!this.window.has(move.id)) this.start(move);
      planned = this.planTopUp();
    }
    // The moves just planned are recorded with the fold when the oldest move has already returned
    // (one transaction, and they start as soon as it commits); otherwise now, so they start at once.
    if (planned.length > 0 && !this.window.values().next().value?.settled) {
      await this.launch(planned);
      planned = [];
    }
    if (this.window.size === 0) return { moved: 0, nothingLeft: true, budgetSpent: this.budgetSpent() };
    const moved = await this.foldNext(planned);
    // Nothing folded: every move in flight was refused by the budget (they stay pending), so
    // nothing is left that the budget allows — the same answer as when no move could start.
    return { moved, nothingLeft: moved === 0, budgetSpent: moved === 0 && this.budgetSpent() };
  }

  /** Plans moves for the free slots (the pilot's openings first); `launch` records and starts them. */
  private planTopUp(): PlannedMove[] {
    const free = this.concurrency - this.window.size;
    if (free <= 0) return [];
    const callsPerMove = this.callsPerMove();
    const pilot = pilotMoves(this.state, this.brief.brief.pilot, { slots: free, callsLeft: this.plannedCallsLeft(), callsPerMove });
    const proposals = pilot ?? planMoves(this.state, { ...this.policyOptions(), slots: free });
    return proposals.map((p, i) => {
      const n = this.state.moveCount + i + 1;
      const move: PlannedMove = { id: `${this.state.id}.m${n}`, kind: p.kind, parentIds: p.parentIds, lens: p.lens, origin: p.origin, seen: this.state.order.length };
      if (p.feedback !== undefined) move.feedback = p.feedback;
      if (p.directive !== undefined) move.directive = p.directive;
      if (p.focus !== undefined) move.focus = p.focus;
      return move;
    });
  }

  /** Records planned moves (before any of their calls is made) and starts them. */
  private async launch(moves: readonly PlannedMove[]): Promise<void> {
    await this.commit(planEvents(moves));
    this.started(moves);
  }

  /** Starts moves whose plan is recorded. */
  private started(moves: readonly PlannedMove[]): void {
    if (moves.length === 0) return;
    this.onProgress({ type: 'wave', moves: moves.length });
    for (const move of moves) this.start(move);
  }

  /** Starts a move: its write now, its embedding and judgment once the moves planned before it have written. */
  private start(move: PlannedMove): void {
    const earlier = [...this.window.values()];
    this.pendingCalls.delete(move.id);
    const entry = { move, candidateId: candidateIdOf(move.id), begun: 0, settled: false } as InFlight;
    // In the window before its first call, so that call is counted against it.
    this.window.set(move.id, entry);
    entry.written = tracedMove(move, this.deps.writer.info, () => this.writeMove(move));
    entry.outcome = this.outcomeOf(entry.written, earlier);
    // Failures are read when the move is folded, not left unhandled meanwhile.
    entry.written.catch(() => undefined);
    entry.outcome.then(
      () => (entry.settled = true),
      () => (entry.settled = true),
    );
  }

  /**
   * A written move's candidate and judgment. A text equal to an earlier candidate's, or to a move's
   * planned before this one, is a duplicate: it takes the first copy's embedding and judgment and
   * no model is asked again. The comparison waits for the earlier moves' writes, so it depends only
   * on the texts and the plan order — the same on a resume.
   */
  private async outcomeOf(written: Promise<Written>, earlier: readonly InFlight[]): Promise<MoveOutcome> {
    const w = await written;
    const texts = await Promise.allSettled(earlier.map((e) => e.written));
    const existingId = this.state.textIds.get(w.text);
    const existing = existingId === undefined ? undefined : this.state.nodes.get(existingId);
    if (existing?.judgment !== undefined) {
      return outcomeFor(this.state, this.deps.writer.info.id, w, existing.candidate.embedding, copyJudgment(existing.judgment, w.candidateId, this.brief.version, this.now()), [], existing.candidate.id);
    }
    const at = texts.findIndex((t) => t.status === 'fulfilled' && t.value.text === w.text);
    const first = at < 0 ? undefined : earlier[at];
    if (first) {
      const own = await first.outcome;
      return outcomeFor(this.state, this.deps.writer.info.id, w, own.candidate.embedding, copyJudgment(own.judgment, w.candidateId, this.brief.version, this.now()), [], first.candidateId);
    }
    const assessed = await this.assess(w);
    return outcomeFor(this.state, this.deps.writer.info.id, w, assessed.embedding, assessed.judgment, assessed.keys, undefined);
  }

  /**
   * Folds the oldest move in flight once it returns (plan order), recording `planned` (moves
   * planned after it) in the same transaction and starting them once it commits. A move the
   * budget stopped stays pending and the next one is taken; any other failure waits for the rest
   * to settle, then throws. The log is the same as if the moves had been recorded first.
   */
  private async foldNext(planned: readonly PlannedMove[]): Promise<number> {
    let waiting = planned;
    for (const [id, head] of this.window) {
      const result = await Promise.allSettled([head.outcome]).then((r) => r[0] as PromiseSettledResult<MoveOutcome>);
      this.window.delete(id);
      if (result.status === 'fulfilled') {
        const events = [...planEvents(waiting), ...foldOutcome(this.state, this.novelty, result.value)];
        await this.commitOutcomes(events, [result.value.writeKey, ...result.value.judgeKeys], waiting);
        return 1;
      }
      // The moves planned are recorded before the next one is waited for (or the failure thrown),
      // as they would have been had they been recorded first.
      if (waiting.length > 0) await this.launch(waiting);
      waiting = [];
      if (result.reason instanceof BudgetStop) {
        this.pendingCalls.set(id, head.begun);
        continue;
      }
      await this.drain();
      throw result.reason;
    }
    if (waiting.length > 0) await this.launch(waiting);
    return 0;
  }

  /**
   * Lets every move in flight, and any left pending, finish its calls (each result recorded, so
   * nothing is paid twice) without folding them: they stay pending and are folded, in plan order,
   * when the exploration goes on. Done at a checkpoint or an ending.
   */
  private async settle(): Promise<void> {
    if (!this.budgetSpent()) for (const move of this.state.pendingMoves.values()) if (!this.window.has(move.id)) this.start(move);
    await this.drain();
  }

  /** Lets the moves in flight finish their calls, unfolded: they stay pending (see `settle`); steering calls it when a run stops mid-way. */
  async drain(): Promise<void> {
    const entries = [...this.window.values()];
    await Promise.allSettled(entries.map((e) => e.outcome));
    this.window.clear();
    // A move folded meanwhile is no longer pending; the others keep the calls they made.
    for (const e of entries) if (this.state.pendingMoves.has(e.move.id)) this.pendingCalls.set(e.move.id, e.begun);
  }

  /** Calls per move: the write, one per juror, and the embedding when a provider's is recorded. */
  private callsPerMove(): number {
    return 1 + (this.deps.jury?.length ?? 1) + (this.embeddingRecorded() ? 1 : 0);
  }

  /** A provider's embedding is a recorded, budgeted call; the local one is not. */
  private embeddingRecorded(): boolean {
    return this.deps.embedding.info !== undefined && this.deps.embedding.embedWithUsage !== undefined;
  }

  /**
   * Calls left to plan with: the moves in flight count at their full cost whether or not their
   * calls have been made yet, so a plan depends on what is folded, not on timing.
   */
  private plannedCallsLeft(): number {
    return plannedCallsLeft(this.budget, this.unfolded().owed - this.lost.calls);
  }

  /** Calls made by the moves not folded yet, and the calls they still owe (at full cost). */
  private unfolded(): { begun: number; owed: number } {
    const perMove = this.callsPerMove();
    let begun = 0;
    let owed = 0;
    const add = (made: number): void => {
      begun += made;
      owed += Math.max(0, perMove - made);
    };
    for (const entry of this.window.values()) add(entry.begun);
    for (const made of this.pendingCalls.values()) add(made);
    return { begun, owed };
  }

  /** What the policy plans with now: the budget left, the brief's weights, the person's taste. */
  private policyOptions(): PolicyOptions {
    const brief = this.brief.brief;
    return {
      ...DEFAULT_POLICY,
      slots: this.concurrency,
      callsLeft: this.plannedCallsLeft(),
      budgetLeft: 1 - foldedWorkShare(this.budget, this.budgetLimits(brief.budget), this.unfolded().begun, this.lost),
      weights: new Map(brief.criteria.map((c) => [c.id, c.weight])),
      preference: this.preference,
      spareLenses: spareLenses(brief),
    };
  }

  /** True when a move is left that the budget allows (one pending, the person's, one that pays, or an untried one). */
  hasMoveLeft(): boolean {
    return !this.budgetSpent() && (this.state.pendingMoves.size > 0 || hasMoveLeft(this.state, this.policyOptions()));
  }

  /**
   * A crash between a fold and its exhaustion marks would lose the marks. A mark depends only on
   * the path, so recomputing the missing ones is exact and safe to repeat.
   */
  async restoreMarks(): Promise<void> {
    if (this.marksRestored) return;
    this.marksRestored = true;
    const missing: ExplorationEvent[] = [];
    for (const id of this.state.indexes.openLeaves) {
      const reason = pathEnd(pathTo(this.state, id));
      if (reason) missing.push({ type: 'path.exhausted', candidateId: id, reason });
    }
    if (missing.length > 0) await this.commit(missing);
  }

  /**
   * True when the last fold finished completely: every candidate made is judged. Moves still in
   * flight do not count: the triggers are looked at after every fold, with moves in flight.
   */
  waveComplete(): boolean {
    return this.state.indexes.judgedCount === this.state.order.length;
  }

  /**
   * Commits new candidates and judgments (after `planned`'s plans, when given: those moves start
   * once they are recorded), and marks the paths they exhausted (unless marked with them).
   */
  private async commitOutcomes(events: ExplorationEvent[], releasedCalls: string[] = [], planned: readonly PlannedMove[] = []): Promise<void> {
    await this.commit(events, undefined, releasedCalls);
    this.started(planned);
    const exhausted: ExplorationEvent[] = [];
    for (const event of events) {
      if (event.type === 'path.exhausted') {
        this.onProgress({ type: 'exhausted', candidateId: event.candidateId, reason: event.reason });
        continue;
      }
      if (event.type !== 'candidate.judged') continue;
      const id = event.judgment.candidateId;
      const node = this.state.nodes.get(id);
      this.onProgress({
        type: 'candidate',
        candidateId: id,
        lensId: node?.candidate.lensId ?? '',
        kind: node?.candidate.kind ?? '',
        quality: event.judgment.quality,
        total: this.state.order.length,
      });
      if (node?.exhausted !== null) continue;
      const reason = pathEnd(pathTo(this.state, id));
      if (reason) {
        exhausted.push({ type: 'path.exhausted', candidateId: id, reason });
        this.onProgress({ type: 'exhausted', candidateId: id, reason });
      }
    }
    if (exhausted.length > 0) await this.commit(exhausted);
  }

  /** A move's writer call: the text of its candidate. */
  private async writeMove(move: PlannedMove): Promise<Written> {
    const task = writerTask(this.state, move, this.brief.brief);
    const write = await this.call(`${move.id}:write`, move.kind, this.deps.writer, task);
    return { move, candidateId: candidateIdOf(move.id), text: write.output.trim(), writeKey: write.key, createdAt: this.now() };
  }

  /** A new text's embedding and judgment (each asked for once per distinct text). */
  private async assess(w: Written): Promise<Assessed> {
    // Quantized as the store keeps it, so a resumed run sees exactly the vectors this one does.
    const embedding = quantizeEmbedding(await this.embed(`${w.move.id}:embed`, w.move.kind, w.text));
    const { judgment, keys } = await tracedJudging(w.candidateId, this.deps.judge.info, () => this.judgeText(w.candidateId, w.text));
    return { embedding, judgment, keys };
  }

  private async rejudge(ids: string[]): Promise<number> {
    type Verdict = { judgment: PartialJudgment; keys: string[] };
    // Each distinct text is judged once; its copies take that judgment.
    const textOf = (id: string): string => (this.state.nodes.get(id) as CandidateNode).candidate.text;
    const firstOfText = new Map<string, string>();
    for (const id of ids) if (!firstOfText.has(textOf(id))) firstOfText.set(textOf(id), id);
    const distinct = [...firstOfText.values()];
    const settledDistinct = await mapLimit(distinct, this.concurrency, async (id): Promise<Verdict> => {
      const original = this.state.nodes.get(this.state.textIds.get(textOf(id)) ?? id);
      // A copy of a candidate already judged against this brief takes its verdict.
      if (original && original.candidate.id !== id && original.judgment !== undefined) return { judgment: copyJudgment(original.judgment, id, this.brief.version, this.now()), keys: [] };
      return this.judgeText(id, textOf(id));
    });
    const verdicts = new Map(distinct.map((id, at) => [id, settledDistinct[at] as PromiseSettledResult<Verdict>]));
    const events: ExplorationEvent[] = [];
    const released: string[] = [];
    let failure: unknown;
    for (const id of ids) {
      const first = firstOfText.get(textOf(id)) as string;
      const verdict = verdicts.get(first) as PromiseSettledResult<Verdict>;
      if (verdict.status === 'rejected') {
        failure ??= verdict.reason;
        continue;
      }
      const { judgment: partial, keys } = first === id ? verdict.value : { judgment: copyJudgment(verdict.value.judgment, id, this.brief.version, this.now()), keys: [] };
      const node = this.state.nodes.get(id) as CandidateNode;
      const parent = node.candidate.parentIds[0] ? this.state.nodes.get(node.candidate.parentIds[0]) : undefined;
      const judgment: Judgment = {
        ...partial,
        novelty: node.duplicateOf === undefined ? round4(this.novelty.novelty(node.candidate.embedding, id)) : 0,
        parentSimilarity: parent ? round4(cosineSimilarity(node.candidate.embedding, parent.candidate.embedding)) : null,
      };
      events.push({ type: 'candidate.judged', judgment });
      released.push(...keys);
    }
    if (events.length > 0) await this.commitOutcomes(events, released);
    if (failure !== undefined && !(failure instanceof BudgetStop)) throw failure;
    return events.length;
  }

  /** A candidate's judgment (novelty aside), and the keys of the judge calls it took. */
  private judgeText(candidateId: string, text: string): Promise<{ judgment: PartialJudgment; keys: string[] }> {
    return judgeCandidate({
      brief: this.brief,
      seed: this.state.seed,
      jury: this.deps.jury ?? [this.deps.judge],
      candidateId,
      text,
      ask: (key, port, task, seed, check) => this.call(key, 'judge', port, task, check, seed),
      now: () => this.now(),
    });
  }

  /** One recorded model call; a budget refusal leaves the move pending and blocks further moves. */
  private async call(
    key: string,
    purpose: CallPurpose,
    port: ModelPort,
    task: ModelTask,
    check?: (text: string) => AnswerCheck,
    seed = this.state.seed,
  ): Promise<{ output: string; key: string }> {
    this.noteBegun(key);
    try {
      return await keyedCall({
        store: this.deps.store,
        key,
        explorationId: this.state.id,
        purpose,
        port,
        task,
        // The move's identity within its exploration: the same brief and seed explore alike under any id.
        seed: callSeed(seed, key.startsWith(this.state.id) ? key.slice(this.state.id.length) : key),
        budget: this.budget,
        ...(check ? { check } : {}),
      });
    } catch (error) {
      if (error instanceof BudgetStop) this.budgetBlocked = true;
      throw error;
    }
  }

  /** Counts a write or judge call against the move in flight it belongs to (see `plannedCallsLeft`). */
  private noteBegun(key: string): void {
    for (const entry of this.window.values()) {
      if (key.startsWith(`${entry.move.id}:`) || key.startsWith(`${entry.candidateId}:`)) {
        entry.begun += 1;
        return;
      }
    }
  }

  /** A candidate's embedding; a provider's is recorded and budgeted like any call. */
  private async embed(key: string, purpose: CallPurpose, text: string): Promise<Float32Array> {
    if (this.embeddingRecorded()) this.noteBegun(key);
    try {
      return await recordedEmbedding({ store: this.deps.store, key, explorationId: this.state.id, purpose, port: this.deps.embedding, text, budget: this.budget });
    } catch (error) {
      if (error instanceof BudgetStop) this.budgetBlocked = true;
      throw error;
    }
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}

/** A move in flight. */
interface InFlight {
  move: PlannedMove;
  candidateId: string;
  /** Its writer call: the text later moves compare theirs with. */
  written: Promise<Written>;
  /** Its candidate and judgment, ready to fold. */
  outcome: Promise<MoveOutcome>;
  /** Write and judge calls it has begun (reused ones included: the spend counts them too). */
  begun: number;
  /** Its outcome has arrived (or failed): it can be folded without waiting. */
  settled: boolean;
}

/** The events recording planned moves. */
function planEvents(moves: readonly PlannedMove[]): ExplorationEvent[] {
  return moves.map((move) => ({ type: 'move.planned', move }));
}

/**
 * The calls a pending move has made, read from the call records (a crash left it pending): its
 * write, its embedding, each juror's asks — every attempt, cut off or completed, as the spend
 * counts them.
 */
async function callsOfMove(store: Store, moveId: string, candidateId: string, briefId: string, jurors: number): Promise<number> {
  const attempts = async (base: string): Promise<number> => {
    let count = 0;
    while ((await store.getCall(count === 0 ? base : `${base}~${count + 1}`)) !== undefined) count += 1;
    return count;
  };
  let calls = (await attempts(`${moveId}:write`)) + (await attempts(`${moveId}:embed`));
  for (let juror = 0; juror < jurors; juror += 1) {
    for (let ask = 1; ; ask += 1) {
      const made = await attempts(judgeKey(candidateId, briefId, juror, ask));
      if (made === 0) break;
      calls += made;
    }
  }
  return calls;
}

/** The candidate a move makes: `….m12` makes `….c12`. */
function candidateIdOf(moveId: string): string {
  return moveId.replace(/\.m(\d+)$/u, '.c$1');
}
