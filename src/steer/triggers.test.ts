import { describe, expect, it } from 'vitest';
import { CRITERIA, StateBuilder } from '../../test/support/state-builder.js';
import type { TriggerInput } from './triggers.js';
import { chooseCheckpoint, detectSignals, meetsAll, movesAffordable, tierForBudget } from './triggers.js';
import { applyEvent } from '../explore/state.js';
import type { Checkpoint } from './types.js';
import type { TriggerSignal } from './types.js';

const input = (b: StateBuilder, overrides: Partial<TriggerInput> = {}): TriggerInput => ({
  state: b.state,
  criteria: CRITERIA,
  budgetShare: 0,
  nothingLeft: false,
  budgetSpent: false,
  ...overrides,
});

const kinds = (signals: TriggerSignal[]): string[] => signals.map((s) => s.kind);

describe('trigger detection', () => {
  it('raises nothing for an ordinary exploration in progress', () => {
    const b = new StateBuilder();
    const c1 = b.add({ scores: { a: 5, b: 5 } });
    b.add({ parents: [c1], scores: { a: 6, b: 6 } });
    expect(detectSignals(input(b))).toEqual([]);
  });

  it('raises met once for a candidate meeting every criterion, and again only for a better one', () => {
    const b = new StateBuilder();
    const good = b.add({ scores: { a: 7.5, b: 8 } });
    const [met] = detectSignals(input(b));
    expect(met).toMatchObject({ kind: 'met', key: `met:${good}`, candidateIds: [good] });
    b.raised(`met:${good}`);
    b.add({ scores: { a: 7, b: 7 } });
    expect(kinds(detectSignals(input(b)))).not.toContain('met');
    const better = b.add({ scores: { a: 9, b: 9 } });
    expect(detectSignals(input(b)).find((s) => s.kind === 'met')?.candidateIds).toEqual([better]);
  });

  it('raises met again only for a candidate better by more than the judge can resolve', () => {
    const b = new StateBuilder();
    const good = b.add({ scores: { a: 7.5, b: 8 } });
    b.raised(`met:${good}`);
    b.add({ scores: { a: 7.8, b: 8.1 } });
    expect(kinds(detectSignals(input(b)))).not.toContain('met');
    const better = b.add({ scores: { a: 8.5, b: 8.5 } });
    expect(detectSignals(input(b)).find((s) => s.kind === 'met')?.candidateIds).toEqual([better]);
  });

  it('raises a close call between two directions the judge cannot tell apart, while the person has not seen one of them', () => {
    const b = new StateBuilder();
    const x = b.add({ lens: 'invert', scores: { a: 6, b: 6 } });
    const y = b.add({ lens: 'extreme', scores: { a: 5.8, b: 5.9 } });
    b.add({ lens: 'minimal', scores: { a: 4, b: 4 } });
    const call = detectSignals(input(b)).find((s) => s.kind === 'conflict');
    expect(call?.candidateIds).toEqual([x, y]);
    expect(call?.reason).toContain('close call');
    // Both directions shown on a board already: the person's answer is known, nothing to ask.
    const checkpoint = { id: 'x.k1', explorationId: 'x', reasons: [], createdAt: '2026-01-01T00:00:00.000Z', board: { cards: [{ candidateId: x }, { candidateId: y }] } } as unknown as Checkpoint;
    applyEvent(b.state, { type: 'checkpoint.raised', checkpoint });
    expect(kinds(detectSignals(input(b)))).not.toContain('conflict');
    // A new direction, unseen, as close: asked.
    const z = b.add({ lens: 'borrow-field', scores: { a: 5.9, b: 6 } });
    expect(detectSignals(input(b)).find((s) => s.kind === 'conflict')?.candidateIds).toEqual([x, z]);
  });

  it('raises no close call within one lens, nor for a rival the judge plainly rates lower', () => {
    const b = new StateBuilder();
    b.add({ lens: 'invert', scores: { a: 6, b: 6 } });
    b.add({ lens: 'invert', scores: { a: 6, b: 6 } });
    b.add({ lens: 'extreme', scores: { a: 5, b: 5 } });
    expect(kinds(detectSignals(input(b)))).not.toContain('conflict');
  });

  it('does not call a candidate that failed a constraint met', () => {
    const b = new StateBuilder();
    b.add({ scores: { a: 9, b: 9 }, failed: true });
    expect(kinds(detectSignals(input(b)))).not.toContain('met');
    expect(meetsAll(b.state.nodes.get('x.c1')?.judgment as never, CRITERIA)).toBe(false);
  });

  it('raises conflict for a real trade-off between two paths near the top, not within one path', () => {
    const b = new StateBuilder();
    const x = b.add({ lens: 'invert', scores: { a: 8, b: 5 } });
    const y = b.add({ lens: 'extreme', scores: { a: 5, b: 8 } });
    const conflict = detectSignals(input(b)).find((s) => s.kind === 'conflict');
    expect(conflict?.candidateIds.sort()).toEqual([x, y].sort());
    expect(conflict?.reason).toMatch(/a.*b|b.*a/);

    const same = new StateBuilder();
    const parent = same.add({ scores: { a: 8, b: 5 } });
    same.add({ parents: [parent], scores: { a: 5, b: 8 } });
    expect(kinds(detectSignals(input(same)))).not.toContain('conflict');
  });

  it('raises sensitive per flagged candidate, but not again for descendants of one already seen', () => {
    const b = new StateBuilder();
    const flagged = b.add({ flags: [{ kind: 'sensitive', reason: 'a child’s private details' }] });
    expect(detectSignals(input(b)).map((s) => s.key)).toEqual([`sensitive:${flagged}`]);
    b.raised(`sensitive:${flagged}`);
    b.add({ parents: [flagged], flags: [{ kind: 'sensitive', reason: 'a child’s private details' }] });
    expect(kinds(detectSignals(input(b)))).not.toContain('sensitive');
  });

  it('raises unclear once per distinct reason, however many candidates report it', () => {
    const b = new StateBuilder();
    for (let i = 0; i < 3; i += 1) b.add({ flags: [{ kind: 'unclear', reason: 'criterion "good" is vague' }] });
    const unclear = detectSignals(input(b)).filter((s) => s.kind === 'unclear');
    expect(unclear).toHaveLength(1);
    expect(unclear[0]?.candidateIds).toHaveLength(3);
  });

  it('raises novelty for an outlier among its peers that is not bad', () => {
    const b = new StateBuilder();
    for (let i = 0; i < 6; i += 1) b.add({ scores: { a: 5, b: 5 }, novelty: 0.3 + i * 0.01 });
    const outlier = b.add({ scores: { a: 6, b: 6 }, novelty: 0.9 });
    const bad = b.add({ scores: { a: 1, b: 1 }, novelty: 0.95 });
    const novel = detectSignals(input(b)).filter((s) => s.kind === 'novelty').flatMap((s) => s.candidateIds);
    expect(novel).toEqual([outlier]);
    expect(novel).not.toContain(bad);
  });

  it('warns at 80% of the budget and says so when it is spent', () => {
    const b = new StateBuilder();
    expect(detectSignals(input(b, { budgetShare: 0.85 }))).toMatchObject([{ kind: 'budget', key: 'budget:0.8' }]);
    expect(detectSignals(input(b, { budgetShare: 1, budgetSpent: true, nothingLeft: true }))).toMatchObject([{ kind: 'budget', key: 'budget:spent' }]);
  });

  it('raises exhausted when nothing is left worth trying, highest priority first in the list', () => {
    const b = new StateBuilder();
    b.add({ flags: [{ kind: 'sensitive', reason: 'x' }] });
    expect(kinds(detectSignals(input(b, { nothingLeft: true })))).toEqual(['sensitive', 'exhausted']);
  });
});

describe('attention', () => {
  const signal = (kind: TriggerSignal['kind'], key: string = kind): TriggerSignal => ({ kind, key, reason: kind, candidateIds: [] });
  const base = { attention: 5, checkpointsSoFar: 0, movesSoFar: 10, anyPathExhausted: true };

  it('waits for a minimum of autonomous work — a path run to exhaustion — before the first checkpoint', () => {
    expect(chooseCheckpoint({ ...base, signals: [signal('met')], anyPathExhausted: false })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('met')], movesSoFar: 2 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('met')] })).toHaveLength(1);
  });

  it('always stops for terminal signals, taking every pending signal along', () => {
    const signals = [signal('novelty'), signal('exhausted')];
    expect(chooseCheckpoint({ ...base, signals, attention: 0, anyPathExhausted: false, movesSoFar: 0 })).toEqual(signals);
  });

  it('rations interruptions by the attention left: opportunities first, values next, then only the essential', () => {
    expect(chooseCheckpoint({ ...base, signals: [signal('novelty')] })).not.toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('novelty')], checkpointsSoFar: 3 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], checkpointsSoFar: 3 })).not.toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], checkpointsSoFar: 4 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('sensitive')], checkpointsSoFar: 4 })).not.toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('sensitive')], checkpointsSoFar: 5 })).toBeNull();
  });

  it('asks again only after as much autonomous work as before the first checkpoint', () => {
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], checkpointsSoFar: 1, movesSinceCheckpoint: 3 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], checkpointsSoFar: 1, movesSinceCheckpoint: 6 })).not.toBeNull();
  });

  it('counts every lens tried as autonomous work, as a path exhausted is', () => {
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], anyPathExhausted: false })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], anyPathExhausted: false, everyLensTried: true })).not.toBeNull();
  });

  it('does not interrupt when too little budget is left to act on the answer: the final checkpoint shows it', () => {
    expect(chooseCheckpoint({ ...base, signals: [signal('sensitive')], movesAffordable: 5 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('sensitive')], movesAffordable: 6 })).not.toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('sensitive'), signal('exhausted')], movesAffordable: 0 })).toHaveLength(2);
  });

  it('lets opportunities interrupt with half the budget left, choices of values with a quarter, then only the essential', () => {
    expect([1, 0.5, 0.49, 0.25, 0.24, 0].map(tierForBudget)).toEqual([3, 3, 2, 2, 1, 1]);
    expect(chooseCheckpoint({ ...base, signals: [signal('novelty')], budgetLeft: 0.4 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], budgetLeft: 0.4 })).not.toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('conflict')], budgetLeft: 0.2 })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [signal('unclear')], budgetLeft: 0.2 })).not.toBeNull();
  });

  it('never interrupts for a budget warning alone, but takes it along', () => {
    const warning = signal('budget', 'budget:0.8');
    expect(chooseCheckpoint({ ...base, signals: [warning] })).toBeNull();
    expect(chooseCheckpoint({ ...base, signals: [warning, signal('conflict')] })).toEqual([warning, signal('conflict')]);
  });

  it('counts the moves a budget still pays for by calls, or by share without a call limit', () => {
    expect(movesAffordable({ callsLeft: 13, callsPerMove: 2, share: 0.9, movesSoFar: 30 })).toBe(3);
    expect(movesAffordable({ callsLeft: 40, callsPerMove: 4, share: 0.5, movesSoFar: 20 })).toBe(10);
    expect(movesAffordable({ callsLeft: Number.POSITIVE_INFINITY, callsPerMove: 2, share: 0.75, movesSoFar: 30 })).toBe(10);
    expect(movesAffordable({ callsLeft: Number.POSITIVE_INFINITY, callsPerMove: 2, share: 0, movesSoFar: 0 })).toBe(Number.POSITIVE_INFINITY);
  });

  it('batches a lower-priority signal into a checkpoint raised for a higher one', () => {
    const signals = [signal('sensitive'), signal('novelty')];
    expect(chooseCheckpoint({ ...base, signals, checkpointsSoFar: 4 })).toEqual(signals);
  });
});
