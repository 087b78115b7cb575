import { countWords } from '../explore/checks.js';
import type { CandidateNode, ExplorationState } from '../explore/state.js';
import { ranksBefore } from '../explore/indexes.js';
import { lensById } from '../explore/state.js';
import type { Judgment } from '../explore/types.js';
import type { AssumedItem, Board, BoardCard, DirectionRow, LensCoverage, Spend, TriggerSignal } from './types.js';
import { tradeOff } from './triggers.js';
import { pilotSummary } from './pilot-summary.js';
import type { Criterion } from '../brief/schema.js';

/**
 * The board: what the person sees at a checkpoint. Pure — built from the state, the reasons
 * for stopping and the spend. Compact on purpose: the best so far, the best of each other
 * direction, both sides of every trade-off, whatever a trigger points at; each card says why it
 * is there.
 */

export interface BoardInput {
  state: ExplorationState;
  checkpointId: string | null;
  reasons: readonly TriggerSignal[];
  spend: Spend;
  label: string;
  /** Most cards on the board. */
  maxCards?: number;
  /** The person's taste: orders the cards that are not there for a trigger (best first always). */
  taste?: (candidateId: string) => number | undefined;
  tradeOffMargin?: number;
  /** The brief's criteria: for the pilot's summary. */
  criteria?: readonly Criterion[];
  /** Cards given to the direction the person chose last (default `CHOSEN_DEPTH`). */
  chosenDepth?: number;
}

/** The reasons of a board where the person picks a result: nothing is left to do, or the budget is spent. */
const LAST_BOARD: ReadonlySet<string> = new Set(['exhausted', 'budget:spent']);

/** How many cards the direction the person chose last gets on the last board, its best included. */
export const CHOSEN_DEPTH = 3;

/** Cosine similarity to its parent at or above which a candidate repeats it (as exhaustion counts a near-duplicate). */
const REPEATS_PARENT = 0.95;

export function buildBoard(input: BoardInput): Board {
  const { state } = input;
  const maxCards = input.maxCards ?? 8;
  const cards = new Map<string, BoardCard>();
  const add = (node: CandidateNode | undefined, role: string, why: string): void => {
    if (!node?.judgment) return;
    const existing = cards.get(node.candidate.id);
    if (existing) {
      if (!existing.roles.includes(role)) {
        existing.roles.push(role);
        // Joined as one sentence: "the best so far; a candidate …" (a proper noun or an acronym keeps its capital).
        existing.why = `${existing.why}; ${/^[A-Z][a-z]/.test(why) ? why.charAt(0).toLowerCase() + why.slice(1) : why}`;
      }
      return;
    }
    if (cards.size >= maxCards) return;
    cards.set(node.candidate.id, card(state, node, role, why));
  };

  const bestId = state.indexes.bestId;
  const best = bestId ? state.nodes.get(bestId) : undefined;
  add(best, 'best', 'the best so far');

  // Whatever a trigger points at is why we stopped: it goes first after the best.
  for (const reason of input.reasons) {
    for (const id of reason.candidateIds) add(state.nodes.get(id), roleFor(reason.kind), reason.reason);
  }

  const tradeOffs: Board['tradeOffs'] = [];
  const margin = input.tradeOffMargin ?? 1.5;
  const byLens = bestPerLens(state);
  // A direction that taste or novelty ranks first is never left off for lack of room.
  for (const node of standouts(byLens, input.taste)) {
    if (node.candidate.id !== bestId) add(node, 'direction', `the best of the ${lensName(state, node)} direction, ranked first by your taste or by novelty`);
  }
  // On the last board, where the person picks a result rather than a direction, the direction
  // they chose last gets more than one card: their choice is evidence the judge cannot see, so
  // their pick is likeliest there, and one card chosen by the judge's ranking alone would often
  // hide their favourite of it. Earlier boards ask which direction to follow: one card each.
  if (input.reasons.some((r) => LAST_BOARD.has(r.key))) {
    for (const node of chosenDirection(state, input.chosenDepth ?? CHOSEN_DEPTH)) {
      add(node, 'chosen', `one of the best of the ${lensName(state, node)} direction, which you chose`);
    }
  }
  for (const node of byLens) {
    if (node.candidate.id === bestId) continue;
    add(node, 'direction', `the best of the ${lensName(state, node)} direction`);
  }
  if (best?.judgment) {
    for (const node of byLens) {
      if (node === best || !node.judgment) continue;
      const { aWins, bWins } = tradeOff(best.judgment, node.judgment, margin);
      if (aWins.length > 0 && bWins.length > 0) {
        tradeOffs.push({ a: best.candidate.id, b: node.candidate.id, aWins, bWins });
        add(node, 'trade-off', `stronger than the best on ${bWins.join(', ')}`);
      }
    }
  }

  const board: Board = {
    explorationId: state.id,
    checkpointId: input.checkpointId,
    reasons: [...input.reasons],
    cards: orderByTaste([...cards.values()], input),
    tradeOffs,
    spend: input.spend,
    lenses: lensCoverage(state),
    directions: directionRows(state, cards, input.taste),
    candidates: state.order.length,
    label: input.label,
  };
  const assumed = assumedSinceLastDecision(state);
  if (assumed.length > 0) board.assumed = assumed;
  const pilot = input.reasons.find((r) => r.kind === 'pilot');
  if (pilot && input.criteria) board.pilot = pilotSummary(state, pilot.candidateIds, input.criteria);
  return board;
}

/** Checkpoints skipped since the person last decided, and what was assumed in their place. */
export function assumedSinceLastDecision(state: ExplorationState): AssumedItem[] {
  const reversed = new Set(state.reversals.map((r) => r.assumptionId));
  return state.assumptions.slice(state.assumptionsAtLastDecision).map((a) => ({
    assumptionId: a.id,
    summary: `${a.reasons.map((r) => r.kind).join(' + ')} checkpoint skipped: assumed you would deepen ${a.candidateIds.join(', ')} (confidence ${Math.round(a.confidence * 100)}%, borne out by ${Math.round(a.backing.accuracy * 100)}% of ${a.backing.count} past predictions about as confident)`,
    reasons: a.reasons.map((r) => r.kind),
    action: a.action,
    candidateIds: [...a.candidateIds],
    confidence: a.confidence,
    reversed: reversed.has(a.id),
  }));
}

/**
 * The best comes first, then whatever a trigger points at (why Baton stopped), then the rest
 * in the order of the person's taste, once it has been learned.
 */
function orderByTaste(cards: BoardCard[], input: BoardInput): BoardCard[] {
  const taste = input.taste;
  if (!taste) return cards;
  for (const c of cards) {
    const score = taste(c.candidateId);
    if (score !== undefined) c.taste = Math.round(score * 1000) / 1000;
  }
  const pointed = new Set(input.reasons.flatMap((r) => r.candidateIds));
  const fixed = cards.filter((c, i) => i === 0 || pointed.has(c.candidateId));
  const rest = cards.filter((c, i) => i !== 0 && !pointed.has(c.candidateId));
  rest.sort((a, b) => (b.taste ?? 0) - (a.taste ?? 0));
  return [...fixed, ...rest];
}

function card(state: ExplorationState, node: CandidateNode, role: string, why: string): BoardCard {
  const judgment = node.judgment as Judgment;
  const text = node.candidate.text;
  return {
    candidateId: node.candidate.id,
    roles: [role],
    why,
    lensId: node.candidate.lensId,
    lensName: lensName(state, node),
    kind: node.candidate.kind,
    depth: node.candidate.depth,
    quality: judgment.quality,
    novelty: judgment.novelty,
    scores: judgment.scores,
    flags: judgment.flags,
    failed: judgment.failed.map((f) => `${f.constraint}: ${f.reason}`),
    exhausted: node.exhausted,
    excerpt: excerpt(text, 280),
    words: countWords(text),
  };
}

function roleFor(kind: TriggerSignal['kind']): string {
  switch (kind) {
    case 'sensitive':
    case 'unclear':
      return 'flagged';
    case 'novelty':
      return 'novel';
    case 'conflict':
      return 'trade-off';
    default:
      return kind;
  }
}

/**
 * The best `count` candidates (by the judge) of the directions the person's latest deepen or
 * combine named: what they chose, and what the models made of it since — leaving out a
 * near-copy of a candidate already picked (one of them says all). Empty before any such decision.
 */
export function chosenDirection(state: ExplorationState, count: number): CandidateNode[] {
  if (count <= 0) return [];
  let latest: readonly string[] = [];
  for (let i = state.decisions.length - 1; i >= 0 && latest.length === 0; i -= 1) {
    const decision = state.decisions[i];
    if (decision && (decision.action === 'deepen' || decision.action === 'combine')) latest = decision.candidateIds;
  }
  const lenses = new Set(latest.flatMap((id) => state.nodes.get(id)?.candidate.lensId ?? []));
  const picked: CandidateNode[] = [];
  for (const lensId of lenses) {
    const mine: CandidateNode[] = [];
    // Best first: the walk stops once the direction has its cards.
    for (const node of state.indexes.ranked) {
      if (mine.length >= count) break;
      if (node.candidate.lensId !== lensId || node.pruned || !node.judgment || node.judgment.failed.length > 0) continue;
      if (mine.some((m) => repeats(node, m) || repeats(m, node))) continue;
      mine.push(node);
    }
    picked.push(...mine);
  }
  return picked;
}

/** `child` is a near-copy of `parent`. */
function repeats(child: CandidateNode, parent: CandidateNode): boolean {
  return child.candidate.parentIds.includes(parent.candidate.id) && (child.judgment?.parentSimilarity ?? 0) >= REPEATS_PARENT;
}

/** The directions taste ranks first (when learned) and novelty ranks first. */
function standouts(byLens: readonly CandidateNode[], taste: BoardInput['taste']): CandidateNode[] {
  const picks: CandidateNode[] = [];
  if (taste && byLens.length > 0) {
    const scored = byLens.map((n) => ({ n, t: taste(n.candidate.id) ?? Number.NEGATIVE_INFINITY }));
    const top = scored.reduce((a, b) => (b.t > a.t ? b : a));
    if (Number.isFinite(top.t)) picks.push(top.n);
  }
  if (byLens.length > 0) {
    const novel = byLens.reduce((a, b) => ((b.judgment?.novelty ?? 0) > (a.judgment?.novelty ?? 0) ? b : a));
    if (!picks.includes(novel)) picks.push(novel);
  }
  return picks;
}

/** Every lens in play as a compact row: its best, how many candidates, whether the person saw its best. */
export function directionRows(state: ExplorationState, cards: ReadonlyMap<string, BoardCard>, taste?: BoardInput['taste']): DirectionRow[] {
  const shown = new Set<string>();
  for (const checkpoint of state.checkpoints) for (const c of checkpoint.board.cards) shown.add(c.candidateId);
  return state.lenses
    .filter((lens) => (state.indexes.lensStats.get(lens.id)?.count ?? 0) > 0 || lens.id !== 'combine')
    .map((lens) => {
      const best = state.indexes.lensBest.get(lens.id);
      const id = best?.candidate.id ?? null;
      const row: DirectionRow = {
        lensId: lens.id,
        lensName: lens.name,
        bestId: id,
        best: best?.judgment?.quality ?? null,
        candidates: state.indexes.lensStats.get(lens.id)?.count ?? 0,
        onBoard: id !== null && cards.has(id),
        seen: id !== null && (cards.has(id) || shown.has(id)),
      };
      const score = id !== null ? taste?.(id) : undefined;
      if (score !== undefined && Number.isFinite(score)) row.taste = Math.round(score * 1000) / 1000;
      if (best?.judgment) row.novelty = best.judgment.novelty;
      return row;
    })
    .sort((a, b) => (b.best ?? -1) - (a.best ?? -1));
}

/** The best candidate of each lens (ties: earliest), best first. */
function bestPerLens(state: ExplorationState): CandidateNode[] {
  return [...state.indexes.lensBest.values()].sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));
}

export function lensCoverage(state: ExplorationState): LensCoverage[] {
  return state.lenses.map((lens) => {
    const stats = state.indexes.lensStats.get(lens.id);
    return { lensId: lens.id, lensName: lens.name, candidates: stats?.count ?? 0, best: stats?.best ?? 0 };
  });
}

function lensName(state: ExplorationState, node: CandidateNode): string {
  return lensById(state, node.candidate.lensId)?.name ?? node.candidate.lensId;
}

/** The text without its leading label lines, cut at a word boundary. */
export function excerpt(text: string, max: number): string {
  // Leading bracketed lines are labels (the rehearsal model's header), not the candidate's words.
  const body = text.replace(/^(?:\[[^\]\n]*\][ \t]*(?:\n|$)\s*)+/u, '').replace(/\s+/gu, ' ').trim();
  if (body.length <= max) return body;
  const cut = body.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > max * 0.6 ? space : max)}…`;
}

