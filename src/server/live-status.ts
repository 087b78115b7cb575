import { z } from 'zod';
import type { ExplorationRecord, SpendTotals } from '../store/store.js';
import type { ExplorationLease, LiveStatus, SpendSummary } from './contract.js';

/**
 * An exploration's live state from the store: this server's runs, and the per-exploration lease
 * another process holds while it explores (hardening's `lease` on the record, `{ pid, host,
 * since, heartbeatAt } | null`). Read defensively: a store without leases has no such field, and
 * a malformed one is treated as no lease rather than trusted.
 */

const LeaseShape = z.object({
  pid: z.number().int(),
  host: z.string().max(255),
  since: z.union([z.string(), z.date()]).transform(iso),
  heartbeatAt: z.union([z.string(), z.date()]).transform(iso),
});

function iso(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

export function leaseOf(record: ExplorationRecord): ExplorationLease | null {
  const raw = (record as ExplorationRecord & { lease?: unknown }).lease;
  if (raw === undefined || raw === null) return null;
  const parsed = LeaseShape.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function liveStatusOf(record: ExplorationRecord, runningHere: boolean): LiveStatus {
  const lease = leaseOf(record);
  if (runningHere) return { state: 'running-here', lease };
  if (lease) return { state: 'running-elsewhere', lease };
  switch (record.status) {
    case 'awaiting':
      return { state: 'awaiting', lease: null };
    case 'running':
      return { state: 'paused', lease: null };
    default:
      return { state: 'ended', lease: null };
  }
}

/** Calls without a result are "in flight" while a run holds the exploration, else possibly billed. */
export function spendSummary(spend: Pick<SpendTotals, 'calls' | 'tokens' | 'usd' | 'possiblyBilled'>, live: LiveStatus): SpendSummary {
  const exploring = live.state === 'running-here' || live.state === 'running-elsewhere';
  return {
    calls: spend.calls,
    tokens: spend.tokens,
    usd: Math.round(spend.usd * 1e6) / 1e6,
    possiblyBilled: exploring ? 0 : spend.possiblyBilled,
    inFlight: exploring ? spend.possiblyBilled : 0,
  };
}
