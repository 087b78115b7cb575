import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBrief } from '../../src/brief/parse.js';
import type { Brief, Lens } from '../../src/brief/schema.js';
import { stem } from '../../src/models/local-embedding.js';
import type { TaskCandidate } from '../../src/models/port.js';
import { BANKS, LENS_KINDS } from '../../src/models/rehearsal/banks.js';
import type { LensKind } from '../../src/models/rehearsal/banks.js';
import { isSensitive, nearDuplicate, SWAPS } from '../../src/models/rehearsal/edits.js';
import { parseRehearsalHeader, rehearse, splitRehearsalText } from '../../src/models/rehearsal/index.js';
import { OUTLIER_VOICES } from '../../src/models/rehearsal/outliers.js';
import { createRng } from '../../src/models/rehearsal/rng.js';
import { briefWords, contentWords, grammatical, isPlural, requiredTerms } from '../../src/models/rehearsal/words.js';
import { LENSES, makeBrief } from './fixtures.js';

/**
 * The rehearsal model's templates read right whatever fills their slots — a plural ("teenage
 * readers"), an abstract noun ("pleasure"), a singular ("library") — and every one of them speaks
 * of the brief; across the example briefs and many seeds no passage has a plural subject with a
 * singular verb, a sentence said twice, or a sentence off the brief.
 */

const EXAMPLES = join(import.meta.dirname, '../../examples');
const PLURAL_BRIEF = makeBrief({
  question: 'How could vendors at the farmers markets win back weekend shoppers?',
  intent: 'Stalls are emptying and growers are losing their regular customers.',
  context: 'Vendors share tents, tables and crates; shoppers come for tomatoes, peppers and cheeses.',
});
const BRIEFS: Array<{ name: string; brief: Brief }> = [
  { name: 'fixture', brief: makeBrief() },
  { name: 'plural words', brief: PLURAL_BRIEF },
  ...readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.md'))
    .map((file) => ({ name: file, brief: parseBrief(readFileSync(join(EXAMPLES, file), 'utf8'), { file }) })),
];
/** Lenses beyond the built-in set, so the generic banks (texture, practical, history) speak too. */
const EXTRA_LENSES: Lens[] = [
  { id: 'minimal', name: 'Minimal', text: 'The smallest practical version.', builtin: true },
  ...['sensory', 'lineage', 'local-voice', 'weather'].map((id) => ({ id, name: id, text: `Through ${id}.`, builtin: false })),
];
const SEEDS = Array.from({ length: 12 }, (_, seed) => seed);

const TEMPLATES = LENS_KINDS.flatMap((kind) => [...BANKS[kind].sentences, ...BANKS[kind].focus].map((template) => ({ kind, template })));
const PREPOSITIONS = 'of|on|in|into|around|with|without|for|about|from|to|at|by|than|like|over|under|through|behind|after|before|among|toward|towards';
const ADVERB = '(?:\\w+ly |either |also |still |only |never |always |often |now |then |no longer )?';
/** Third-person singular verbs, and the words after a noun that end in s yet are not verbs. */
const SINGULAR_VERB = '(?:is|has|was|does|(?!(?:as|its|themselves|thus|is)\\b)[a-z]+[^s\\W]s)\\b';

/** A plural noun phrase as the subject of a singular verb; a noun a preposition governs is no subject. */
function disagreement(text: string, plurals: readonly string[]): string | null {
  if (plurals.length === 0) return null;
  const names = plurals.map((word) => word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('|');
  const pattern = new RegExp(`(?<!\\b(?:${PREPOSITIONS}) (?:[\\w-]+ ){0,3})\\b(?:${names}) ${ADVERB}${SINGULAR_VERB}`, 'iu');
  return pattern.exec(text)?.[0] ?? null;
}

function fillAll(template: string, kind: LensKind, values: Record<string, string>): string {
  const words = BANKS[kind].words;
  return grammatical(template, { w: words[0] as string, w2: words[1] as string, f: 'ecology', c: '“a criterion”', ...values });
}

function sentencesOf(text: string): string[] {
  return splitRehearsalText(text)
    .body.split(/\n\s*\n/u)
    .flatMap((paragraph) => paragraph.replace(/\s+/gu, ' ').trim().split(/(?<=[.!?…])\s+(?=\S)/u))
    .filter((sentence) => sentence !== '');
}

function candidate(text: string, lens: Lens, id: string): TaskCandidate {
  return { id, text, lens, depth: parseRehearsalHeader(text)?.draft ?? 1 };
}

/** Openings, a deepening of each (with a note), and a combination, under one seed. */
function passages(brief: Brief, seed: number): string[] {
  const lenses = [...LENSES, ...EXTRA_LENSES];
  const openings = lenses.map((lens) => rehearse({ kind: 'open', brief, lens }, seed));
  const out = [...openings];
  lenses.forEach((lens, i) => {
    const parent = candidate(openings[i] as string, lens, `p${i}`);
    const focus = brief.criteria.slice(0, 2).map((criterion) => criterion.id);
    out.push(rehearse({ kind: 'deepen', brief, lens, parent, critique: 'Sharper.', focus, feedback: 'make it warmer' }, seed + 500));
  });
  const [a, b] = [lenses[0] as Lens, lenses[3] as Lens];
  out.push(rehearse({ kind: 'combine', brief, lens: a, parents: [candidate(openings[0] as string, a, 'a'), candidate(openings[3] as string, b, 'b')] }, seed + 900));
  return out;
}

describe('rehearsal templates', () => {
  it('each names the brief: its topic, a key word or the criterion worked on', () => {
    for (const { template } of TEMPLATES) expect(template, template).toMatch(/\{(?:t|k2?|c)\}/u);
    for (const voice of OUTLIER_VOICES) for (const template of voice.sentences) expect(template, template).toMatch(/\{(?:t|o2?)\}/u);
  });

  it('read right with a plural, an abstract or a singular word in every slot', () => {
    const plural = { t: 'the farmers markets', k: 'teenage readers', k2: 'six engineers' };
    for (const { kind, template } of TEMPLATES) {
      const text = fillAll(template, kind, plural);
      expect(disagreement(text, ['farmers markets', 'teenage readers', 'six engineers']), text).toBeNull();
      // A slot always has its article: a bare singular noun reads as broken ("that library needs").
      const singular = fillAll(template, kind, { t: 'the town hall', k: 'library', k2: 'pleasure' });
      expect(singular, template).not.toMatch(/(?<!\b(?:the|a|an|one|first|of|around|“) )\b(?:library|pleasure)\b(?!”)/u);
      expect(singular).not.toMatch(/\b(?:the|a|an) (?:the|a|an)\b/iu);
      expect(singular).not.toMatch(/\ba [aeiou]/iu);
    }
  });

  it('say the sentences that used to break in words that fit any filler', () => {
    const at = (start: string): { kind: LensKind; template: string } => {
      const found = TEMPLATES.find(({ template }) => template.startsWith(start));
      if (!found) throw new Error(`no template starts “${start}”`);
      return found;
    };
    const longing = at('Longing drives');
    for (const k2 of ['teenage readers', 'pleasure', 'library']) {
      expect(fillAll(longing.template, longing.kind, { k2 })).toBe(`Longing drives the middle section: everyone remembers the ${k2} of earlier years and wants that back.`);
    }
    const resolved = at('Nothing is resolved');
    expect(fillAll(resolved.template, resolved.kind, { k: 'six engineers', w2: 'dread' })).toBe('Nothing is resolved too neatly: the dread around the six engineers stays, softened but present.');
    const quarter = at('By the end of the quarter');
    expect(fillAll(quarter.template, quarter.kind, { k2: 'test reruns' })).toBe('By the end of the quarter, the team decides whether the test reruns earn more time.');
    const scale = at('At a thousand times');
    expect(fillAll(scale.template, scale.kind, { k2: 'vendors' })).toBe('At a thousand times the scale, the vendors are no longer a detail but the whole problem.');
    const limit = at('Push {t}');
    expect(fillAll(limit.template, limit.kind, { t: 'flaky test reruns', k: 'pipeline' })).toBe('Push flaky test reruns to the limit: what if the pipeline had to serve a million people by next week?');
  });
});

describe('rehearsal passages over the example briefs', () => {
  it.each(BRIEFS)('$name: no plural subject with a singular verb, no sentence twice, every sentence but a flagged passage on the brief', ({ brief }) => {
    const { topic, keywords } = briefWords(brief);
    const plurals = [...keywords, topic.replace(/^(?:the|our|your|their|its|this|that) /u, '')].filter(isPlural);
    // The terms the brief requires are its words too ("quarantine" in the flaky-tests example).
    const texts = [brief.question, brief.intent ?? '', brief.context, ...brief.criteria.map((c) => c.text ?? ''), ...requiredTerms(brief)];
    const vocabulary = new Set(texts.flatMap(contentWords).map(stem));
    for (const seed of SEEDS) {
      for (const text of passages(brief, seed)) {
        expect(text).toMatch(/^\[rehearsal · lens /u);
        const body = splitRehearsalText(text).body;
        // Quoted words are the brief's own (a note, a criterion): what they say is not ours to mend.
        const unquoted = body.replace(/“[^”]*”/gu, '“…”');
        expect(disagreement(unquoted, plurals), body).toBeNull();
        expect(unquoted, body).not.toMatch(/\bthe \w+ back the way it was\b/u);
        // A lens name is an imperative ("Change the genre"): "the Change the genre draft" reads as broken.
        for (const lens of [...LENSES, ...EXTRA_LENSES]) expect(body).not.toContain(`the ${lens.name} draft`);
        const sentences = sentencesOf(text);
        expect(new Set(sentences).size, `a sentence repeated in:\n${body}`).toBe(sentences.length);
        const off = sentences.filter((sentence) => !isSensitive(sentence) && !contentWords(sentence).some((word) => vocabulary.has(stem(word))));
        expect(off, body).toEqual([]);
      }
    }
  });

  it('keeps a verb of the brief out of its key words', () => {
    const onboarding = BRIEFS.find(({ name }) => name === 'library-onboarding.md')?.brief as Brief;
    expect(briefWords(onboarding).keywords).not.toContain('borrow');
    expect(briefWords(makeBrief({ question: 'How could they borrow their first book?', intent: '', context: '' })).keywords).toContain('book');
  });

  it('writes near-duplicates that swap words for words meaning the same, with the article fitted', () => {
    const synonyms = new Set(Object.entries(SWAPS).map(([from, to]) => `${from}→${to}`));
    let swapped = 0;
    for (const { brief } of BRIEFS) {
      for (const seed of SEEDS) {
        const paragraphs = splitRehearsalText(rehearse({ kind: 'open', brief, lens: LENSES[seed % LENSES.length] as Lens }, seed)).body
          .split(/\n\s*\n/u)
          .map((paragraph) => paragraph.split(/(?<=[.!?…])\s+(?=\S)/u));
        const copy = nearDuplicate(paragraphs, createRng('near-duplicate test', seed));
        const before = paragraphs.flat().join(' ').split(' ');
        const after = copy.flat().join(' ').split(' ');
        if (before.length !== after.length) {
          // "thousands" becomes "many thousands": the only swap that adds a word.
          expect(after.join(' ')).toContain('many thousands');
          swapped++;
          continue;
        }
        const changes = before.map((word, i) => [word, after[i] as string] as const).filter(([a, b]) => a !== b);
        if (changes.length === 0 || new Set(before).size !== new Set(after).size) continue;
        for (const [from, to] of changes) {
          const strip = (word: string): string => word.replace(/[,.;:!?]$/u, '');
          if (/^[Aa]n?$/u.test(from)) continue;
          if (!synonyms.has(`${strip(from)}→${strip(to)}`)) {
            // Two sentences traded places: the same words, elsewhere.
            expect([...before].sort()).toEqual([...after].sort());
            break;
          }
          swapped++;
        }
        expect(/\ba [aeio]\w*|\ban [b-df-gj-np-tv-z]\w*/iu.exec(after.join(' '))?.[0] ?? null).toBeNull();
      }
    }
    expect(swapped).toBeGreaterThan(20);
  });
});
