import type { ExplorationState } from '../explore/state.js';
import type { DecisionAction, TriggerSignal } from './types.js';

/**
 * The ledger: the record of meaning. Every checkpoint with the reasons it was raised and the
 * cards it showed, and the decision taken there with its reason, in order.
 */
export interface LedgerEntry {
  /**
   * `checkpoint`: a checkpoint raised (and its decision, once taken); `decision`: one taken
   * between checkpoints; `assumption`: a checkpoint skipped, its decision assumed from the
   * person's taste; `reversal`: the person undoing an assumption; `reopening`: the person
   * continuing an ended exploration, with more budget.
   */
  kind: 'checkpoint' | 'decision' | 'assumption' | 'reversal' | 'reopening';
  checkpointId: string | null;
  raisedAt: string | null;
  reasons: TriggerSignal[];
  shown: string[];
  decision: {
    id: string;
    action: DecisionAction;
    candidateIds: string[];
    reason: string | null;
    feedback: string | null;
    lens: string | null;
    briefId: string | null;
    at: string;
    /** Who decided: a person's name on a shared server; null for the store's owner. */
    by: string | null;
  } | null;
  /** For an assumption: what was assumed, on what grounds, and whether it was reversed since. */
  assumption?: {
    id: string;
    action: 'deepen';
    candidateIds: string[];
    confidence: number;
    backing: { count: number; accuracy: number };
    reversedBy: string | null;
  };
  /** For a reversal: which assumption, why, and what was pruned to undo it. */
  reversal?: { id: string; assumptionId: string; reason: string | null; prunedIds: string[] };
  /** For a reopening: how the exploration had ended, and the budget added. */
  reopening?: { id: string; from: string; budget: { calls?: number; tokens?: number; usd?: number }; reason: string | null };
}

export function buildLedger(state: ExplorationState): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const byCheckpoint = new Map<string, LedgerEntry>();
  for (const checkpoint of state.checkpoints) {
    const entry: LedgerEntry = {
      kind: 'checkpoint',
      checkpointId: checkpoint.id,
      raisedAt: checkpoint.createdAt,
      reasons: checkpoint.reasons,
      shown: checkpoint.board.cards.map((c) => c.candidateId),
      decision: null,
    };
    entries.push(entry);
    byCheckpoint.set(checkpoint.id, entry);
  }
  for (const decision of state.decisions) {
    const record = {
      id: decision.id,
      action: decision.action,
      candidateIds: decision.candidateIds,
      reason: decision.reason ?? null,
      feedback: decision.feedback ?? null,
      lens: decision.lens ?? null,
      briefId: decision.briefId ?? null,
      at: decision.createdAt,
      by: decision.actor ?? null,
    };
    const entry = decision.checkpointId ? byCheckpoint.get(decision.checkpointId) : undefined;
    if (entry && entry.decision === null) entry.decision = record;
    else entries.push({ kind: 'decision', checkpointId: decision.checkpointId, raisedAt: null, reasons: [], shown: [], decision: record });
  }
  const reversedBy = new Map(state.reversals.map((r) => [r.assumptionId, r.id]));
  for (const a of state.assumptions) {
    entries.push({
      kind: 'assumption',
      checkpointId: a.checkpointId,
      raisedAt: a.createdAt,
      reasons: a.reasons,
      shown: a.shown,
      decision: null,
      assumption: {
        id: a.id,
        action: a.action,
        candidateIds: a.candidateIds,
        confidence: a.confidence,
        backing: a.backing,
        reversedBy: reversedBy.get(a.id) ?? null,
      },
    });
  }
  for (const r of state.reversals) {
    entries.push({
      kind: 'reversal',
      checkpointId: null,
      raisedAt: r.createdAt,
      reasons: [],
      shown: [],
      decision: null,
      reversal: { id: r.id, assumptionId: r.assumptionId, reason: r.reason ?? null, prunedIds: r.prunedIds },
    });
  }
  for (const o of state.reopenings) {
    entries.push({
      kind: 'reopening',
      checkpointId: null,
      raisedAt: o.createdAt,
      reasons: [],
      shown: [],
      decision: null,
      reopening: { id: o.id, from: o.from, budget: { ...o.budget }, reason: o.reason ?? null },
    });
  }
  // A stable sort: entries at the same time keep the order they were built in.
  return entries.sort((a, b) => (a.raisedAt ?? a.decision?.at ?? '').localeCompare(b.raisedAt ?? b.decision?.at ?? ''));
}

/** A reopening's added budget in words: "40 calls, $0.50" (or "no budget added"). */
export function budgetAddedText(budget: { calls?: number; tokens?: number; usd?: number }): string {
  const parts: string[] = [];
  if (budget.calls !== undefined) parts.push(`${budget.calls} calls`);
  if (budget.tokens !== undefined) parts.push(`${budget.tokens} tokens`);
  if (budget.usd !== undefined) parts.push(`$${budget.usd}`);
  return parts.length > 0 ? `+${parts.join(', ')}` : 'no budget added';
}
