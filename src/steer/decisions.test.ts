import { describe, expect, it } from 'vitest';
import { StateBuilder } from '../../test/support/state-builder.js';
import { BatonError } from '../errors.js';
import { applyEvent } from '../explore/state.js';
import { planDecision, resolveCandidateId } from './decisions.js';

const at = '2026-01-01T00:00:00.000Z';

function expectInvalid(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).message).toMatch(message);
    return;
  }
  throw new Error('expected an error');
}

describe('decisions', () => {
  it('resolves candidates by full id, short id, or unique suffix', () => {
    const b = new StateBuilder();
    const id = b.add();
    expect(resolveCandidateId(b.state, id)).toBe(id);
    expect(resolveCandidateId(b.state, 'c1')).toBe(id);
    expectInvalid(() => resolveCandidateId(b.state, 'c9'), /no candidate "c9"/);
  });

  it('checks each action’s candidates', () => {
    const b = new StateBuilder();
    b.add();
    b.add();
    expectInvalid(() => planDecision(b.state, { action: 'combine', candidateIds: ['c1'] }, 'd1', at), /exactly two/);
    expectInvalid(() => planDecision(b.state, { action: 'combine', candidateIds: ['c1', 'c1'] }, 'd1', at), /must differ/);
    expectInvalid(() => planDecision(b.state, { action: 'accept', candidateIds: [] }, 'd1', at), /one candidate to accept/);
    expectInvalid(() => planDecision(b.state, { action: 'continue', candidateIds: ['c1'] }, 'd1', at), /no candidates/);
    expectInvalid(() => planDecision(b.state, { action: 'lens' }, 'd1', at), /which lens/);
    expectInvalid(() => planDecision(b.state, { action: 'redirect' }, 'd1', at), /new brief/);
  });

  it('records the reason and the checkpoint shown; accept ends the exploration', () => {
    const b = new StateBuilder();
    const id = b.add();
    const events = planDecision(b.state, { action: 'accept', candidateIds: ['c1'], reason: '  the quiet one  ' }, 'x.d1', at);
    expect(events).toEqual([
      { type: 'decision.made', decision: { id: 'x.d1', explorationId: 'x', checkpointId: null, action: 'accept', candidateIds: [id], reason: 'the quiet one', createdAt: at } },
      { type: 'exploration.ended', status: 'accepted', candidateId: id, reason: 'the quiet one' },
    ]);
    for (const event of events) applyEvent(b.state, event);
    expect(b.state.status).toBe('accepted');
    expectInvalid(() => planDecision(b.state, { action: 'continue' }, 'x.d2', at), /is accepted .* reopen/);
  });

  it('adds a new lens before the decision that tries it', () => {
    const b = new StateBuilder();
    const lens = { id: 'custom-tide', name: 'tide', text: 'Tell it as the tide would', builtin: false };
    const events = planDecision(b.state, { action: 'lens', lensSpec: lens }, 'x.d1', at);
    expect(events.map((e) => e.type)).toEqual(['lens.added', 'decision.made']);
    for (const event of events) applyEvent(b.state, event);
    expect(b.state.directives).toMatchObject([{ kind: 'open', lens }]);
  });

  it('refuses to develop a pruned candidate', () => {
    const b = new StateBuilder();
    b.add();
    for (const event of planDecision(b.state, { action: 'prune', candidateIds: ['c1'] }, 'x.d1', at)) applyEvent(b.state, event);
    expectInvalid(() => planDecision(b.state, { action: 'deepen', candidateIds: ['c1'] }, 'x.d2', at), /pruned/);
  });
});
