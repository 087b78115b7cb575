import type { ExplorationRecord, SpendTotals } from '../store/store.js';
import type { ExplorationLease, LeaseInfo, LiveStatus, SpendSummary } from './contract.js';

/**
 * An exploration's live state from the store: this server's runs, and the per-exploration lease
 * (`Runs.leaseOf`: null when nobody holds it or its holder stopped beating) that another process
 * holds while it explores.
 */

export function liveStatusOf(record: ExplorationRecord, runningHere: boolean, held: LeaseInfo | null): LiveStatus {
  const lease: ExplorationLease | null = held ? { pid: held.pid, host: held.host, since: held.since, heartbeatAt: held.heartbeat } : null;
  if (runningHere) return { state: 'running-here', lease };
  if (lease && held?.elsewhere) return { state: 'running-elsewhere', lease };
  switch (record.status) {
    case 'awaiting':
      return { state: 'awaiting', lease: null };
    case 'running':
      // Held by this process, but not by one of its background runs (a library call in flight).
      return lease ? { state: 'running-here', lease } : { state: 'paused', lease: null };
    default:
      return { state: 'ended', lease: null };
  }
}

/** Calls without a result are "in flight" while a run holds the exploration, else possibly billed. */
export function spendSummary(spend: Pick<SpendTotals, 'calls' | 'tokens' | 'usd' | 'possiblyBilled'> & { estimatedCalls?: number | undefined }, live: LiveStatus): SpendSummary {
  const exploring = live.state === 'running-here' || live.state === 'running-elsewhere';
  return {
    calls: spend.calls,
    tokens: spend.tokens,
    usd: Math.round(spend.usd * 1e6) / 1e6,
    possiblyBilled: exploring ? 0 : spend.possiblyBilled,
    inFlight: exploring ? spend.possiblyBilled : 0,
    estimatedCalls: spend.estimatedCalls ?? 0,
  };
}
