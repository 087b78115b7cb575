import { describe, expect, it } from 'vitest';
import { BudgetGuard } from './budget.js';

describe('BudgetGuard after a crash', () => {
  const limits = { calls: 10, usd: 1 };

  it('enforces what cut-off calls may have cost', () => {
    const guard = new BudgetGuard(limits, { calls: 9, tokens: 0, usd: 0.2 }, { calls: 3, tokens: 0, usd: 0.1 });
    expect(guard.callsLeft()).toBe(1);
    expect(guard.share()).toBeCloseTo(0.9);
    expect(guard.reserve({ tokens: 10, usd: 0.01 })).not.toBeNull();
    expect(guard.reserve({ tokens: 10, usd: 0.01 })).toBeNull();
  });

  it('plans on the share the work itself used, so a resumed exploration makes the same moves', () => {
    const crashed = new BudgetGuard(limits, { calls: 9, tokens: 0, usd: 0.2 }, { calls: 3, tokens: 0, usd: 0.1 });
    const uninterrupted = new BudgetGuard(limits, { calls: 6, tokens: 0, usd: 0.1 });
    expect(crashed.workShare()).toBeCloseTo(uninterrupted.share());
    expect(crashed.share()).toBeGreaterThan(crashed.workShare());
  });

  it('counts calls in flight in both shares', () => {
    const guard = new BudgetGuard(limits, { calls: 2, tokens: 0, usd: 0 }, { calls: 1, tokens: 0, usd: 0 });
    guard.reserve({ tokens: 0, usd: 0 });
    expect(guard.share()).toBeCloseTo(0.3);
    expect(guard.workShare()).toBeCloseTo(0.2);
  });
});
