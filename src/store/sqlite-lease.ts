import type Database from 'better-sqlite3';
import type { LeaseRow } from './lease-rule.js';
import { claimedRow, claimWins, toLease } from './lease-rule.js';
import type { AcquireLeaseOptions, Lease, LeaseAttempt, LeaseClaim } from './store.js';

/**
 * The SQLite side of exploration leases (see `Lease` in store.ts): one row per exploration,
 * taken, renewed and released in immediate transactions, so two processes deciding at once see
 * each other's claim.
 */

export interface LeaseStatements {
  acquire(explorationId: string, claim: LeaseClaim, options: AcquireLeaseOptions): LeaseAttempt;
  renew(explorationId: string, holder: string, at: string): Lease | undefined;
  release(explorationId: string, holder: string): void;
  get(explorationId: string): Lease | undefined;
}

export function leaseStatements(db: Database.Database): LeaseStatements {
  const get = db.prepare<[string], LeaseRow>('SELECT * FROM leases WHERE exploration_id = ?');
  const put = db.prepare<LeaseRow>(
    `INSERT INTO leases (exploration_id, holder, pid, host, since, heartbeat, yield_requested)
     VALUES (@exploration_id, @holder, @pid, @host, @since, @heartbeat, @yield_requested)
     ON CONFLICT (exploration_id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
       since = excluded.since, heartbeat = excluded.heartbeat, yield_requested = NULL`,
  );
  const askToYield = db.prepare<[string, string]>('UPDATE leases SET yield_requested = COALESCE(yield_requested, ?) WHERE exploration_id = ?');
  const renew = db.prepare<[string, string, string]>('UPDATE leases SET heartbeat = ? WHERE exploration_id = ? AND holder = ?');
  const release = db.prepare<[string, string]>('DELETE FROM leases WHERE exploration_id = ? AND holder = ?');

  const acquire = db.transaction((explorationId: string, claim: LeaseClaim, options: AcquireLeaseOptions): LeaseAttempt => {
    const held = get.get(explorationId);
    if (held && !claimWins(held, claim, options)) {
      if (options.askToYield) askToYield.run(claim.at, explorationId);
      return { acquired: false, lease: toLease(get.get(explorationId) ?? held) };
    }
    const row = claimedRow(explorationId, held, claim);
    put.run(row);
    return { acquired: true, lease: toLease(row) };
  });
  const renewed = db.transaction((explorationId: string, holder: string, at: string): Lease | undefined => {
    if (renew.run(at, explorationId, holder).changes === 0) return undefined;
    const row = get.get(explorationId);
    return row && toLease(row);
  });

  return {
    acquire: (explorationId, claim, options) => acquire.immediate(explorationId, claim, options),
    renew: (explorationId, holder, at) => renewed.immediate(explorationId, holder, at),
    release: (explorationId, holder) => {
      release.run(explorationId, holder);
    },
    get: (explorationId) => {
      const row = get.get(explorationId);
      return row && toLease(row);
    },
  };
}
