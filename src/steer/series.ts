import type { StoredEvent } from '../explore/events.js';
import type { CallRecord } from '../store/store.js';

/**
 * The figures behind the charts (best quality over moves, novelty against quality, spend over
 * time): one point per judged candidate, in the order they were judged, with the spend of the
 * calls finished by then. Pure: a fold of the event log and the call records.
 */
export interface SeriesPoint {
  /** 1-based count of judged candidates so far. */
  move: number;
  candidateId: string;
  quality: number;
  /** The best quality so far, this one included. */
  bestQuality: number;
  novelty: number;
  lensId: string;
  /** Spend of the calls finished when this candidate was judged. */
  spendUsd: number;
  calls: number;
  tokens: number;
  at: string;
}

export function explorationSeries(events: readonly StoredEvent[], calls: readonly CallRecord[]): SeriesPoint[] {
  const lensOf = new Map<string, string>();
  const finished = calls
    .filter((call) => call.finishedAt !== null && call.status !== 'intent')
    .sort((a, b) => (a.finishedAt as string).localeCompare(b.finishedAt as string));
  const points: SeriesPoint[] = [];
  const spent = { usd: 0, calls: 0, tokens: 0 };
  let nextCall = 0;
  let best = 0;
  for (const { event, at } of events) {
    if (event.type === 'candidate.added') lensOf.set(event.candidate.id, event.candidate.lensId);
    if (event.type !== 'candidate.judged') continue;
    for (; nextCall < finished.length && (finished[nextCall]?.finishedAt as string) <= at; nextCall += 1) {
      const call = finished[nextCall] as CallRecord;
      spent.usd += call.usd ?? 0;
      spent.calls += 1;
      spent.tokens += (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
    }
    const { judgment } = event;
    best = Math.max(best, judgment.quality);
    points.push({
      move: points.length + 1,
      candidateId: judgment.candidateId,
      quality: judgment.quality,
      bestQuality: best,
      novelty: judgment.novelty,
      lensId: lensOf.get(judgment.candidateId) ?? '',
      spendUsd: Math.round(spent.usd * 1e6) / 1e6,
      calls: spent.calls,
      tokens: spent.tokens,
      at,
    });
  }
  return points;
}

export interface CandidateCost {
  calls: number;
  tokens: number;
  usd: number;
}

/**
 * What one candidate cost: the calls of the move that wrote it and every judging of it (call
 * keys are `<moveId>:write…` and `<candidateId>:judge…`). Calls cut off by a crash count as calls
 * with no tokens.
 */
export function candidateCost(candidate: { id: string; moveId: string }, calls: readonly CallRecord[]): CandidateCost {
  const cost: CandidateCost = { calls: 0, tokens: 0, usd: 0 };
  for (const call of calls) {
    if (!call.key.startsWith(`${candidate.moveId}:`) && !call.key.startsWith(`${candidate.id}:judge`)) continue;
    cost.calls += 1;
    cost.tokens += (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
    cost.usd += call.usd ?? 0;
  }
  cost.usd = Math.round(cost.usd * 1e6) / 1e6;
  return cost;
}
