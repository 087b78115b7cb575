import { describe, expect, it } from 'vitest';
import { parseBrief } from '../brief/parse.js';
import { assembleVerdict, qualityOf, readJudgeAnswer } from './judge.js';
import { combineJurors, findingFromAnswer } from './jury.js';

const brief = parseBrief(`---
question: How should we cut flaky test reruns by half?
constraints:
  - Never delete a failing test.
criteria:
  - id: evidence
    text: Each step cites a measurable signal.
    weight: 2
  - id: durable
    text: Says what keeps flakiness low afterwards.
---
`);

const answer = (evidence: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    scores: [
      { criterion: 'evidence', score: evidence, reason: 'r' },
      { criterion: 'durable', score: 6, reason: 'd' },
    ],
    constraints: [{ index: 0, pass: true, reason: 'ok' }],
    flags: [],
    critique: 'c',
    ...extra,
  });

describe('reading a judge answer strictly', () => {
  it('takes numbers, and numerals written as strings, from 0 to 10', () => {
    for (const [raw, value] of [[7, 7], [0, 0], [10, 10], ['8', 8], [' 6.5 ', 6.5], [7.25, 7.3]] as const) {
      const read = readJudgeAnswer(brief, answer(raw));
      expect(read.ok && read.reading.problems).toEqual([]);
      expect(read.ok && read.reading.scores.get('evidence')?.score).toBe(value);
    }
  });

  it('refuses "", null, true, words, NaN and out-of-range scores instead of coercing them', () => {
    for (const raw of ['', null, true, false, 'seven', 'NaN', -1, 11, [7], { score: 7 }]) {
      const read = readJudgeAnswer(brief, answer(raw));
      expect(read.ok).toBe(true);
      if (!read.ok) continue;
      expect(read.reading.scores.has('evidence')).toBe(false);
      expect(read.reading.invalid.get('evidence')).toMatch(/not a number|outside 0–10/u);
      expect(read.reading.problems[0]).toContain('criterion "evidence"');
      // The other criterion is still read.
      expect(read.reading.scores.get('durable')?.score).toBe(6);
    }
  });

  it('refuses a missing criterion and a criterion scored twice (no later-score-wins)', () => {
    const missing = readJudgeAnswer(brief, JSON.stringify({ scores: [{ criterion: 'durable', score: 6 }], constraints: [{ index: 0, pass: true }] }));
    expect(missing.ok && missing.reading.invalid.get('evidence')).toBe('no score was given');
    const twice = readJudgeAnswer(
      brief,
      JSON.stringify({ scores: [{ criterion: 'evidence', score: 3 }, { criterion: 'evidence', score: 9 }, { criterion: 'durable', score: 6 }], constraints: [{ index: 0, pass: true }] }),
    );
    expect(twice.ok && twice.reading.scores.has('evidence')).toBe(false);
    expect(twice.ok && twice.reading.invalid.get('evidence')).toContain('scored 2 times (3, 9)');
  });

  it('refuses a constraint verdict that is missing or not a yes or no', () => {
    const read = readJudgeAnswer(brief, answer(7, { constraints: [{ index: 0, pass: 'maybe' }] }));
    expect(read.ok && read.reading.unchecked.get(0)).toContain('not true or false');
    const none = readJudgeAnswer(brief, answer(7, { constraints: [] }));
    expect(none.ok && none.reading.problems).toEqual(['constraint 0: no verdict was given']);
  });

  it('turns an unscored criterion into null and an unclear flag, never a 0, and leaves it out of the quality', async () => {
    const verdict = await assembleVerdict(brief, 'text', findingFromAnswer(brief, 'test:judge', answer(null)), {});
    const evidence = verdict.scores.find((s) => s.criterion === 'evidence');
    expect(evidence?.score).toBeNull();
    expect(evidence?.reason).toContain('not a number');
    expect(verdict.flags).toContainEqual({ kind: 'unclear', reason: 'the judge gave no valid score for "evidence", so it is not scored' });
    // Quality over what was scored: durable's 6 alone.
    expect(verdict.quality).toBe(0.6);
    expect(qualityOf(brief, verdict.scores, [])).toBe(0.6);
    const scoredZero = await assembleVerdict(brief, 'text', findingFromAnswer(brief, 'test:judge', answer(0)), {});
    expect(scoredZero.scores.find((s) => s.criterion === 'evidence')?.score).toBe(0);
    expect(scoredZero.quality).toBe(0.2);
  });

  it('a prose answer leaves every judged criterion unscored', async () => {
    const verdict = await assembleVerdict(brief, 'text', findingFromAnswer(brief, 'test:judge', 'I would give it a seven.'), {});
    expect(verdict.scores.map((s) => s.score)).toEqual([null, null]);
    expect(verdict.quality).toBe(0);
    expect(verdict.flags.filter((f) => f.kind === 'unclear')).toHaveLength(3);
  });
});

describe('a jury', () => {
  const juror = (judge: string, evidence: number | null, durable: number | null) => {
    const read = readJudgeAnswer(
      brief,
      JSON.stringify({
        scores: [
          ...(evidence === null ? [] : [{ criterion: 'evidence', score: evidence, reason: `${judge} on evidence` }]),
          ...(durable === null ? [] : [{ criterion: 'durable', score: durable, reason: `${judge} on durable` }]),
        ],
        constraints: [{ index: 0, pass: judge !== 'c', reason: `${judge} constraint` }],
      }),
    );
    if (!read.ok) throw new Error('unreadable');
    return { judge, reading: read.reading, lastError: null, asks: 3, keys: [] };
  };

  it('scores each criterion with the median, keeps every juror, and flags a spread above the limit', () => {
    const finding = combineJurors(brief, [juror('a', 8, 6), juror('b', 2, 7), juror('c', 7, null)], 3);
    expect(finding.scores.get('evidence')?.score).toBe(7);
    expect(finding.scores.get('evidence')?.reason).toBe('c on evidence');
    expect(finding.scores.get('evidence')?.jurors?.map((j) => j.score)).toEqual([8, 2, 7]);
    // Two valid scores: the mean of the middle pair; juror c's missing score is shown as not scored.
    expect(finding.scores.get('durable')?.score).toBe(6.5);
    expect(finding.scores.get('durable')?.jurors?.[2]).toMatchObject({ judge: 'c', score: null });
    expect(finding.flags).toEqual([{ kind: 'unclear', reason: 'the jurors disagree on "evidence" by more than 3 points' }]);
    // One of three says the constraint is broken: it holds.
    expect(finding.constraints.get(0)?.pass).toBe(true);
  });

  it('does not flag jurors within the spread', () => {
    const finding = combineJurors(brief, [juror('a', 8, 6), juror('b', 6, 7)], 3);
    expect(finding.flags).toEqual([]);
    expect(finding.scores.get('evidence')?.score).toBe(7);
  });
});
