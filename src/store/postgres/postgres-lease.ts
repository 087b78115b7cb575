import { BatonError } from '../../errors.js';
import type { LeaseRow } from '../lease-rule.js';
import { claimedRow, claimWins, toLease } from '../lease-rule.js';
import type { AcquireLeaseOptions, Lease, LeaseAttempt, LeaseClaim } from '../store.js';
import type { Queryable } from './postgres-events.js';

/**
 * The Postgres side of exploration leases (see `Lease` in store.ts), with the SQLite store's
 * semantics: one row per exploration, claimed with INSERT … ON CONFLICT DO NOTHING and, when
 * someone holds it, decided on under that row's lock (SELECT … FOR UPDATE), so claimants racing
 * from any number of processes see each other's claim and exactly one wins.
 */

/** Runs inside one transaction (the caller's). */
export async function acquireLeaseRow(db: Queryable, explorationId: string, claim: LeaseClaim, options: AcquireLeaseOptions): Promise<LeaseAttempt> {
  const exists = await db.query('SELECT 1 FROM explorations WHERE id = $1', [explorationId]);
  if (exists.rowCount === 0) throw new BatonError('not_found', `No exploration ${explorationId}.`);
  // A few rounds at most: a row released between our insert and our lock is claimed afresh.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const inserted = await db.query<LeaseRow>(
      `INSERT INTO leases (exploration_id, holder, pid, host, since, heartbeat, yield_requested)
       VALUES ($1, $2, $3, $4, $5, $5, NULL) ON CONFLICT (exploration_id) DO NOTHING RETURNING *`,
      [explorationId, claim.holder, claim.pid, claim.host, claim.at],
    );
    const fresh = inserted.rows[0];
    if (fresh) return { acquired: true, lease: toLease(fresh) };
    const locked = await db.query<LeaseRow>('SELECT * FROM leases WHERE exploration_id = $1 FOR UPDATE', [explorationId]);
    const held = locked.rows[0];
    if (!held) continue;
    if (!claimWins(held, claim, options)) {
      if (!options.askToYield) return { acquired: false, lease: toLease(held) };
      const asked = await db.query<LeaseRow>('UPDATE leases SET yield_requested = COALESCE(yield_requested, $2) WHERE exploration_id = $1 RETURNING *', [
        explorationId,
        claim.at,
      ]);
      return { acquired: false, lease: toLease(asked.rows[0] ?? held) };
    }
    const next = claimedRow(explorationId, held, claim);
    const updated = await db.query<LeaseRow>(
      `UPDATE leases SET holder = $2, pid = $3, host = $4, since = $5, heartbeat = $6, yield_requested = NULL
       WHERE exploration_id = $1 RETURNING *`,
      [explorationId, next.holder, next.pid, next.host, next.since, next.heartbeat],
    );
    const row = updated.rows[0];
    if (row) return { acquired: true, lease: toLease(row) };
  }
  throw new BatonError('internal', `The lease of ${explorationId} kept changing hands while it was being taken.`);
}

export async function renewLeaseRow(db: Queryable, explorationId: string, holder: string, at: string): Promise<Lease | undefined> {
  const { rows } = await db.query<LeaseRow>('UPDATE leases SET heartbeat = $3 WHERE exploration_id = $1 AND holder = $2 RETURNING *', [explorationId, holder, at]);
  return rows[0] && toLease(rows[0]);
}

export async function releaseLeaseRow(db: Queryable, explorationId: string, holder: string): Promise<void> {
  await db.query('DELETE FROM leases WHERE exploration_id = $1 AND holder = $2', [explorationId, holder]);
}

export async function getLeaseRow(db: Queryable, explorationId: string): Promise<Lease | undefined> {
  const { rows } = await db.query<LeaseRow>('SELECT * FROM leases WHERE exploration_id = $1', [explorationId]);
  return rows[0] && toLease(rows[0]);
}
