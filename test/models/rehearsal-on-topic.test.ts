import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBrief } from '../../src/brief/parse.js';
import type { Brief, Lens } from '../../src/brief/schema.js';
import { cosineSimilarity, embedText, stem } from '../../src/models/local-embedding.js';
import type { TaskCandidate } from '../../src/models/port.js';
import { parseRehearsalHeader, rehearse, splitRehearsalText } from '../../src/models/rehearsal/index.js';
import { briefWords, contentWords } from '../../src/models/rehearsal/words.js';
import { LENSES, makeBrief } from './fixtures.js';

/**
 * Every passage the rehearsal model writes is about the brief — outliers included, which take an
 * unusual angle on it rather than leaving it — and says no sentence twice; its judge reads a
 * privacy constraint against the text, whatever the seed.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples');
const BRIEFS: Array<{ name: string; brief: Brief }> = [
  { name: 'fixture', brief: makeBrief() },
  ...readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.md'))
    .map((file) => ({ name: file, brief: parseBrief(readFileSync(join(EXAMPLES, file), 'utf8'), { file }) })),
];
const SEEDS = Array.from({ length: 40 }, (_, seed) => seed);

function lensesOf(brief: Brief): Lens[] {
  return brief.lenses === 'auto' ? LENSES : brief.lenses;
}

function sentencesOf(body: string): string[] {
  return body
    .split(/\n\s*\n/u)
    .flatMap((paragraph) => paragraph.replace(/\s+/gu, ' ').trim().split(/(?<=[.!?…])\s+(?=\S)/u))
    .filter((sentence) => sentence !== '');
}

/** The brief's own content words, stemmed: what "on topic" is measured against. */
function vocabulary(brief: Brief): Set<string> {
  const texts = [brief.question, brief.intent ?? '', brief.context, ...brief.criteria.map((c) => c.text ?? '')];
  return new Set(texts.flatMap(contentWords).map(stem));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function candidate(text: string, lens: Lens, id: string): TaskCandidate {
  return { id, text, lens, depth: parseRehearsalHeader(text)?.draft ?? 1 };
}

/** Openings, deepenings and combinations of one brief under one seed. */
function passages(brief: Brief, seed: number): string[] {
  const lenses = lensesOf(brief);
  const openings = lenses.map((lens) => rehearse({ kind: 'open', brief, lens }, seed));
  const out = [...openings];
  lenses.forEach((lens, i) => {
    const parent = candidate(openings[i] as string, lens, `p${i}`);
    out.push(rehearse({ kind: 'deepen', brief, lens, parent, critique: 'Sharper.', focus: [brief.criteria[0]?.id ?? 'x'] }, seed + 1000));
  });
  const [a, b] = [lenses[0] as Lens, lenses[1] as Lens];
  out.push(rehearse({ kind: 'combine', brief, lens: a, parents: [candidate(openings[0] as string, a, 'a'), candidate(openings[1] as string, b, 'b')] }, seed + 2000));
  return out;
}

describe('rehearsal passages stay on the brief', () => {
  it.each(BRIEFS)('$name: each passage names the topic or a key word, three in four of its sentences use the brief’s words, none is said twice', ({ brief }) => {
    const words = vocabulary(brief);
    const { topic, keywords } = briefWords(brief);
    const names = [topic.replace(/^(?:the|our|your|their|its|this|that) /u, ''), ...keywords].map((term) => term.toLowerCase());
    for (const seed of SEEDS) {
      for (const text of passages(brief, seed)) {
        expect(text).toMatch(/^\[rehearsal · lens /u);
        const body = splitRehearsalText(text).body;
        expect(names.some((name) => body.toLowerCase().includes(name)), `names neither topic nor key word:\n${body}`).toBe(true);
        const sentences = sentencesOf(body);
        const onTopic = sentences.filter((sentence) => contentWords(sentence).some((word) => words.has(stem(word))));
        expect(onTopic.length / sentences.length, `off the brief:\n${sentences.filter((s) => !onTopic.includes(s)).join('\n')}`).toBeGreaterThanOrEqual(0.75);
        expect(new Set(sentences).size, `a sentence repeated in:\n${body}`).toBe(sentences.length);
      }
    }
  });

  it('writes outliers that are on the brief yet far from the other openings, the same under the same seed', () => {
    const brief = makeBrief();
    const words = vocabulary(brief);
    const isolation = { outliers: [] as number[], others: [] as number[] };
    for (const seed of SEEDS) {
      const openings = LENSES.map((lens) => rehearse({ kind: 'open', brief, lens }, seed));
      for (const [i, text] of openings.entries()) {
        const nearest = Math.max(...openings.filter((_, j) => j !== i).map((other) => cosineSimilarity(embedText(text), embedText(other))));
        // Outliers open on their thesis: the topic seen through a far-off craft.
        if (!/^(?:Read|Fly|Tend|Handle|Survey) the small town library as /u.test(splitRehearsalText(text).body)) {
          isolation.others.push(nearest);
          continue;
        }
        isolation.outliers.push(nearest);
        expect(rehearse({ kind: 'open', brief, lens: LENSES[i] as Lens }, seed)).toBe(text);
        for (const sentence of sentencesOf(splitRehearsalText(text).body)) {
          expect(contentWords(sentence).some((word) => words.has(stem(word))), sentence).toBe(true);
        }
      }
    }
    expect(isolation.outliers.length).toBeGreaterThan(5);
    // Far from the rest in the novelty embedding, which is what lets the novelty trigger fire.
    expect(median(isolation.outliers)).toBeLessThan(0.22);
    expect(median(isolation.others)).toBeGreaterThan(0.3);
  });
});

const JudgeAnswer = z.object({
  constraints: z.array(z.object({ index: z.number(), pass: z.boolean(), reason: z.string() })),
  flags: z.array(z.object({ kind: z.string(), reason: z.string() })),
});

describe('the rehearsal judge reads judged constraints against the text', () => {
  it('fails “no medical detail” on every candidate that has one, across seeds, and passes the rest', () => {
    const brief = makeBrief({ constraints: [{ kind: 'judged', text: 'No real person, address or medical detail.' }] });
    const judge = (text: string): z.infer<typeof JudgeAnswer> => JudgeAnswer.parse(JSON.parse(rehearse({ kind: 'judge', brief, candidate: { text } }, 0)));
    let leaky = 0;
    let clean = 0;
    for (let seed = 0; seed < 150; seed++) {
      for (const lens of LENSES) {
        const text = rehearse({ kind: 'open', brief, lens }, seed);
        const verdict = judge(text);
        const constraint = verdict.constraints[0];
        if (verdict.flags.some((flag) => flag.kind === 'sensitive')) {
          leaky++;
          expect(constraint?.pass, text).toBe(false);
          expect(constraint?.reason).toMatch(/^Breaks “No real person, address or medical detail\.”: it includes /u);
        } else {
          clean++;
          expect(constraint?.pass, text).toBe(true);
        }
      }
    }
    // The writer's own sensitive passages (about 2%) are what is judged here, not a planted one.
    expect(leaky).toBeGreaterThan(5);
    expect(clean).toBeGreaterThan(900);
  });
});
