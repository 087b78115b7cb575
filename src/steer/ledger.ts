import type { ExplorationState } from '../explore/state.js';
import type { DecisionAction, TriggerSignal } from './types.js';

/**
 * The ledger: the record of meaning. Every checkpoint with the reasons it was raised and the
 * cards it showed, and the decision taken there with its reason, in order.
 */
export interface LedgerEntry {
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
  } | null;
}

export function buildLedger(state: ExplorationState): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const byCheckpoint = new Map<string, LedgerEntry>();
  for (const checkpoint of state.checkpoints) {
    const entry: LedgerEntry = {
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
    };
    const entry = decision.checkpointId ? byCheckpoint.get(decision.checkpointId) : undefined;
    if (entry && entry.decision === null) entry.decision = record;
    else entries.push({ checkpointId: decision.checkpointId, raisedAt: null, reasons: [], shown: [], decision: record });
  }
  return entries.sort((a, b) => (a.raisedAt ?? a.decision?.at ?? '').localeCompare(b.raisedAt ?? b.decision?.at ?? ''));
}
