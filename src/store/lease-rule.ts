import type { AcquireLeaseOptions, Lease, LeaseClaim } from './store.js';

/**
 * What every store decides the same way about a lease, whatever its SQL: the row it keeps, and
 * whether a claim wins over the lease as held. Each adapter only makes the decision atomic.
 */

export interface LeaseRow {
  exploration_id: string;
  holder: string;
  pid: number;
  host: string;
  since: string;
  heartbeat: string;
  yield_requested: string | null;
}

export function toLease(row: LeaseRow): Lease {
  return {
    explorationId: row.exploration_id,
    holder: row.holder,
    pid: row.pid,
    host: row.host,
    since: row.since,
    heartbeat: row.heartbeat,
    yieldRequested: row.yield_requested,
  };
}

/**
 * Whether `claim` takes the lease `held` (undefined: nobody holds it): a free lease, its own
 * holder re-claiming, or a holder the caller judges gone (`takeOver`). Otherwise it is refused.
 */
export function claimWins(held: LeaseRow | undefined, claim: LeaseClaim, options: AcquireLeaseOptions): boolean {
  return !held || held.holder === claim.holder || (options.takeOver?.(toLease(held)) ?? false);
}

/** The lease row a winning claim leaves: `since` kept when its holder re-claims, no yield asked. */
export function claimedRow(explorationId: string, held: LeaseRow | undefined, claim: LeaseClaim): LeaseRow {
  return {
    exploration_id: explorationId,
    holder: claim.holder,
    pid: claim.pid,
    host: claim.host,
    since: held?.holder === claim.holder ? held.since : claim.at,
    heartbeat: claim.at,
    yield_requested: null,
  };
}
