import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { BUILT_IN_LENSES, chooseLenses } from '../brief/lenses.js';
import type { Brief, Lens } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import { BudgetGuard } from '../models/budget.js';
import { quantizeEmbedding } from '../store/embedding-codec.js';
import { cosineSimilarity } from '../models/local-embedding.js';
import type { EmbeddingPort, ModelPort, ModelTask } from '../models/port.js';
import type { AnswerCheck, BriefVersion, CallPurpose, Store } from '../store/store.js';
import { BudgetStop, keyedCall, recordedEmbedding } from './calls.js';
import type { ExplorationEvent, StoredEvent } from './events.js';
import { pathEnd } from './exhaustion.js';
import { assembleVerdict, weakestCriteria } from './judge.js';
import { consultJury } from './jury.js';
import { NoveltyIndex } from './novelty.js';
import { pilotMoves } from './pilot.js';
import type { PolicyOptions } from './policy.js';
import { DEFAULT_POLICY, hasMoveLeft, planMoves } from './policy.js';
import { openingOf } from './prompts.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { applyEvent, lensById, pathTo } from './state.js';
import { reopenState, snapshotDue, writeSnapshot } from './reopen.js';
import type { Candidate, Judgment, PlannedMove } from './types.js';
import { tracedJudging, tracedMove } from './tracing.js';

/**
 * The exploration engine: runs waves of moves. A wave is planned by the policy, recorded
 * (`move.planned`) before any call is made, run concurrently (each move: write, then judge;
 * each call's result committed the moment it completes), and folded into the state in plan
 * order — so an exploration is reproducible for a seed whatever the timing, and a crash at any
 * moment resumes the same moves, reusing every completed call.
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

interface MoveOutcome {
  move: PlannedMove;
  /** The earlier candidate with the same text (in the exploration or earlier in this wave), if any. */
  duplicateOf: string | undefined;
  /** The writer call's key: its answer is the candidate's text, stored once with the candidate. */
  writeKey: string;
  /** The judge calls' keys: their answers live on as the judgment, stored with it. */
  judgeKeys: string[];
  candidate: Candidate;
  judgment: Omit<Judgment, 'novelty' | 'parentSimilarity'>;
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
    this.budget = new BudgetGuard(
      this.budgetLimits(brief.brief.budget),
      { calls: spent.calls + lost.calls, tokens: spent.tokens, usd: spent.usd + lost.usd },
      lost,
    );
    this.budgetBlocked = false;
  }

  /** The brief's budget plus what reopenings added (a dimension the brief leaves open stays open). */
  private budgetLimits(budget: Brief['budget']): Brief['budget'] {
    const extra = this.state.extraBudget;
    const limits: Brief['budget'] = { ...budget };
    if (limits.calls !== undefined) limits.calls += extra.calls;
    if (limits.tokens !== undefined) limits.tokens += extra.tokens;
    if (limits.usd !== undefined) limits.usd += extra.usd;
    return limits;
  }

  /**
   * Which budget would still be spent with `added` on top (e.g. "80 of 80 calls"), or null when a
   * move would be affordable again.
   */
  budgetShortAfter(added: { calls?: number; tokens?: number; usd?: number }): string | null {
    const limits = this.budgetLimits(this.brief.brief.budget);
    const spent = this.budget.totals();
    if (limits.calls !== undefined && limits.calls + (added.calls ?? 0) - spent.calls < 2) return `${spent.calls} of ${limits.calls} calls`;
    if (limits.tokens !== undefined && limits.tokens + (added.tokens ?? 0) <= spent.tokens) return `${spent.tokens} of ${limits.tokens} tokens`;
    if (limits.usd !== undefined && limits.usd + (added.usd ?? 0) <= spent.usd) return `$${spent.usd.toFixed(4)} of $${limits.usd}`;
    return null;
  }

  /** True when the budget forbids any further move. */
  budgetSpent(): boolean {
    return this.budgetBlocked || this.budget.callsLeft() < 2 || this.budget.share() >= 1;
  }

  budgetShare(): number {
    return this.budget.share();
  }

  budgetGuard(): BudgetGuard {
    return this.budget;
  }

  /** Biases the next waves towards the person's taste (`undefined`: no bias). */
  setPreference(preference: Preference | undefined): void {
    this.preference = preference;
  }

  /** Appends events to the store and folds them into the state. */
  async commit(events: ExplorationEvent[], calls?: Parameters<Store['commit']>[1]['calls'], releasedCalls: string[] = []): Promise<StoredEvent[]> {
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

  /** Runs one wave: finishes interrupted work first, then plans and runs new moves. */
  async runWave(): Promise<WaveResult> {
    if (this.budgetSpent()) return { moved: 0, nothingLeft: true, budgetSpent: true };
    const finished = await this.finishInterrupted();
    if (finished > 0) return { moved: finished, nothingLeft: false, budgetSpent: false };
    // Interrupted work the budget refused to finish: nothing new can be afforded either.
    if (this.budgetSpent()) return { moved: 0, nothingLeft: true, budgetSpent: true };

    // A pending pilot opens its candidates first (see pilot.ts); a juror is one more call per move.
    const callsPerMove = 1 + (this.deps.jury?.length ?? 1);
    const pilot = pilotMoves(this.state, this.brief.brief.pilot, { slots: this.concurrency, callsLeft: this.budget.callsLeft(), callsPerMove });
    const proposals = pilot ?? planMoves(this.state, this.policyOptions());
    if (proposals.length === 0) return { moved: 0, nothingLeft: true, budgetSpent: this.budgetSpent() };

    const moves: PlannedMove[] = proposals.map((p, i) => {
      const n = this.state.moveCount + i + 1;
      const move: PlannedMove = { id: `${this.state.id}.m${n}`, kind: p.kind, parentIds: p.parentIds, lens: p.lens, origin: p.origin };
      if (p.feedback !== undefined) move.feedback = p.feedback;
      if (p.directive !== undefined) move.directive = p.directive;
      if (p.focus !== undefined) move.focus = p.focus;
      return move;
    });
    await this.commit(moves.map((move) => ({ type: 'move.planned', move })));
    this.onProgress({ type: 'wave', moves: moves.length });
    const moved = await this.runMoves(moves);
    return { moved, nothingLeft: false, budgetSpent: moved === 0 && this.budgetSpent() };
  }

  /** What the policy plans with now: the budget left, the brief's weights, the person's taste. */
  private policyOptions(): PolicyOptions {
    const brief = this.brief.brief;
    return {
      ...DEFAULT_POLICY,
      slots: this.concurrency,
      callsLeft: this.budget.callsLeft(),
      budgetLeft: 1 - this.budget.workShare(),
      weights: new Map(brief.criteria.map((c) => [c.id, c.weight])),
      preference: this.preference,
      spareLenses: spareLenses(brief),
    };
  }

  /** True when a move is left that the budget allows (the person's, one that pays, or an untried one). */
  hasMoveLeft(): boolean {
    return !this.budgetSpent() && hasMoveLeft(this.state, this.policyOptions());
  }

  /**
   * A crash between a wave's judgments and its exhaustion marks would lose the marks. A mark
   * depends only on the path, so recomputing the missing ones is exact and safe to repeat.
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

  /** True when the last wave finished completely: nothing planned is left undone. */
  waveComplete(): boolean {
    return this.state.pendingMoves.size === 0 && this.state.indexes.judgedCount === this.state.order.length;
  }

  /** Moves planned before a crash, and candidates never judged (or not against the current brief). */
  private async finishInterrupted(): Promise<number> {
    await this.restoreMarks();
    let done = 0;
    const pending = [...this.state.pendingMoves.values()];
    if (pending.length > 0) done += await this.runMoves(pending);
    // Every candidate judged (the usual case) needs no scan of the whole exploration.
    if (this.state.indexes.judgedCount < this.state.order.length) {
      const unjudged = this.state.order.filter((id) => this.state.nodes.get(id)?.judgment === undefined);
      if (unjudged.length > 0) done += await this.rejudge(unjudged);
    }
    return done;
  }

  /**
   * Runs moves in two phases: every writer call first, then each distinct new text embedded and
   * judged once. A text equal to an earlier candidate's (or to an earlier move's of this wave, in
   * plan order) is a duplicate: its embedding and judgment are the first copy's, and no model is
   * asked again — the same decision on a resume, since it depends only on the texts.
   */
  private async runMoves(moves: PlannedMove[]): Promise<number> {
    const written = await mapLimit(moves, this.concurrency, (move) => tracedMove(move, this.deps.writer.info, () => this.writeMove(move)));
    const firstInWave = new Map<string, number>();
    const sources: Array<{ existing?: CandidateNode; inWave?: number } | undefined> = [];
    const fresh: number[] = [];
    written.forEach((result, i) => {
      if (result.status !== 'fulfilled') return;
      const { text } = result.value;
      const existingId = this.state.textIds.get(text);
      const existing = existingId === undefined ? undefined : this.state.nodes.get(existingId);
      if (existing?.judgment !== undefined) sources[i] = { existing };
      else if (firstInWave.has(text)) sources[i] = { inWave: firstInWave.get(text) as number };
      else {
        firstInWave.set(text, i);
        fresh.push(i);
      }
    });
    const assessed = new Map<number, PromiseSettledResult<Assessed>>();
    const settledFresh = await mapLimit(fresh, this.concurrency, (i) => {
      const w = (written[i] as PromiseFulfilledResult<Written>).value;
      return this.assess(w);
    });
    fresh.forEach((i, at) => assessed.set(i, settledFresh[at] as PromiseSettledResult<Assessed>));

    const settled: Array<PromiseSettledResult<MoveOutcome>> = written.map((result, i) => {
      if (result.status === 'rejected') return result;
      const w = result.value;
      const source = sources[i];
      if (source?.existing) {
        const from = source.existing;
        const judgment = this.copyJudgment(from.judgment as Judgment, w.candidateId);
        return { status: 'fulfilled', value: this.outcomeOf(w, from.candidate.embedding, judgment, [], from.candidate.id) };
      }
      const own = assessed.get(source?.inWave ?? i) as PromiseSettledResult<Assessed>;
      if (own.status === 'rejected') return own;
      if (source?.inWave !== undefined) {
        const firstId = (written[source.inWave] as PromiseFulfilledResult<Written>).value.candidateId;
        return { status: 'fulfilled', value: this.outcomeOf(w, own.value.embedding, this.copyJudgment(own.value.judgment, w.candidateId), [], firstId) };
      }
      return { status: 'fulfilled', value: this.outcomeOf(w, own.value.embedding, own.value.judgment, own.value.keys, undefined) };
    });
    const events: ExplorationEvent[] = [];
    const released: string[] = [];
    let failure: unknown;
    let done = 0;
    for (const result of settled) {
      if (result.status === 'rejected') {
        failure ??= result.reason;
        continue;
      }
      events.push(...this.fold(result.value));
      released.push(result.value.writeKey, ...result.value.judgeKeys);
      done += 1;
    }
    if (events.length > 0) await this.commitOutcomes(events, released);
    if (failure !== undefined && !(failure instanceof BudgetStop)) throw failure;
    return done;
  }

  /** Turns outcomes into events in plan order, computing novelty against everything before. */
  private fold(outcome: MoveOutcome): ExplorationEvent[] {
    const { candidate, duplicateOf } = outcome;
    const parent = candidate.parentIds[0] ? this.state.nodes.get(candidate.parentIds[0]) : undefined;
    const judgment: Judgment = {
      ...outcome.judgment,
      // A copy is as far from the rest as a copy can be: not at all.
      novelty: duplicateOf === undefined ? round4(this.novelty.novelty(candidate.embedding)) : 0,
      parentSimilarity: parent ? round4(cosineSimilarity(candidate.embedding, parent.candidate.embedding)) : null,
    };
    if (duplicateOf === undefined) this.novelty.add(candidate.id, candidate.embedding);
    const events: ExplorationEvent[] = [
      { type: 'candidate.added', candidate },
      { type: 'candidate.judged', judgment },
    ];
    // Whether the new leaf ends its path depends only on its lineage (earlier waves) and itself,
    // so the mark is committed with the candidate, in the same transaction.
    const lineage = candidate.parentIds[0] ? pathTo(this.state, candidate.parentIds[0]) : [];
    const leaf: CandidateNode = { candidate, index: this.state.order.length, judgment, children: [], exhausted: null, pruned: false, feedback: undefined, directive: undefined, duplicateOf };
    const reason = pathEnd([...lineage, leaf]);
    if (reason) events.push({ type: 'path.exhausted', candidateId: candidate.id, reason });
    return events;
  }

  /** Commits new candidates and judgments, and marks the paths they exhausted (unless marked with them). */
  private async commitOutcomes(events: ExplorationEvent[], releasedCalls: string[] = []): Promise<void> {
    await this.commit(events, undefined, releasedCalls);
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
    const task = this.writerTask(move, this.brief.brief);
    const write = await this.call(`${move.id}:write`, move.kind, this.deps.writer, task);
    return { move, candidateId: move.id.replace(/\.m(\d+)$/u, '.c$1'), text: write.output.trim(), writeKey: write.key, createdAt: this.now() };
  }

  /** A new text's embedding and judgment (each asked for once per distinct text). */
  private async assess(w: Written): Promise<Assessed> {
    // Quantized as the store keeps it, so a resumed run sees exactly the vectors this one does.
    const embedding = quantizeEmbedding(await this.embed(`${w.move.id}:embed`, w.move.kind, w.text));
    const { judgment, keys } = await tracedJudging(w.candidateId, this.deps.judge.info, () => this.judgeText(w.candidateId, w.text));
    return { embedding, judgment, keys };
  }

  private outcomeOf(w: Written, embedding: Float32Array, judgment: Omit<Judgment, 'novelty' | 'parentSimilarity'>, judgeKeys: string[], duplicateOf: string | undefined): MoveOutcome {
    const { move } = w;
    const parents = move.parentIds.map((id) => this.state.nodes.get(id)?.candidate);
    const candidate: Candidate = {
      id: w.candidateId,
      explorationId: this.state.id,
      moveId: move.id,
      kind: move.kind,
      parentIds: move.parentIds,
      lensId: move.lens.id,
      depth: Math.max(0, ...parents.map((p) => p?.depth ?? 0)) + 1,
      text: w.text,
      embedding,
      model: this.deps.writer.info.id,
      createdAt: w.createdAt,
    };
    return { move, duplicateOf, writeKey: w.writeKey, judgeKeys, candidate, judgment };
  }

  /** The first copy's judgment, for a candidate with the same text: no judge is asked twice. */
  private copyJudgment(source: Omit<Judgment, 'novelty' | 'parentSimilarity'> & Partial<Judgment>, candidateId: string): Omit<Judgment, 'novelty' | 'parentSimilarity'> {
    const { novelty: _novelty, parentSimilarity: _similarity, ...rest } = source;
    return { ...rest, id: `${candidateId}.j${this.brief.version}`, candidateId, createdAt: this.now() };
  }

  private async rejudge(ids: string[]): Promise<number> {
    type Verdict = { judgment: Omit<Judgment, 'novelty' | 'parentSimilarity'>; keys: string[] };
    // Each distinct text is judged once; its copies take that judgment.
    const textOf = (id: string): string => (this.state.nodes.get(id) as CandidateNode).candidate.text;
    const firstOfText = new Map<string, string>();
    for (const id of ids) if (!firstOfText.has(textOf(id))) firstOfText.set(textOf(id), id);
    const distinct = [...firstOfText.values()];
    const settledDistinct = await mapLimit(distinct, this.concurrency, async (id): Promise<Verdict> => {
      const original = this.state.nodes.get(this.state.textIds.get(textOf(id)) ?? id);
      // A copy of a candidate already judged against this brief takes its verdict.
      if (original && original.candidate.id !== id && original.judgment !== undefined) return { judgment: this.copyJudgment(original.judgment, id), keys: [] };
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
      const { judgment: partial, keys } = first === id ? verdict.value : { judgment: this.copyJudgment(verdict.value.judgment, id), keys: [] };
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
  private async judgeText(candidateId: string, text: string): Promise<{ judgment: Omit<Judgment, 'novelty' | 'parentSimilarity'>; keys: string[] }> {
    const brief = this.brief.brief;
    const { finding, keys, judge } = await consultJury({
      brief,
      briefId: this.brief.id,
      candidateId,
      text,
      jury: this.deps.jury ?? [this.deps.judge],
      seed: this.state.seed,
      ...(brief.jurySpread !== undefined ? { spread: brief.jurySpread } : {}),
      ask: (key, port, task, seed, check) => this.call(key, 'judge', port, task, check, seed),
    });
    const briefDir = this.brief.path ? dirname(this.brief.path) : undefined;
    const verdict = await assembleVerdict(brief, text, finding, briefDir ? { briefDir } : {});
    const judgment = {
      id: `${candidateId}.j${this.brief.version}`,
      candidateId,
      briefId: this.brief.id,
      ...verdict,
      judge,
      createdAt: this.now(),
    };
    return { judgment, keys };
  }

  private writerTask(move: PlannedMove, brief: Brief): ModelTask {
    const withFeedback = <T extends object>(task: T): T => (move.feedback !== undefined ? { ...task, feedback: move.feedback } : task);
    const asMaterial = (id: string) => {
      const node = this.state.nodes.get(id) as CandidateNode;
      const lens = lensById(this.state, node.candidate.lensId) ?? move.lens;
      return { id, text: node.candidate.text, lens, depth: node.candidate.depth };
    };
    switch (move.kind) {
      case 'open': {
        // The lens's openings from the index, not a scan of the whole exploration per opening.
        const siblings = this.openingsOf(this.state.indexes.opensByLens.get(move.lens.id) ?? []);
        return siblings.length > 0 ? { kind: 'open', brief, lens: move.lens, siblings } : { kind: 'open', brief, lens: move.lens };
      }
      case 'deepen': {
        const parentId = move.parentIds[0] as string;
        const parent = this.state.nodes.get(parentId);
        const scores = parent?.judgment?.scores ?? [];
        const siblings = this.openingsOf(parent?.children.filter((id) => this.state.nodes.get(id)?.candidate.kind === 'deepen') ?? []);
        return withFeedback({
          kind: 'deepen' as const,
          brief,
          lens: move.lens,
          parent: asMaterial(parentId),
          critique: parent?.judgment?.critique ?? '',
          focus: move.focus ?? weakestCriteria(brief, scores),
          ...(siblings.length > 0 ? { siblings } : {}),
        });
      }
      case 'combine':
        return withFeedback({
          kind: 'combine' as const,
          brief,
          lens: move.lens,
          parents: [asMaterial(move.parentIds[0] as string), asMaterial(move.parentIds[1] as string)] as [
            ReturnType<typeof asMaterial>,
            ReturnType<typeof asMaterial>,
          ],
        });
    }
  }

  /** The openings of the latest few earlier takes a new one must differ from (distinct texts only). */
  private openingsOf(ids: readonly string[]): string[] {
    const openings = ids.map((id) => openingOf((this.state.nodes.get(id) as CandidateNode).candidate.text));
    return [...new Set(openings)].slice(-SIBLINGS_SHOWN);
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

  /** A candidate's embedding; a provider's is recorded and budgeted like any call. */
  private async embed(key: string, purpose: CallPurpose, text: string): Promise<Float32Array> {
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

/** Earlier takes shown to a new one, at most. */
const SIBLINGS_SHOWN = 4;

interface Written {
  move: PlannedMove;
  candidateId: string;
  text: string;
  writeKey: string;
  createdAt: string;
}

interface Assessed {
  embedding: Float32Array;
  judgment: Omit<Judgment, 'novelty' | 'parentSimilarity'>;
  keys: string[];
}

/**
 * The seed a call asks with: derived from the exploration's seed and the call's own key (the
 * move's identity), never from time or chance — so each move asks for a take of its own, a resumed
 * run asks exactly what the interrupted one did, and a retry of a recorded call (`key~n`) is the
 * same request.
 */
export function callSeed(seed: number, key: string): number {
  const base = key.replace(/~\d+$/u, '');
  return createHash('sha256').update(`${seed}:${base}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** For `lenses: auto`: the built-in lenses in the order Baton would choose them for this brief. */
const spareLensCache = new WeakMap<Brief, readonly Lens[]>();
function spareLenses(brief: Brief): readonly Lens[] {
  if (brief.lenses !== 'auto') return [];
  let spare = spareLensCache.get(brief);
  if (!spare) {
    spare = chooseLenses(brief, BUILT_IN_LENSES.length);
    spareLensCache.set(brief, spare);
  }
  return spare;
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index] as T) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
