import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { stopBriefWorker } from '../../src/brief/brief-worker.js';
import { BRIEF_LIMITS } from '../../src/brief/schema.js';
import { isBatonError } from '../../src/errors.js';

/** Reading a brief given as text runs in a worker with limits, and costs about linear time. */

function brief(front: string[], body = ''): string {
  return ['---', ...front, '---', body].join('\n');
}

afterAll(() => stopBriefWorker());

describe('the brief worker', () => {
  const baton = Baton.open({ db: ':memory:', allowModules: false });
  afterAll(() => baton.close());

  it('lints a brief given as text, with located findings', async () => {
    const findings = await baton.lintSource(brief(['question: Why?', 'criteria: [clear]', 'model: nope:nothing']), 'b.md');
    const unknown = findings.find((f) => f.code === 'unknown-model' && f.location.field === 'model');
    expect(unknown?.location).toMatchObject({ file: 'b.md', field: 'model', line: 4 });
  });

  it('a brief that does not parse gives invalid-brief findings, and startFromSource a located error', async () => {
    const source = brief(['question: Why?', 'criteria: 3']);
    const findings = await baton.lintSource(source, 'b.md');
    expect(findings[0]).toMatchObject({ code: 'invalid-brief', location: { field: 'criteria', line: 3 } });
    const refused = await baton.startFromSource(source, { name: 'b.md' }).catch((error: unknown) => error);
    expect(isBatonError(refused) && refused.code).toBe('invalid_input');
    expect(isBatonError(refused) && refused.location).toMatchObject({ file: 'b.md', field: 'criteria', line: 3 });
  });

  it('a brief past the time limit is limit_exceeded (422), naming the limit, and the next brief is read again', async () => {
    const strict = Baton.open({ db: ':memory:', allowModules: false, briefLimits: { timeoutMs: 1 } });
    try {
      // 60,000 keys: far more than a millisecond of work.
      const huge = brief(['question: Why?', 'criteria: [clear]', ...Array.from({ length: 60_000 }, (_, i) => `k${i}: 1`)]);
      const refused = await strict.lintSource(huge).catch((error: unknown) => error);
      expect(isBatonError(refused) && refused.code).toBe('limit_exceeded');
      expect(isBatonError(refused) && refused.status).toBe(422);
      expect(String((refused as Error).message)).toMatch(/too large or too complex.*at most 0\.001 s and 256 MB/u);
      const started = await strict.startFromSource(huge).catch((error: unknown) => error);
      expect(isBatonError(started) && started.code).toBe('limit_exceeded');
    } finally {
      await strict.close();
    }
    // A fresh worker reads the next brief.
    expect(await baton.lintSource(brief(['question: Why does it matter to readers?', 'criteria: [clear]']))).toBeInstanceOf(Array);
  });

  it('a brief that needs more memory than allowed is limit_exceeded, not a crash', async () => {
    const small = Baton.open({ db: ':memory:', allowModules: false, briefLimits: { memoryMb: 8, timeoutMs: 60_000 } });
    try {
      const huge = brief(['question: Why?', 'criteria: [clear]', `x: [${Array.from({ length: 150_000 }, (_, i) => `{a${i}: [${i}, ${i}]}`).join(',')}]`]);
      const refused = await small.lintSource(huge).catch((error: unknown) => error);
      expect(isBatonError(refused) && refused.code, String(refused)).toBe('limit_exceeded');
      expect(String((refused as Error).message)).toMatch(/more than 8 MB/u);
    } finally {
      await small.close();
    }
  });
});

describe('lint scales near-linearly', () => {
  const baton = Baton.open({ db: ':memory:', allowModules: false });
  afterAll(() => baton.close());

  it(`lints a brief with the most criteria (${BRIEF_LIMITS.criteria}), each at its longest, within the default limit`, async () => {
    const words = (i: number): string => `the answer is ${i % 2 === 0 ? 'short' : 'long'} and vivid in part ${i} `.repeat(40).slice(0, BRIEF_LIMITS.textChars - 10);
    const source = brief(['question: Why?', 'criteria:', ...Array.from({ length: BRIEF_LIMITS.criteria }, (_, i) => `  - "${words(i)}"`)]);
    const findings = await baton.lintSource(source);
    expect(findings.filter((f) => f.code === 'contradictory-wording').length).toBe(BRIEF_LIMITS.criteria - 1);
  });

  it('60,000 keys in one mapping (the parser compared each with every other) read within the default limit, with a counted error', async () => {
    const source = brief(['question: Why?', 'criteria: [clear]', ...Array.from({ length: 60_000 }, (_, i) => `k${i}: 1`)]);
    const findings = await baton.lintSource(source);
    expect(findings.length).toBeLessThanOrEqual(60);
    expect(findings.some((f) => /and 59950 more unknown keys/u.test(f.message))).toBe(true);
  });

  it('a repeated key is still an error, located', async () => {
    const findings = await baton.lintSource(brief(['question: Why?', 'criteria: [clear]', 'question: Again?']), 'b.md');
    expect(findings[0]).toMatchObject({ code: 'invalid-brief', location: { line: 4 } });
    expect(findings[0]?.message).toMatch(/Map keys must be unique/u);
  });
});
