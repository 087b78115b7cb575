import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Brief, Lens } from '../../src/brief/schema.js';
import { rehearse, splitRehearsalText } from '../../src/models/rehearsal/index.js';
import { grammatical, isPlural, pluralVerb } from '../../src/models/rehearsal/words.js';
import { LENSES, makeBrief } from './fixtures.js';

/**
 * The rehearsal model's prose, as a newcomer reads it in the demo: verbs agree with plural
 * subjects, articles fit, no sentence is said twice in one draft; and its judge reads judged
 * privacy constraints against the text.
 */

/** A brief whose words are mostly plural nouns: the case that used to read "the vendors has". */
const PLURAL_BRIEF = makeBrief({
  question: 'How could vendors at the farmers markets win back weekend shoppers?',
  intent: 'Stalls are emptying and growers are losing their regular customers.',
  context: 'Vendors share tents, tables and crates; shoppers come for tomatoes, peppers and cheeses.',
});

const JudgeAnswer = z.object({ constraints: z.array(z.object({ index: z.number(), pass: z.boolean(), reason: z.string() })) }).passthrough();

function bodyOf(text: string): string {
  return splitRehearsalText(text).body;
}

function sentencesOf(text: string): string[] {
  return bodyOf(text)
    .split(/\n\s*\n/u)
    .flatMap((paragraph) => paragraph.replace(/\s+/gu, ' ').trim().split(/(?<=[.!?…])\s+(?=\S)/u))
    .filter((sentence) => sentence !== '');
}

function drafts(brief: Brief): string[] {
  const texts: string[] = [];
  for (const lens of LENSES as Lens[]) {
    for (let seed = 0; seed < 6; seed++) {
      const opened = rehearse({ kind: 'open', brief, lens }, seed);
      texts.push(opened);
      texts.push(rehearse({ kind: 'deepen', brief, lens, parent: { id: 'p', text: opened, lens, depth: 1 }, critique: 'Sharper.', focus: ['clear'], feedback: 'make it warmer' }, seed + 100));
    }
  }
  return texts;
}

describe('rehearsal prose', () => {
  it('makes verbs agree with plural slots and fits articles', () => {
    expect(grammatical('The {k} either earns more time; {t} suddenly has the initiative.', { k: 'blocks', t: 'the vendors' })).toBe('The blocks either earn more time; the vendors suddenly have the initiative.');
    expect(grammatical('A {k} is a {w}.', { k: 'idea', w: 'premise' })).toBe('An idea is a premise.');
    expect(grammatical('The space around the {k} says enough.', { k: 'shoppers' })).toBe('The space around the shoppers says enough.');
    expect(grammatical('The {k} carries it.', { k: 'process' })).toBe('The process carries it.');
    expect(isPlural('farmers markets')).toBe(true);
    expect(isPlural('business')).toBe(false);
    expect(pluralVerb('carries')).toBe('carry');
    expect(pluralVerb('pushes')).toBe('push');
  });

  it('never writes a plural subject with a singular verb, and never repeats a sentence in a draft', () => {
    const texts = drafts(PLURAL_BRIEF);
    const plurals = ['vendors', 'markets', 'shoppers', 'stalls', 'growers', 'customers', 'tents', 'tables', 'crates', 'tomatoes', 'peppers', 'cheeses'];
    // The subject, not a noun a preposition governs ("the version of the vendors is" is right).
    const disagreeing = new RegExp(`(?<!\\b(?:of|on|in|into|around|with|for|about|from|to|at|by|than|like|over|under|through|behind|after|before) )\\bthe (?:${plurals.join('|')}) (?:(?:\\w+ly|either|also|still|only|never|always|often) )?(?:has|is|was|does|needs|earns|deserves|becomes|looks|matters|starts)\\b`, 'iu');
    for (const text of texts) {
      const body = bodyOf(text);
      expect(disagreeing.exec(body)?.[0] ?? null, body).toBeNull();
      expect(/\ba (?:[aeiou]\w*)\b/iu.exec(body.replace(/\ba (?:u\w+|one\w*|eu\w*)\b/giu, ''))?.[0] ?? null).toBeNull();
      const sentences = sentencesOf(text);
      expect(new Set(sentences).size, `a sentence repeated in:\n${body}`).toBe(sentences.length);
    }
  });

  it('stays deterministic per seed', () => {
    const lens = LENSES[0] as Lens;
    expect(rehearse({ kind: 'open', brief: PLURAL_BRIEF, lens }, 4)).toBe(rehearse({ kind: 'open', brief: PLURAL_BRIEF, lens }, 4));
  });

  it('its judge fails a privacy constraint on a text with a medical detail, and passes a clean one', () => {
    const brief = makeBrief({ constraints: [{ kind: 'judged', text: 'No real person, address or medical detail.' }] });
    const judge = (text: string): z.infer<typeof JudgeAnswer> => JudgeAnswer.parse(JSON.parse(rehearse({ kind: 'judge', brief, candidate: { text } }, 0)));
    const clean = rehearse({ kind: 'open', brief, lens: LENSES[0] as Lens }, 1);
    const leaky = `${clean}\nIt reproduces the medical file of Ruth Lindqvist, a neighbour on 27 Mill Street: HIV-positive since 2014.\n`;
    const broken = judge(leaky).constraints[0];
    expect(broken?.pass).toBe(false);
    expect(broken?.reason).toMatch(/Breaks “No real person, address or medical detail\.”: it includes/u);
    const held = judge(clean).constraints[0];
    expect(held?.pass).toBe(true);
    // A quoted word the brief rules out is found in the text, not guessed.
    const quoted = makeBrief({ constraints: [{ kind: 'judged', text: 'Never use the word “synergy”.' }] });
    const answer = JSON.parse(rehearse({ kind: 'judge', brief: quoted, candidate: { text: `${clean} Synergy at last.` } }, 0)) as { constraints: { pass: boolean }[] };
    expect(answer.constraints[0]?.pass).toBe(false);
  });
});
