import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CriterionScoresSchema, FailedConstraintsSchema, FlagsSchema, InlineEventSchema, RefPayloadSchema } from './codecs.js';
import { isCriterionScores, isFailedConstraints, isFlags, isHotInlineEvent, isRefPayload } from './stored-shapes.js';

const WRONG: unknown[] = [undefined, null, 0, -1.5, '', 'jump', true, [], {}, ['x'], { id: 'x' }];

/** The value with one field (at any depth) removed or replaced by each wrong value. */
function* mutations(value: unknown): Generator<unknown> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      for (const inner of mutations(value[i])) yield value.map((v, j) => (j === i ? inner : v));
    }
    yield* WRONG;
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const { [key]: _dropped, ...rest } = record;
      yield rest;
      for (const inner of mutations(record[key])) yield { ...record, [key]: inner };
    }
    yield { ...record, feedback: 1 };
    yield { ...record, directive: null };
    yield* WRONG;
    return;
  }
  yield* WRONG;
}

function neverLooser(check: (value: unknown) => boolean, schema: z.ZodType, valid: unknown): void {
  expect(check(valid)).toBe(true);
  expect(schema.safeParse(valid).data).toStrictEqual(valid);
  let tried = 0;
  for (const mutated of mutations(valid)) {
    tried += 1;
    if (check(mutated)) expect(schema.safeParse(mutated).success, JSON.stringify(mutated)).toBe(true);
  }
  expect(tried).toBeGreaterThan(20);
}

const lens = { id: 'l1', name: 'Lens', text: 'Look.', builtin: false };

describe('hand checks of stored shapes', () => {
  it('accept nothing their schema rejects, and what they accept parses to the same value', () => {
    neverLooser(isHotInlineEvent, InlineEventSchema, { type: 'move.planned', move: { id: 'x.m1', kind: 'open', parentIds: [], lens, origin: 'policy' } });
    neverLooser(isHotInlineEvent, InlineEventSchema, {
      type: 'move.planned',
      move: { id: 'x.m2', kind: 'combine', parentIds: ['a', 'b'], lens, feedback: 'more', origin: 'decision', directive: 'd:0', extra: 1 },
    });
    neverLooser(isHotInlineEvent, InlineEventSchema, { type: 'path.exhausted', candidateId: 'x.c1', reason: 'ceiling' });
    neverLooser(isRefPayload, RefPayloadSchema, { id: 'x.c1' });
    neverLooser(isCriterionScores, CriterionScoresSchema, [
      { criterion: 'vivid', score: 7, reason: 'ok', by: 'judge' },
      { criterion: 'short', score: 0, reason: 'long', by: 'check' },
    ]);
    neverLooser(isFailedConstraints, FailedConstraintsSchema, [{ constraint: 'c', reason: 'r' }]);
    neverLooser(isFlags, FlagsSchema, [{ kind: 'sensitive', reason: 'r' }, { kind: 'unclear', reason: 'u' }]);
  });

  it('leave other events to the schema', () => {
    expect(isHotInlineEvent({ type: 'lens.added', lens })).toBe(false);
    expect(isHotInlineEvent({ move: { id: 'x.m1', kind: 'open', parentIds: [], lens, origin: 'policy' } })).toBe(false);
  });
});
