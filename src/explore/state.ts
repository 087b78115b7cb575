import type { Lens } from '../brief/schema.js';
import type { Assumption, Checkpoint, Decision, Reversal } from '../steer/types.js';
import type { ExplorationEvent, ExplorationStatus, Reopening } from './events.js';
import type { DerivedIndexes } from './indexes.js';
import { addOpenLeaf, countCandidate, deriveIndexes, emptyIndexes, isBetter, noteLensBest, removeOpenLeaf } from './indexes.js';
import type { Candidate, Judgment, MoveKind, PlannedMove } from './types.js';

/**
 * The exploration state: a fold of the event log. `applyEvent` maintains it incrementally,
 * including the derived indexes the policy and triggers read on every move (best candidate,
 * open leaves, lens coverage; see indexes.ts). `deriveIndexes` recomputes those indexes from
 * scratch; the property tests check that both always agree.
 */

export interface CandidateNode {
  candidate: Candidate;
  /** Position in insertion order; breaks ties so that live and replayed states agree. */
  index: number;
  /** The judgment against the brief version in force; undefined until judged (or after a redirect). */
  judgment: Judgment | undefined;
  children: string[];
  /** Why the path ending here is exhausted, or null. */
  exhausted: string | null;
  pruned: boolean;
  /** Human feedback carried down the path from the decision that asked for it. */
  feedback: string | undefined;
  /** The directive (a decision's or an assumption's) whose move made it, if any. */
  directive: string | undefined;
  /** The earlier candidate with exactly this text, if any: this one is a copy (novelty 0, its judgment reused). */
  duplicateOf: string | undefined;
}

/** A move a decision asked for that has not been planned yet. */
export interface Directive {
  key: string;
  kind: MoveKind;
  parentIds: string[];
  lens: Lens | undefined;
  feedback: string | undefined;
}

export interface ExplorationState {
  id: string;
  briefId: string;
  seed: number;
  model: string;
  judge: string;
  /** The provider embedding novelty uses; null for the local embedding. */
  embed: string | null;
  lenses: Lens[];
  status: ExplorationStatus;
  acceptedId: string | null;
  endReason: string | null;
  nodes: Map<string, CandidateNode>;
  /** Candidate ids in the order they were added. */
  order: string[];
  /** Moves planned whose candidate does not exist yet (a crash between plan and result). */
  pendingMoves: Map<string, PlannedMove>;
  moveCount: number;
  directives: Directive[];
  checkpoints: Checkpoint[];
  openCheckpoint: Checkpoint | null;
  decisions: Decision[];
  /** Checkpoints skipped on the strength of the person's taste, in order. */
  assumptions: Assumption[];
  /** Assumptions the person reversed, in order. */
  reversals: Reversal[];
  /** How many assumptions existed at the person's last decision: the rest are news to them. */
  assumptionsAtLastDecision: number;
  /** Trigger keys already shown to the person (never raised twice). */
  raisedKeys: Set<string>;
  /** How many candidates existed when the last checkpoint was raised. */
  candidatesAtLastCheckpoint: number;
  /** Sequence number of the last event applied. */
  lastSeq: number;
  /** How many events were applied (a snapshot says how many it folded, to be checked against the log). */
  eventCount: number;
  indexes: DerivedIndexes;
  /** The first candidate with each text: a later one with the same text is a duplicate. */
  textIds: Map<string, string>;
  /** Reopenings of the exploration after it ended, in order (in the ledger). */
  reopenings: Reopening[];
  /** Budget added by reopenings, on top of the brief's. */
  extraBudget: { calls: number; tokens: number; usd: number };
}

export function initialState(explorationId: string): ExplorationState {
  return {
    id: explorationId,
    briefId: '',
    seed: 0,
    model: '',
    judge: '',
    embed: null,
    lenses: [],
    status: 'running',
    acceptedId: null,
    endReason: null,
    nodes: new Map(),
    order: [],
    pendingMoves: new Map(),
    moveCount: 0,
    directives: [],
    checkpoints: [],
    openCheckpoint: null,
    decisions: [],
    assumptions: [],
    reversals: [],
    assumptionsAtLastDecision: 0,
    raisedKeys: new Set(),
    candidatesAtLastCheckpoint: 0,
    lastSeq: 0,
    eventCount: 0,
    indexes: emptyIndexes(),
    textIds: new Map(),
    reopenings: [],
    extraBudget: { calls: 0, tokens: 0, usd: 0 },
  };
}

/** Folds one event into the state, in place. Returns the state for chaining. */
export function applyEvent(state: ExplorationState, event: ExplorationEvent, seq = state.lastSeq + 1): ExplorationState {
  state.lastSeq = seq;
  state.eventCount += 1;
  switch (event.type) {
    case 'exploration.created':
      state.briefId = event.briefId;
      state.seed = event.seed;
      state.lenses = event.lenses;
      state.model = event.model;
      state.judge = event.judge;
      state.embed = event.embed ?? null;
      break;
    case 'move.planned': {
      state.pendingMoves.set(event.move.id, event.move);
      state.moveCount += 1;
      if (event.move.directive) {
        state.directives = state.directives.filter((d) => d.key !== event.move.directive);
      }
      if (!lensById(state, event.move.lens.id)) state.lenses.push(event.move.lens);
      break;
    }
    case 'candidate.added': {
      const candidate = event.candidate;
      const move = state.pendingMoves.get(candidate.moveId);
      state.pendingMoves.delete(candidate.moveId);
      const firstParent = candidate.parentIds[0];
      const parentNode = firstParent ? state.nodes.get(firstParent) : undefined;
      state.nodes.set(candidate.id, {
        candidate,
        index: state.order.length,
        judgment: undefined,
        children: [],
        exhausted: null,
        // A policy move still in flight when the person pruned its parent makes a pruned child.
        pruned: move?.origin === 'policy' && candidate.parentIds.some((id) => state.nodes.get(id)?.pruned === true),
        feedback: move?.feedback ?? parentNode?.feedback,
        directive: move?.directive,
        duplicateOf: state.textIds.get(candidate.text),
      });
      if (!state.textIds.has(candidate.text)) state.textIds.set(candidate.text, candidate.id);
      if (move?.directive !== undefined) state.indexes.directed.push(state.nodes.get(candidate.id) as CandidateNode);
      state.order.push(candidate.id);
      for (const parentId of candidate.parentIds) {
        const parent = state.nodes.get(parentId);
        if (parent) {
          parent.children.push(candidate.id);
          removeOpenLeaf(state.indexes, parentId);
        }
      }
      countCandidate(state.indexes, candidate);
      break;
    }
    case 'candidate.judged': {
      const node = state.nodes.get(event.judgment.candidateId);
      if (!node || event.judgment.briefId !== state.briefId) break;
      if (node.judgment !== undefined) {
        // Judged twice against one brief (rare): the ranking must lose the old judgment.
        node.judgment = event.judgment;
        state.indexes = deriveIndexes(state);
        break;
      }
      node.judgment = event.judgment;
      state.indexes.judgedCount += 1;
      const stats = state.indexes.lensStats.get(node.candidate.lensId);
      if (stats && event.judgment.quality > stats.best) stats.best = event.judgment.quality;
      if (!node.pruned) {
        if (isBetter(state, node.candidate.id, state.indexes.bestId)) state.indexes.bestId = node.candidate.id;
        if (node.children.length === 0 && node.exhausted === null) addOpenLeaf(state.indexes, node.candidate.id);
        state.indexes.ranked.insert(node);
        state.indexes.judged.push(node);
        noteLensBest(state.indexes, node);
      }
      break;
    }
    case 'path.exhausted': {
      const node = state.nodes.get(event.candidateId);
      if (!node) break;
      if (node.exhausted === null) state.indexes.exhaustedCount += 1;
      node.exhausted = event.reason;
      removeOpenLeaf(state.indexes, event.candidateId);
      break;
    }
    case 'checkpoint.raised':
      state.checkpoints.push(event.checkpoint);
      state.openCheckpoint = event.checkpoint;
      state.status = 'awaiting';
      state.candidatesAtLastCheckpoint = state.order.length;
      for (const reason of event.checkpoint.reasons) state.raisedKeys.add(reason.key);
      break;
    case 'lens.added':
      state.lenses = mergeLenses(state.lenses, [event.lens]);
      break;
    case 'trigger.deferred':
      // Informational: the signal stays pending and joins the next checkpoint.
      break;
    case 'decision.made':
      applyDecision(state, event.decision);
      break;
    case 'checkpoint.assumed':
      applyAssumption(state, event.assumption);
      break;
    case 'assumption.reversed':
      applyReversal(state, event.reversal);
      break;
    case 'brief.redirected':
      state.briefId = event.briefId;
      state.lenses = mergeLenses(state.lenses, event.lenses);
      // Every judgment belongs to the old brief: candidates are re-judged against the new one.
      for (const node of state.nodes.values()) {
        node.judgment = undefined;
        node.exhausted = null;
      }
      state.indexes = deriveIndexes(state);
      break;
    case 'exploration.ended':
      state.status = event.status;
      state.endReason = event.reason;
      state.openCheckpoint = null;
      if (event.candidateId) state.acceptedId = event.candidateId;
      break;
    case 'exploration.reopened': {
      const { reopening } = event;
      state.reopenings.push(reopening);
      state.status = 'running';
      state.endReason = null;
      state.acceptedId = null;
      state.extraBudget = {
        calls: state.extraBudget.calls + (reopening.budget.calls ?? 0),
        tokens: state.extraBudget.tokens + (reopening.budget.tokens ?? 0),
        usd: state.extraBudget.usd + (reopening.budget.usd ?? 0),
      };
      // The terminal situations were answered by ending; with more budget they may be met anew.
      state.raisedKeys.delete('exhausted');
      state.raisedKeys.delete('budget:spent');
      // What is made from here on is news: the next checkpoint waits for new work as after a decision.
      state.candidatesAtLastCheckpoint = state.order.length;
      break;
    }
  }
  return state;
}

function applyDecision(state: ExplorationState, decision: Decision): void {
  state.decisions.push(decision);
  state.assumptionsAtLastDecision = state.assumptions.length;
  state.openCheckpoint = null;
  if (state.status === 'awaiting') state.status = 'running';
  const ids = decision.candidateIds;
  switch (decision.action) {
    case 'prune':
      for (const id of ids) pruneSubtree(state, id);
      state.indexes = deriveIndexes(state);
      break;
    case 'deepen':
      ids.forEach((id, index) => {
        state.directives.push({
          key: `${decision.id}:${index}`,
          kind: 'deepen',
          parentIds: [id],
          lens: undefined,
          feedback: decision.feedback,
        });
      });
      break;
    case 'combine':
      state.directives.push({
        key: `${decision.id}:0`,
        kind: 'combine',
        parentIds: ids.slice(0, 2),
        lens: undefined,
        feedback: decision.feedback,
      });
      break;
    case 'lens': {
      const lens = decision.lens ? lensById(state, decision.lens) : undefined;
      state.directives.push({
        key: `${decision.id}:0`,
        kind: 'open',
        parentIds: [],
        lens,
        feedback: decision.feedback,
      });
      break;
    }
    case 'accept':
    case 'redirect':
    case 'continue':
      break;
  }
}

/** As if the person had decided: the reasons count as seen, the assumed moves are directed. */
function applyAssumption(state: ExplorationState, assumption: Assumption): void {
  state.assumptions.push(assumption);
  for (const reason of assumption.reasons) state.raisedKeys.add(reason.key);
  assumption.candidateIds.forEach((id, index) => {
    state.directives.push({ key: `${assumption.id}:${index}`, kind: 'deepen', parentIds: [id], lens: undefined, feedback: undefined });
  });
}

/** Undoes an assumption as far as possible: moves not yet run are dropped, what they made is pruned. */
function applyReversal(state: ExplorationState, reversal: Reversal): void {
  state.reversals.push(reversal);
  const prefix = `${reversal.assumptionId}:`;
  state.directives = state.directives.filter((d) => !d.key.startsWith(prefix));
  for (const [moveId, move] of state.pendingMoves) if (move.directive?.startsWith(prefix)) state.pendingMoves.delete(moveId);
  for (const id of reversal.prunedIds) pruneSubtree(state, id);
  state.indexes = deriveIndexes(state);
}

/** Candidates made by the moves an assumption directed (what reversing it would prune). */
export function madeByAssumption(state: ExplorationState, assumptionId: string): string[] {
  const prefix = `${assumptionId}:`;
  return state.order.filter((id) => state.nodes.get(id)?.directive?.startsWith(prefix));
}

function pruneSubtree(state: ExplorationState, rootId: string): void {
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const node = state.nodes.get(id);
    if (!node || node.pruned) continue;
    node.pruned = true;
    stack.push(...node.children);
  }
}

const lensMaps = new WeakMap<Lens[], Map<string, Lens>>();

/**
 * A lens of the exploration by id. The lookup table is kept per lens list and rebuilt when the
 * list grew: an exploration may have hundreds of lenses, looked up on every move.
 */
export function lensById(state: Pick<ExplorationState, 'lenses'>, id: string): Lens | undefined {
  let map = lensMaps.get(state.lenses);
  if (!map || map.size !== state.lenses.length) {
    map = new Map();
    for (const lens of state.lenses) if (!map.has(lens.id)) map.set(lens.id, lens);
    // Duplicate ids would keep the size short of the length forever: then do not cache.
    if (map.size === state.lenses.length) lensMaps.set(state.lenses, map);
  }
  return map.get(id);
}

function mergeLenses(current: Lens[], added: Lens[]): Lens[] {
  const merged = [...current];
  for (const lens of added) if (!merged.some((l) => l.id === lens.id)) merged.push(lens);
  return merged;
}

/** Rebuilds a state from stored events (resume, and the reference in property tests). */
export function replay(explorationId: string, events: Iterable<{ seq: number; event: ExplorationEvent }>): ExplorationState {
  const state = initialState(explorationId);
  for (const { seq, event } of events) applyEvent(state, event, seq);
  return state;
}

/** Judged, unpruned candidates, in insertion order (a full scan: not for every wave). */
export function judgedNodes(state: ExplorationState): CandidateNode[] {
  const nodes: CandidateNode[] = [];
  for (const id of state.order) {
    const node = state.nodes.get(id);
    if (node?.judgment && !node.pruned) nodes.push(node);
  }
  return nodes;
}

/** The lineage from the opening to `id`, following first parents. */
export function pathTo(state: ExplorationState, id: string): CandidateNode[] {
  const path: CandidateNode[] = [];
  let current = state.nodes.get(id);
  while (current) {
    path.unshift(current);
    const parentId = current.candidate.parentIds[0];
    current = parentId ? state.nodes.get(parentId) : undefined;
  }
  return path;
}
