import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Brief, Lens } from '../../src/brief/schema.js';
import { cosineSimilarity, embedText } from '../../src/models/local-embedding.js';
import type { ModelTask, TaskCandidate } from '../../src/models/port.js';
import {
  createRehearsalModel,
  parseRehearsalHeader,
  rehearse,
  splitRehearsalText,
} from '../../src/models/rehearsal/index.js';
import { LENSES, lens, makeBrief } from './fixtures.js';

const JudgeAnswerSchema = z
  .object({
    scores: z.array(z.object({ criterion: z.string(), score: z.number().min(0).max(10), reason: z.string().min(1) }).strict()),
    constraints: z.array(z.object({ index: z.number().int().min(0), pass: z.boolean(), reason: z.string().min(1) }).strict()),
    flags: z.array(z.object({ kind: z.enum(['sensitive', 'unclear']), reason: z.string().min(1) }).strict()),
    critique: z.string(),
  })
  .strict();
type JudgeAnswer = z.infer<typeof JudgeAnswerSchema>;

const ReframeAnswerSchema = z
  .object({ framings: z.array(z.object({ lens: z.string(), question: z.string(), why: z.string().min(1) }).strict()) })
  .strict();

const brief = makeBrief();

function open(l: Lens, seed: number, b: Brief = brief): string {
  return rehearse({ kind: 'open', brief: b, lens: l }, seed);
}

function judge(text: string, b: Brief = brief): JudgeAnswer {
  return JudgeAnswerSchema.parse(JSON.parse(rehearse({ kind: 'judge', brief: b, candidate: { text } }, 0)));
}

function mean(answer: JudgeAnswer): number {
  return answer.scores.reduce((sum, s) => sum + s.score, 0) / answer.scores.length;
}

function candidate(text: string, l: Lens): TaskCandidate {
  return { id: `c-${text.length}`, text, lens: l, depth: parseRehearsalHeader(text)?.draft ?? 1 };
}

function deepen(parent: string, l: Lens, seed: number, extra: Partial<Extract<ModelTask, { kind: 'deepen' }>> = {}): string {
  const verdict = judge(parent);
  const focus = [...verdict.scores].sort((a, b) => a.score - b.score).map((s) => s.criterion).slice(0, 1);
  return rehearse({ kind: 'deepen', brief, lens: l, parent: candidate(parent, l), critique: verdict.critique, focus, ...extra }, seed);
}

/** Deepens until `drafts` real drafts exist (a near-duplicate does not count as a draft). */
function path(l: Lens, drafts: number, seed = 1): string[] {
  const texts = [open(l, seed)];
  let next = seed * 1000;
  while (texts.length < drafts) {
    const child = deepen(texts[texts.length - 1] as string, l, next++);
    if (parseRehearsalHeader(child)?.draft === texts.length + 1) texts.push(child);
  }
  return texts;
}

function similarity(a: string, b: string): number {
  return cosineSimilarity(embedText(a), embedText(b));
}

describe('rehearsal model', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says what it is', () => {
    const model = createRehearsalModel();
    expect(model.info).toEqual({
      id: 'rehearsal:default',
      label: 'rehearsal',
      rehearsal: true,
      pricing: { inputPerMTok: 0, outputPerMTok: 0 },
      maxOutputTokens: 1200,
      tokenizer: 'estimate',
    });
  });

  it('answers every task the same way from two instances, and differently under another seed', async () => {
    const first = open(lens('invert'), 1);
    const second = open(lens('extreme'), 1);
    const tasks: ModelTask[] = [
      { kind: 'open', brief, lens: lens('invert') },
      { kind: 'deepen', brief, lens: lens('invert'), parent: candidate(first, lens('invert')), critique: 'More concrete.', focus: ['clear'], feedback: 'Use the garden' },
      { kind: 'combine', brief, lens: lens('invert'), parents: [candidate(first, lens('invert')), candidate(second, lens('extreme'))] },
      { kind: 'judge', brief, candidate: { text: first } },
      { kind: 'reframe', brief, lenses: LENSES, count: 3 },
    ];
    const a = createRehearsalModel({ seed: 5 });
    const b = createRehearsalModel({ seed: 5 });
    const other = createRehearsalModel({ seed: 6 });
    for (const task of tasks) {
      const request = { task, messages: [{ role: 'user' as const, content: 'x'.repeat(400) }], seed: 42 };
      const [ra, rb] = [await a.complete(request), await b.complete(request)];
      expect(ra).toEqual(rb);
      expect(ra.model).toBe('rehearsal:default');
      expect(ra.usage).toEqual({ inputTokens: 100, outputTokens: Math.ceil(ra.text.length / 4) });
    }
    const request = { task: tasks[0] as ModelTask, messages: [], seed: 42 };
    expect((await other.complete(request)).text).not.toBe((await a.complete(request)).text);
  });

  it('heads every text with lens, draft and the sig of its opening', () => {
    const opening = open(lens('invert'), 3);
    expect(opening.split('\n')[0]).toMatch(/^\[rehearsal · lens invert · draft 1 · [0-9a-f]{6}\]$/);
    const head = parseRehearsalHeader(opening);
    expect(head).toMatchObject({ lensId: 'invert', draft: 1 });

    const [, , third] = path(lens('invert'), 3, 3);
    expect(parseRehearsalHeader(third as string)).toEqual({ ...head, draft: 3 });

    const other = path(lens('extreme'), 2, 3)[1] as string;
    const combined = rehearse(
      { kind: 'combine', brief, lens: lens('new-genre'), parents: [candidate(third as string, lens('invert')), candidate(other, lens('extreme'))] },
      9,
    );
    const parsed = splitRehearsalText(combined);
    expect(parsed.header).toMatchObject({ lensId: 'new-genre', draft: 4 });
    expect(parsed.header?.sig).not.toBe(head?.sig);
    expect(parsed.origins?.map((o) => o.lensId)).toEqual(['invert', 'extreme']);
    expect(parseRehearsalHeader('A text written by another model.')).toBeNull();
  });

  it('writes texts of a few hundred words whose vocabulary differs by lens', () => {
    for (const seed of [1, 2, 3]) {
      const texts = LENSES.map((l) => open(l, seed));
      for (const text of texts) {
        const words = text.split(/\s+/).length;
        expect(words).toBeGreaterThan(80);
        expect(words).toBeLessThan(700);
      }
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) expect(similarity(texts[i] as string, texts[j] as string)).toBeLessThan(0.8);
      }
    }
  });

  it('uses the brief’s words', () => {
    const text = open(lens('change-audience'), 4);
    expect(text).toMatch(/library/);
    expect(text).toMatch(/teenage readers|readers/);
  });

  it('keeps to the brief’s word limits most of the time, not always', () => {
    let inside = 0;
    const total = 210;
    for (let seed = 0; seed < total / LENSES.length; seed++) {
      for (const l of LENSES) {
        const words = open(l, seed).split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
        if (words >= 150 && words <= 350) inside++;
      }
    }
    expect(inside / total).toBeGreaterThan(0.65);
    expect(inside / total).toBeLessThan(0.95);
  });

  it('raises quality by deepening, with diminishing returns', () => {
    for (const l of [lens('invert'), lens('change-audience'), lens('emotional-arc')]) {
      const means = path(l, 6).map((text) => mean(judge(text)));
      const gain = (from: number): number => (means[from] as number) - (means[from - 1] as number);
      expect(gain(1)).toBeGreaterThan(gain(4));
      expect(gain(1)).toBeGreaterThan(1);
      expect(means[5]).toBeGreaterThan((means[0] as number) + 3);
      // A plateau: the last two drafts add little.
      expect(Math.abs(gain(5))).toBeLessThan(0.6);
    }
  });

  it('now and then deepens into a near-duplicate or a sensitive passage, but rarely', () => {
    const l = lens('challenge-assumption');
    let seed = 0;
    let parent = open(l, seed);
    while (judge(parent).flags.some((f) => f.kind === 'sensitive')) parent = open(l, ++seed);
    const parentMean = mean(judge(parent));
    let nearDuplicates = 0;
    let sensitive = 0;
    let distinct = 0;
    for (let s = 0; s < 200; s++) {
      const child = deepen(parent, l, s);
      const verdict = judge(child);
      if (similarity(parent, child) > 0.95) {
        nearDuplicates++;
        expect(Math.abs(mean(verdict) - parentMean)).toBeLessThan(0.3);
      } else {
        distinct++;
        expect(parseRehearsalHeader(child)?.draft).toBe(2);
      }
      if (verdict.flags.some((f) => f.kind === 'sensitive')) sensitive++;
    }
    expect(nearDuplicates).toBeGreaterThan(0);
    expect(nearDuplicates).toBeLessThan(40);
    expect(sensitive).toBeGreaterThan(0);
    expect(sensitive).toBeLessThan(30);
    expect(distinct).toBeGreaterThan(160);
  });

  it('flags a sensitive passage, and a deepening told about it removes it', () => {
    let seed = 0;
    let text = open(lens('emotional-arc'), seed);
    while (!judge(text).flags.some((f) => f.kind === 'sensitive')) text = open(lens('emotional-arc'), ++seed);
    const verdict = judge(text);
    expect(verdict.flags.find((f) => f.kind === 'sensitive')?.reason).toMatch(/private|personal/);
    expect(verdict.critique).toMatch(/sensitive/);
    for (let s = 0; s < 20; s++) {
      const child = deepen(text, lens('emotional-arc'), s);
      if (similarity(text, child) > 0.95) continue;
      // Removed, unless this deepening happens to add a new passage (about 6%).
      if (judge(child).flags.some((f) => f.kind === 'sensitive')) continue;
      expect(parseRehearsalHeader(child)?.draft).toBe(2);
      return;
    }
    throw new Error('no deepening removed the sensitive passage');
  });

  it('gives lenses different strengths, so trade-offs appear', () => {
    const finals = LENSES.map((l) => judge(path(l, 5).at(-1) as string));
    const byCriterion = (answer: JudgeAnswer, id: string): number => answer.scores.find((s) => s.criterion === id)?.score ?? 0;
    const ids = finals[0]?.scores.map((s) => s.criterion) ?? [];
    let tradeOffs = 0;
    for (const a of finals) {
      for (const b of finals) {
        const aWins = ids.filter((id) => byCriterion(a, id) - byCriterion(b, id) >= 1.5);
        const bWins = ids.filter((id) => byCriterion(b, id) - byCriterion(a, id) >= 1.5);
        if (aWins.length > 0 && bWins.length > 0) tradeOffs++;
      }
    }
    expect(tradeOffs).toBeGreaterThan(0);
  });

  it('scores a combination near the best of its parents on each criterion', () => {
    const a = path(lens('change-audience'), 4).at(-1) as string;
    const b = path(lens('borrow-field'), 4).at(-1) as string;
    const combined = rehearse(
      { kind: 'combine', brief, lens: lens('change-audience'), parents: [candidate(a, lens('change-audience')), candidate(b, lens('borrow-field'))] },
      1,
    );
    const [ja, jb, jc] = [judge(a), judge(b), judge(combined)];
    jc.scores.forEach((score, i) => {
      const best = Math.max(ja.scores[i]?.score ?? 0, jb.scores[i]?.score ?? 0);
      expect(Math.abs(score.score - best)).toBeLessThan(1.2);
    });
    expect(mean(jc)).toBeGreaterThan(Math.min(mean(ja), mean(jb)));
  });

  it('judges in JSON: judged criteria and judged constraints only', () => {
    const verdict = judge(open(lens('invert'), 1));
    expect(verdict.scores.map((s) => s.criterion)).toEqual(['surprising', 'clear', 'warm']);
    for (const score of verdict.scores) {
      expect(score.reason).toContain(score.criterion);
      expect(Number.isInteger(score.score * 10)).toBe(true);
    }
    expect(verdict.constraints.map((c) => c.index)).toEqual([0]);
    expect(verdict.critique).toMatch(/^Weakest: /);
  });

  it('fails judged constraints now and then, with a reason', () => {
    const results = Array.from({ length: 100 }, (_, seed) => judge(open(lens('invert'), seed)).constraints[0]);
    const failures = results.filter((c) => c && !c.pass);
    expect(failures.length).toBeGreaterThan(2);
    expect(failures.length).toBeLessThan(25);
    expect(failures[0]?.reason).toMatch(/^Breaks “No promises/);
  });

  it('flags vague criteria as unclear, naming them', () => {
    const vague = makeBrief({
      criteria: [
        { id: 'good', text: 'Good', weight: 1, min: 7 },
        { id: 'nice', text: 'nice and interesting, really great stuff overall', weight: 1, min: 7 },
        { id: 'specific', text: 'Names one event a librarian could run in July', weight: 1, min: 7 },
      ],
    });
    const unclear = judge(open(lens('invert'), 1, vague), vague).flags.filter((f) => f.kind === 'unclear');
    expect(unclear).toHaveLength(2);
    expect(unclear[0]?.reason).toContain('good');
    expect(unclear[1]?.reason).toContain('nice');
  });

  it('judges a text another model wrote, deterministically', () => {
    const text = 'The library could open its garden in the evenings, with a book swap and music. '.repeat(10);
    const verdict = judge(text);
    expect(verdict.scores).toHaveLength(3);
    expect(judge(text)).toEqual(verdict);
  });

  it('now and then writes an outlier far from every other candidate', () => {
    const isolation = (l: Lens, seed: number): number => {
      const texts = LENSES.map((other) => open(other, seed));
      const mine = open(l, seed);
      return Math.max(...texts.filter((t) => t !== mine).map((t) => similarity(mine, t)));
    };
    const seeds = Array.from({ length: 20 }, (_, i) => i);
    const borrowOutliers = seeds.filter((seed) => isolation(lens('borrow-field'), seed) < 0.2).length;
    const audienceOutliers = seeds.filter((seed) => isolation(lens('change-audience'), seed) < 0.2).length;
    expect(borrowOutliers).toBeGreaterThan(2);
    expect(borrowOutliers).toBeLessThan(18);
    expect(audienceOutliers).toBeLessThan(borrowOutliers);
  });

  it('mentions the person’s feedback in a deepening', () => {
    for (let seed = 0; seed < 10; seed++) {
      const parent = open(lens('new-genre'), 2);
      const child = deepen(parent, lens('new-genre'), seed, { feedback: 'make the garden the heart of it' });
      if (similarity(parent, child) > 0.95) continue;
      expect(child).toContain('make the garden the heart of it');
      return;
    }
    throw new Error('every deepening was a near-duplicate');
  });

  it('reframes the question through the given lenses', () => {
    const lenses = [lens('invert'), lens('borrow-field'), lens('change-audience')];
    const answer = ReframeAnswerSchema.parse(JSON.parse(rehearse({ kind: 'reframe', brief, lenses, count: 5 }, 3)));
    expect(answer.framings.map((f) => f.lens)).toEqual(['invert', 'borrow-field', 'change-audience', 'invert', 'borrow-field']);
    for (const framing of answer.framings) {
      expect(framing.question).toMatch(/\?$/);
      expect(framing.question).toMatch(/library|readers|summer/);
    }
  });

  it('takes the time it is told to, and stops when aborted', async () => {
    vi.useFakeTimers();
    const model = createRehearsalModel({ latencyMs: 50 });
    const request = { task: { kind: 'open', brief, lens: lens('invert') } as ModelTask, messages: [], seed: 1 };
    let done = false;
    const pending = model.complete(request).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);

    const controller = new AbortController();
    const aborted = createRehearsalModel({ latencyMs: 10_000, jitter: 500 }).complete({ ...request, signal: controller.signal });
    const outcome = aborted.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await outcome).toMatchObject({ name: 'AbortError' });

    const early = new AbortController();
    early.abort();
    await expect(model.complete({ ...request, signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
