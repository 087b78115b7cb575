import { dirname } from 'node:path';
import type { Brief } from '../brief/schema.js';
import { BatonError } from '../errors.js';
import { BudgetGuard } from '../models/budget.js';
import { quantizeEmbedding } from '../store/embedding-codec.js';
import { cosineSimilarity } from '../models/local-embedding.js';
import type { EmbeddingPort, ModelPort, ModelTask } from '../models/port.js';
import type { AnswerCheck, BriefVersion, CallPurpose, Store } from '../store/store.js';
import { BudgetStop, keyedCall, recordedEmbedding } from './calls.js';
import type { ExplorationEvent, StoredEvent } from './events.js';
import { exhaustionReason } from './exhaustion.js';
import { assembleVerdict, weakestCriteria } from './judge.js';
import { consultJury } from './jury.js';
import { NoveltyIndex } from './novelty.js';
import { pilotMoves } from './pilot.js';
import { DEFAULT_POLICY, planMoves } from './policy.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { applyEvent, lensById, pathTo, replay } from './state.js';
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
  private readonly onProgress: (progress: Progress) => void;
  /** Set when a call was refused for budget; cleared when the brief (and its budget) changes. */
  private budgetBlocked = false;
  /** Whether the exhaustion marks of the loaded state have been checked (see `restoreMarks`). */
  private marksRestored = false;
  /** The person's learned taste, supplied by steering; it biases which paths are deepened. */
  private preference: Preference | undefined;

  private constructor(deps: EngineDeps, state: ExplorationState, options: EngineOptions) {
    this.deps = deps;
    this.state = state;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.onProgress = options.onProgress ?? (() => undefined);
  }

  /** Loads an exploration from its event log. */
  static async load(deps: EngineDeps, explorationId: string, options: EngineOptions = {}): Promise<ExplorationEngine> {
    const events = await deps.store.readEvents(explorationId);
    if (events.length === 0) throw new BatonError('not_found', `no exploration ${explorationId}`);
    const state = replay(explorationId, events);
    const embedding = state.embed !== null && options.resolveEmbedding ? options.resolveEmbedding(state.embed) : deps.embedding;
    const engine = new ExplorationEngine({ ...deps, embedding }, state, options);
    for (const id of engine.state.order) {
      const node = engine.state.nodes.get(id) as CandidateNode;
      engine.novelty.add(id, node.candidate.embedding);
    }
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
      brief.brief.budget,
      { calls: spent.calls + lost.calls, tokens: spent.tokens, usd: spent.usd + lost.usd },
      lost,
    );
    this.budgetBlocked = false;
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
    for (const { seq, event } of stored) {
      applyEvent(this.state, event, seq);
      if (event.type === 'brief.redirected') await this.reloadBrief();
    }
    return stored;
  }

  /** Runs one wave: finishes interrupted work first, then plans and runs new moves. */
  async runWave(): Promise<WaveResult> {
    if (this.budgetSpent()) return { moved: 0, nothingLeft: true, budgetSpent: true };
    const finished = await this.finishInterrupted();
    if (finished > 0) return { moved: finished, nothingLeft: false, budgetSpent: false };
    // Interrupted work the budget refused to finish: nothing new can be afforded either.
    if (this.budgetSpent()) return { moved: 0, nothingLeft: true, budgetSpent: true };

    const weights = new Map(this.brief.brief.criteria.map((c) => [c.id, c.weight]));
    // A pending pilot opens its candidates first (see pilot.ts); a juror is one more call per move.
    const callsPerMove = 1 + (this.deps.jury?.length ?? 1);
    const pilot = pilotMoves(this.state, this.brief.brief.pilot, { slots: this.concurrency, callsLeft: this.budget.callsLeft(), callsPerMove });
    const proposals = pilot ?? planMoves(this.state, {
      ...DEFAULT_POLICY,
      slots: this.concurrency,
      callsLeft: this.budget.callsLeft(),
      budgetLeft: 1 - this.budget.workShare(),
      weights,
      preference: this.preference,
    });
    if (proposals.length === 0) return { moved: 0, nothingLeft: true, budgetSpent: this.budgetSpent() };

    const moves: PlannedMove[] = proposals.map((p, i) => {
      const n = this.state.moveCount + i + 1;
      const move: PlannedMove = { id: `${this.state.id}.m${n}`, kind: p.kind, parentIds: p.parentIds, lens: p.lens, origin: p.origin };
      if (p.feedback !== undefined) move.feedback = p.feedback;
      if (p.directive !== undefined) move.directive = p.directive;
      return move;
    });
    await this.commit(moves.map((move) => ({ type: 'move.planned', move })));
    this.onProgress({ type: 'wave', moves: moves.length });
    const moved = await this.runMoves(moves);
    return { moved, nothingLeft: false, budgetSpent: moved === 0 && this.budgetSpent() };
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
      const reason = exhaustionReason(pathTo(this.state, id));
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

  private async runMoves(moves: PlannedMove[]): Promise<number> {
    const settled = await mapLimit(moves, this.concurrency, (move) => tracedMove(move, this.deps.writer.info, () => this.runMove(move)));
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
    const { candidate } = outcome;
    const parent = candidate.parentIds[0] ? this.state.nodes.get(candidate.parentIds[0]) : undefined;
    const judgment: Judgment = {
      ...outcome.judgment,
      novelty: round4(this.novelty.novelty(candidate.embedding)),
      parentSimilarity: parent ? round4(cosineSimilarity(candidate.embedding, parent.candidate.embedding)) : null,
    };
    this.novelty.add(candidate.id, candidate.embedding);
    const events: ExplorationEvent[] = [
      { type: 'candidate.added', candidate },
      { type: 'candidate.judged', judgment },
    ];
    // Whether the new leaf ends its path depends only on its lineage (earlier waves) and itself,
    // so the mark is committed with the candidate, in the same transaction.
    const lineage = candidate.parentIds[0] ? pathTo(this.state, candidate.parentIds[0]) : [];
    const leaf: CandidateNode = { candidate, index: this.state.order.length, judgment, children: [], exhausted: null, pruned: false, feedback: undefined, directive: undefined };
    const reason = exhaustionReason([...lineage, leaf]);
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
      const reason = exhaustionReason(pathTo(this.state, id));
      if (reason) {
        exhausted.push({ type: 'path.exhausted', candidateId: id, reason });
        this.onProgress({ type: 'exhausted', candidateId: id, reason });
      }
    }
    if (exhausted.length > 0) await this.commit(exhausted);
  }

  private async runMove(move: PlannedMove): Promise<MoveOutcome> {
    const brief = this.brief.brief;
    const candidateId = move.id.replace(/\.m(\d+)$/u, '.c$1');
    const task = this.writerTask(move, brief);
    const write = await this.call(`${move.id}:write`, move.kind, this.deps.writer, task);
    const text = write.output.trim();
    // Quantized as the store keeps it, so a resumed run sees exactly the vectors this one does.
    const embedding = quantizeEmbedding(await this.embed(`${move.id}:embed`, move.kind, text));
    const parents = move.parentIds.map((id) => this.state.nodes.get(id)?.candidate);
    const candidate: Candidate = {
      id: candidateId,
      explorationId: this.state.id,
      moveId: move.id,
      kind: move.kind,
      parentIds: move.parentIds,
      lensId: move.lens.id,
      depth: Math.max(0, ...parents.map((p) => p?.depth ?? 0)) + 1,
      text,
      embedding,
      model: this.deps.writer.info.id,
      createdAt: this.now(),
    };
    const { judgment, keys } = await tracedJudging(candidateId, this.deps.judge.info, () => this.judgeText(candidateId, text));
    return { move, writeKey: write.key, judgeKeys: keys, candidate, judgment };
  }

  private async rejudge(ids: string[]): Promise<number> {
    const settled = await mapLimit(ids, this.concurrency, async (id) => {
      const node = this.state.nodes.get(id) as CandidateNode;
      const { judgment: partial, keys } = await this.judgeText(id, node.candidate.text);
      const parent = node.candidate.parentIds[0] ? this.state.nodes.get(node.candidate.parentIds[0]) : undefined;
      const judgment: Judgment = {
        ...partial,
        novelty: round4(this.novelty.novelty(node.candidate.embedding, id)),
        parentSimilarity: parent ? round4(cosineSimilarity(node.candidate.embedding, parent.candidate.embedding)) : null,
      };
      return { judgment, keys };
    });
    const events: ExplorationEvent[] = [];
    const released: string[] = [];
    let failure: unknown;
    for (const result of settled) {
      if (result.status === 'rejected') failure ??= result.reason;
      else {
        events.push({ type: 'candidate.judged', judgment: result.value.judgment });
        released.push(...result.value.keys);
      }
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
      case 'open':
        return { kind: 'open', brief, lens: move.lens };
      case 'deepen': {
        const parentId = move.parentIds[0] as string;
        const parent = this.state.nodes.get(parentId);
        const scores = parent?.judgment?.scores ?? [];
        return withFeedback({
          kind: 'deepen' as const,
          brief,
          lens: move.lens,
          parent: asMaterial(parentId),
          critique: parent?.judgment?.critique ?? '',
          focus: weakestCriteria(brief, scores),
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
        seed,
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
