import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBrief } from '../../src/brief/parse.js';
import type { Brief, Lens } from '../../src/brief/schema.js';
import type { ModelPort, ModelTask, TaskCandidate } from '../../src/models/port.js';
import { BANKS } from '../../src/models/rehearsal/banks.js';
import { createRehearsalModel, parseRehearsalHeader, splitRehearsalText } from '../../src/models/rehearsal/index.js';
import { LENSES, makeBrief } from './fixtures.js';

/**
 * No passage of the rehearsal model says the same sentence a third time with a word or two
 * changed: every example brief, several seeds, every opening, then rounds of deepening and
 * combining — the edits included — through the real model. A family is sentences of six words or
 * more whose letter-word sets overlap by a Jaccard index of 0.6 or more; written out here, not
 * taken from the writer, so the test does not share the writer's mistakes.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples');
const BRIEFS: Array<{ name: string; brief: Brief }> = [
  { name: 'fixture', brief: makeBrief() },
  {
    name: 'plural words',
    brief: makeBrief({
      question: 'How could vendors at the farmers markets win back weekend shoppers?',
      intent: 'Stalls are emptying and growers are losing their regular customers.',
      context: 'Vendors share tents, tables and crates; shoppers come for tomatoes, peppers and cheeses.',
    }),
  },
  ...readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.md'))
    .map((file) => ({ name: file, brief: parseBrief(readFileSync(join(EXAMPLES, file), 'utf8'), { file }) })),
];
const SEEDS = [0, 1, 2, 3, 4, 5];
const ROUNDS = 4;
/** Notes a person might leave: the same one twice in a row, as people do. */
const NOTES = ['make it warmer', 'make it warmer', 'shorter, and name one concrete first step', ''];

function sentencesOf(text: string): string[] {
  return splitRehearsalText(text)
    .body.split(/\n\s*\n/u)
    .flatMap((paragraph) => paragraph.replace(/\s+/gu, ' ').trim().split(/(?<=[.!?…])\s+(?=\S)/u))
    .filter((sentence) => sentence !== '');
}

function letterWords(sentence: string): string[] {
  return sentence.toLowerCase().match(/\p{L}+/gu) ?? [];
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/** The largest family in a passage: sentences joined, directly or through others, by likeness. */
function largestFamily(text: string): string[] {
  const sentences = sentencesOf(text).filter((sentence) => letterWords(sentence).length >= 6);
  const sets = sentences.map((sentence) => new Set(letterWords(sentence)));
  const group = sentences.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i] as number)));
  for (let i = 0; i < sentences.length; i++) {
    for (let j = i + 1; j < sentences.length; j++) {
      if (jaccard(sets[i] as Set<string>, sets[j] as Set<string>) >= 0.6) group[root(i)] = root(j);
    }
  }
  const families = new Map<number, string[]>();
  sentences.forEach((sentence, i) => families.set(root(i), [...(families.get(root(i)) ?? []), sentence]));
  return [...families.values()].sort((a, b) => b.length - a.length)[0] ?? [];
}

/** Each bank template as a pattern of its fixed words: a slot, its article and the verb after it match anything. */
const TEMPLATES = Object.values(BANKS)
  .flatMap((bank) => [...bank.sentences, ...bank.focus])
  .map((template) => ({
    template,
    pattern: new RegExp(
      `^${template
        .split(/(?:\b[Aa]n? )?\{[a-z0-9]+\}(?: \w+ly)?(?: [a-z]+)?/u)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'))
        .join('.+?')}$`,
      'iu',
    ),
  }));

/** The bank template said most often in a passage, with its sentences. */
function mostUsedTemplate(text: string): string[] {
  const uses = new Map<string, string[]>();
  for (const sentence of sentencesOf(text)) {
    const found = TEMPLATES.find(({ pattern }) => pattern.test(sentence));
    if (found) uses.set(found.template, [...(uses.get(found.template) ?? []), sentence]);
  }
  return [...uses.values()].sort((a, b) => b.length - a.length)[0] ?? [];
}

function lensesOf(brief: Brief): Lens[] {
  return brief.lenses === 'auto' ? LENSES : brief.lenses;
}

async function ask(model: ModelPort, task: ModelTask, seed: number): Promise<string> {
  return (await model.complete({ task, messages: [], seed })).text;
}

function candidate(text: string, lens: Lens, id: string): TaskCandidate {
  return { id, text, lens, depth: parseRehearsalHeader(text)?.draft ?? 1 };
}

/**
 * Every passage of a small exploration: the openings, then rounds in which each lens's latest
 * draft is deepened (on a criterion, with a note) and neighbouring latest drafts are combined, the
 * combinations themselves deepened and combined again in later rounds.
 */
async function explore(brief: Brief, modelSeed: number): Promise<string[]> {
  const model = createRehearsalModel({ seed: modelSeed });
  const lenses = lensesOf(brief);
  let latest = await Promise.all(lenses.map(async (lens, i) => candidate(await ask(model, { kind: 'open', brief, lens }, i + 1), lens, `o${i}`)));
  const out = latest.map((c) => c.text);
  let request = 100;
  for (let round = 0; round < ROUNDS; round++) {
    const criterion = brief.criteria[round % Math.max(1, brief.criteria.length)]?.id ?? 'x';
    const note = NOTES[round % NOTES.length] as string;
    const deepened: TaskCandidate[] = [];
    for (const [i, parent] of latest.entries()) {
      const task: ModelTask = { kind: 'deepen', brief, lens: parent.lens, parent, critique: 'Sharper, and less general.', focus: [criterion], ...(note ? { feedback: note } : {}) };
      deepened.push(candidate(await ask(model, task, request++), parent.lens, `d${round}-${i}`));
    }
    const combined: TaskCandidate[] = [];
    for (let i = 0; i + 1 < deepened.length; i += 2) {
      const [a, b] = [deepened[i] as TaskCandidate, deepened[i + 1] as TaskCandidate];
      combined.push(candidate(await ask(model, { kind: 'combine', brief, lens: a.lens, parents: [a, b] }, request++), a.lens, `c${round}-${i}`));
    }
    out.push(...deepened.map((c) => c.text), ...combined.map((c) => c.text));
    // The next round works on the combinations as well as on the lenses' own lines.
    latest = [...combined, ...deepened].slice(0, lenses.length);
  }
  return out;
}

describe('rehearsal passages do not repeat themselves', () => {
  it.each(BRIEFS)('$name: no family of like sentences more than twice in a passage, through rounds of deepening and combining', async ({ brief }) => {
    let passages = 0;
    let withPairs = 0;
    let templatePairs = 0;
    for (const seed of SEEDS) {
      for (const text of await explore(brief, seed)) {
        passages++;
        expect(text).toMatch(/^\[rehearsal · lens /u);
        const family = largestFamily(text);
        expect(family.length, `a family of ${family.length}:\n${family.join('\n')}\n\nin:\n${text}`).toBeLessThanOrEqual(2);
        if (family.length === 2) withPairs++;
        // Slot words different enough to pass the likeness measure are still one sentence said again.
        const template = mostUsedTemplate(text);
        expect(template.length, `one template ${template.length} times:\n${template.join('\n')}`).toBeLessThanOrEqual(2);
        if (template.length === 2) templatePairs++;
      }
    }
    // The measure sees families at all: pairs are allowed and do occur (an opening and its
    // deepenings keep a phrase or two), so a broken splitter or likeness would show here.
    expect(passages).toBeGreaterThan(100);
    expect(withPairs).toBeGreaterThan(0);
    expect(templatePairs).toBeGreaterThan(0);
  });

  it('gives the same passages for the same seed, and different ones for another', async () => {
    const brief = BRIEFS[1]?.brief as Brief;
    const first = await explore(brief, 3);
    expect(await explore(brief, 3)).toEqual(first);
    const other = await explore(brief, 4);
    expect(other).not.toEqual(first);
    expect(createRehearsalModel({ seed: 3 }).info.label).toBe('rehearsal');
    for (const text of [...first, ...other]) expect(text).toMatch(/^\[rehearsal · lens \S+ · draft \d+ · [0-9a-f]{6}\]\n/u);
  });
});
