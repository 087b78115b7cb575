import { describe, expect, it } from 'vitest';
import type { ExplorationRecord } from '../store/store.js';
import type { LeaseInfo } from './contract.js';
import { liveStatusOf, spendSummary } from './live-status.js';

const record = (status: ExplorationRecord['status']): ExplorationRecord => ({
  id: 'x1',
  briefId: 'b',
  currentBriefId: 'b',
  status,
  seed: 1,
  model: 'rehearsal',
  judge: 'rehearsal',
  title: 't',
  createdAt: 'c',
  updatedAt: 'u',
});

describe('live status from the store', () => {
  const held: LeaseInfo = { pid: 4242, host: 'build-7', since: '2026-12-03T14:00:00.000Z', heartbeat: '2026-12-03T14:00:05.000Z', elsewhere: true };
  const lease = { pid: 4242, host: 'build-7', since: '2026-12-03T14:00:00.000Z', heartbeatAt: '2026-12-03T14:00:05.000Z' };

  it('says who explores an exploration another process holds', () => {
    expect(liveStatusOf(record('running'), false, held)).toEqual({ state: 'running-elsewhere', lease });
    expect(liveStatusOf(record('awaiting'), false, held)).toEqual({ state: 'running-elsewhere', lease });
  });

  it('prefers this server’s own run, and reads the rest from the status', () => {
    expect(liveStatusOf(record('running'), true, null).state).toBe('running-here');
    expect(liveStatusOf(record('running'), false, { ...held, elsewhere: false }).state).toBe('running-here');
    expect(liveStatusOf(record('running'), false, null).state).toBe('paused');
    expect(liveStatusOf(record('awaiting'), false, null).state).toBe('awaiting');
    for (const status of ['accepted', 'exhausted', 'stopped'] as const) expect(liveStatusOf(record(status), false, null).state).toBe('ended');
  });

  it('counts calls without a result as in flight while someone explores, possibly billed otherwise', () => {
    const spend = { calls: 3, tokens: 10, usd: 0.1234567, possiblyBilled: 2, estimatedCalls: 1 };
    expect(spendSummary(spend, { state: 'running-elsewhere', lease })).toMatchObject({ inFlight: 2, possiblyBilled: 0, usd: 0.123457, estimatedCalls: 1 });
    expect(spendSummary(spend, { state: 'paused', lease: null })).toMatchObject({ inFlight: 0, possiblyBilled: 2 });
  });
});
