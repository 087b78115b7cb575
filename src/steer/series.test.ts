import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../explore/events.js';
import type { Candidate, Judgment } from '../explore/types.js';
import type { CallRecord } from '../store/store.js';
import { candidateCost, explorationSeries } from './series.js';

const T = (second: number): string => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

function added(seq: number, id: string, lensId: string): StoredEvent {
  const candidate: Candidate = {
    id, explorationId: 'x', moveId: `x:m${seq}`, kind: 'open', parentIds: [], lensId, depth: 1,
    text: id, embedding: new Float32Array([1]), model: 'rehearsal', createdAt: T(seq),
  };
  return { seq, explorationId: 'x', at: T(seq), event: { type: 'candidate.added', candidate } };
}

function judged(seq: number, candidateId: string, quality: number, novelty: number): StoredEvent {
  const judgment: Judgment = {
    id: `${candidateId}.j`, candidateId, briefId: 'b', scores: [], quality, failed: [], flags: [], critique: '',
    novelty, parentSimilarity: null, judge: 'rehearsal', createdAt: T(seq),
  };
  return { seq, explorationId: 'x', at: T(seq), event: { type: 'candidate.judged', judgment } };
}

function call(key: string, finished: number | null, usd: number, tokens: number): CallRecord {
  return {
    key, explorationId: 'x', purpose: 'judge', model: 'rehearsal', reservedTokens: 0, reservedUsd: 0,
    status: finished === null ? 'intent' : 'done', output: '', usage: finished === null ? null : { inputTokens: tokens, outputTokens: 0 },
    usd: finished === null ? null : usd, answer: null, latencyMs: 1, startedAt: T(0), finishedAt: finished === null ? null : T(finished),
  };
}

describe('explorationSeries', () => {
  it('gives one point per judged candidate, with the best quality so far and the spend by then', () => {
    const events = [added(1, 'x.c1', 'invert'), judged(2, 'x.c1', 0.5, 0.9), added(3, 'x.c2', 'extreme'), judged(4, 'x.c2', 0.4, 0.2), judged(5, 'x.c3', 0.8, 0.1)];
    // Out of order on purpose, plus an intent that never finished (not spent).
    const calls = [call('b', 4, 0.25, 30), call('a', 2, 0.5, 100), call('c', null, 9, 9), call('d', 6, 1, 1)];
    const points = explorationSeries(events, calls);
    expect(points.map((p) => [p.move, p.candidateId, p.quality, p.bestQuality, p.novelty, p.lensId])).toEqual([
      [1, 'x.c1', 0.5, 0.5, 0.9, 'invert'],
      [2, 'x.c2', 0.4, 0.5, 0.2, 'extreme'],
      [3, 'x.c3', 0.8, 0.8, 0.1, ''],
    ]);
    expect(points.map((p) => [p.spendUsd, p.calls, p.tokens, p.at])).toEqual([
      [0.5, 1, 100, T(2)],
      [0.75, 2, 130, T(4)],
      [0.75, 2, 130, T(5)],
    ]);
  });

  it('is empty before anything is judged', () => {
    expect(explorationSeries([added(1, 'x.c1', 'invert')], [call('a', 1, 1, 1)])).toEqual([]);
  });
});

describe('candidateCost', () => {
  it('adds the calls that wrote a candidate and judged it, and nothing else', () => {
    const calls = [call('x:m3:write', 1, 0.1, 10), call('x:m3:write~2', 2, 0.2, 20), call('x.c3:judge:b1', 3, 0.05, 5), call('x.c3:judge:b2:retry', 4, 0.05, 5), call('x:m30:write', 5, 9, 9), call('x.c30:judge:b1', 6, 9, 9)];
    expect(candidateCost({ id: 'x.c3', moveId: 'x:m3' }, calls)).toEqual({ calls: 4, tokens: 40, usd: 0.4 });
  });
});
