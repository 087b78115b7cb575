import type { Brief, CodeCheck } from '../../brief/schema.js';
import type { Rng } from './rng.js';

/** Text helpers shared by the rehearsal writer and judge. */

// Function words and common verbs: they separate the noun phrases a brief is about.
const STOP = new Set(
  (
    'a an the and or but nor so yet of in on at to for from by with within without into onto about above after ' +
    'again against before behind below between beyond during over under until through toward towards upon across ' +
    'is are was were be been being am do does did doing have has had having will would shall should can could may ' +
    'might must ought need needs i me my we us our you your he him his she her it its they them their this that ' +
    'these those there here what which who whom whose when where why how whether if then than as also too very ' +
    'just only even still ever never not no yes all any both each every few many more most much other some such ' +
    'same own one ones make makes made making get gets got getting keep keeps kept give gives gave take takes took ' +
    'bring brings come comes came go goes went turn turns become becomes start starts stop stops help helps use ' +
    'uses using want wants win wins back way ways thing things something anything everything someone anyone ' +
    'everyone people really well good best better like maybe perhaps while instead rather again next new'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/** Runs of consecutive content words (noun phrases, roughly), lowercased, split at stopwords and punctuation. */
export function phrases(text: string): string[][] {
  const runs: string[][] = [];
  for (const chunk of text.toLowerCase().split(/[.,;:!?()"“”[\]{}\n—–]+/)) {
    let run: string[] = [];
    for (const raw of chunk.match(WORD) ?? []) {
      const word = raw.replace(/['’]s$/, '').replace(/-+$/, '');
      if (STOP.has(word) || /^\d+$/.test(word) || word.length < 3) {
        if (run.length > 0) runs.push(run);
        run = [];
      } else {
        run.push(word);
      }
    }
    if (run.length > 0) runs.push(run);
  }
  return runs;
}

/** Content words of a text, lowercased, in order of appearance (repeats kept). */
export function contentWords(text: string): string[] {
  return phrases(text).flat();
}

export interface BriefWords {
  /** A short phrase naming what the brief is about, from its question. */
  topic: string;
  /** The brief's most telling words and two-word phrases: question first, then intent and context. */
  keywords: string[];
}

const MAX_KEYWORDS = 10;

/** A run's head (its last word, usually the noun) and its last two words, when they make a phrase. */
function terms(run: readonly string[]): string[] {
  const head = run[run.length - 1] as string;
  const out: string[] = [];
  if (head.length >= 4 && !/(?:ly|ing|ed)$/.test(head)) out.push(head);
  if (run.length >= 2) out.push(run.slice(-2).join(' '));
  return out;
}

export function briefWords(brief: Brief): BriefWords {
  const score = new Map<string, number>();
  const add = (text: string, weight: number): void => {
    phrases(text)
      .flatMap(terms)
      .forEach((term, index) => {
        // Earlier terms weigh slightly more, so ties keep the order of the text.
        score.set(term, (score.get(term) ?? 0) + weight - index * 1e-3);
      });
  };
  add(brief.question, 3);
  add(brief.intent ?? '', 2);
  add(brief.context, 1);
  const keywords = [...score.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_KEYWORDS)
    .map(([term]) => term);
  const questionRuns = phrases(brief.question);
  const topicRun = questionRuns.find((run) => run.length >= 2) ?? questionRuns[0];
  return {
    topic: topicRun ? topicRun.slice(-3).join(' ') : 'the idea',
    keywords: keywords.length > 0 ? keywords : ['idea', 'draft', 'work'],
  };
}

/** Words as a person counts them: whitespace-separated tokens with a letter or digit. */
export function countWords(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) count++;
  return count;
}

/** For texts without a rehearsal header: longer texts are taken to be more worked on. */
export function estimateDraft(text: string): number {
  return 1 + Math.min(3, Math.floor(countWords(text) / 150));
}

function codeChecks(brief: Brief): CodeCheck[] {
  const checks: CodeCheck[] = [];
  for (const criterion of brief.criteria) if (criterion.check) checks.push(criterion.check);
  for (const constraint of brief.constraints) if (constraint.kind === 'check') checks.push(constraint.check);
  return checks;
}

export interface WordRange {
  min?: number;
  max?: number;
}

/** The word limits the brief's code checks set, if any. */
export function wordRange(brief: Brief): WordRange {
  const range: WordRange = {};
  for (const check of codeChecks(brief)) {
    if (check.min_words !== undefined) range.min = Math.max(range.min ?? 0, check.min_words);
    if (check.max_words !== undefined) range.max = Math.min(range.max ?? Infinity, check.max_words);
  }
  return range;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

export function requiredTerms(brief: Brief): string[] {
  return codeChecks(brief).flatMap((check) => asList(check.must_include));
}

export function forbiddenTerms(brief: Brief): string[] {
  return codeChecks(brief).flatMap((check) => asList(check.must_not_include).map((term) => term.toLowerCase()));
}

/** Probability that a text keeps to the brief's word limits; the rest miss, so checks can fail. */
export const WORD_LIMIT_RESPECT = 0.8;
const DEFAULT_WORDS: readonly [number, number] = [180, 320];

/** How many words a new text aims for. */
export function targetWords(brief: Brief, rng: Rng): number {
  const { min, max } = wordRange(brief);
  const respect = rng.chance(WORD_LIMIT_RESPECT);
  if (min === undefined && max === undefined) return rng.between(DEFAULT_WORDS[0], DEFAULT_WORDS[1]);
  if (respect) {
    if (min !== undefined && max !== undefined) {
      const span = Math.max(0, max - min);
      return Math.round(min + span * (0.15 + 0.5 * rng.next()));
    }
    if (min !== undefined) return Math.round(min * (1.1 + 0.4 * rng.next()) + 10);
    return Math.max(20, Math.round((max as number) * (0.55 + 0.3 * rng.next())));
  }
  const under = min !== undefined && (max === undefined || rng.chance(0.5));
  if (under) return Math.max(10, Math.round((min as number) * (0.6 + 0.25 * rng.next())));
  return Math.round((max as number) * (1.15 + 0.25 * rng.next()) + 10);
}

export interface Slots {
  topic: string;
  keywords: readonly string[];
  words: readonly string[];
  field?: string;
  criterion?: string;
}

/** Fills a template's slots with seeded choices, capitalising the first letter. */
export function fill(template: string, slots: Slots, rng: Rng): string {
  const k = rng.pick(slots.keywords);
  const others = slots.keywords.filter((word) => word !== k);
  const k2 = others.length > 0 ? rng.pick(others) : k;
  const w = rng.pick(slots.words);
  const otherWords = slots.words.filter((word) => word !== w);
  const w2 = otherWords.length > 0 ? rng.pick(otherWords) : w;
  const text = template
    .replaceAll('{t}', slots.topic)
    .replaceAll('{k}', k)
    .replaceAll('{k2}', k2)
    .replaceAll('{w}', w)
    .replaceAll('{w2}', w2)
    .replaceAll('{f}', slots.field ?? 'another field')
    .replaceAll('{c}', slots.criterion ?? slots.topic);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Paragraphs (split on blank lines) of sentences. */
export function paragraphsOf(body: string): string[][] {
  return body
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => paragraph.split(/(?<=[.!?…])\s+(?=\S)/));
}

export function joinParagraphs(paragraphs: readonly (readonly string[])[]): string {
  return paragraphs
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => paragraph.join(' '))
    .join('\n\n');
}

/** Words of a criterion's text fit for a sentence: no trailing full stop, first letter lowered. */
export function criterionPhrase(text: string): string {
  const trimmed = text.trim().replace(/[.!]+$/, '');
  const lowered = /^[A-Z][a-z]/.test(trimmed) ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1) : trimmed;
  return `“${lowered}”`;
}
