import type { Brief, CodeCheck } from '../../brief/schema.js';
import { stem } from '../local-embedding.js';
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
  /** A short phrase naming what the brief is about, from its question, with its article ("the small town library"). */
  topic: string;
  /** The brief's most telling words and two-word phrases: question first, then intent and context. */
  keywords: string[];
  /**
   * The brief's own words the keywords leave out — details of its context and criteria ("garden",
   * "unused computers"). An outlier starts from them: on the brief's subject, yet far in vocabulary
   * from the drafts that circle the keywords.
   */
  overlooked: string[];
}

const MAX_KEYWORDS = 10;
const MAX_OVERLOOKED = 8;
/** Words that may stand before the topic in the question and read right before it in any sentence. */
const TOPIC_DETERMINERS = new Set(['the', 'our', 'your', 'their', 'its', 'this', 'that']);

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
    const verbs = verbsIn(text);
    phrases(text)
      .flatMap(terms)
      // A verb or an adverb in a noun's place reads as broken: "every word about the think".
      .filter((term) => {
        const head = term.split(' ').at(-1) as string;
        return looksLikeNoun(head) && !verbs.has(head);
      })
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
  const topic = topicRun ? topicRun.slice(-3).join(' ') : null;
  const keywordList = keywords.length > 0 ? keywords : ['idea', 'draft', 'work'];
  return {
    topic: topic ? withDeterminer(brief.question, topic) : 'the idea',
    keywords: keywordList,
    overlooked: overlookedTerms(brief, keywordList),
  };
}

/** The topic as the question says it: "the small town library", not "small town library". */
function withDeterminer(question: string, topic: string): string {
  const words = question.toLowerCase().match(WORD) ?? [];
  const first = topic.split(' ')[0] as string;
  for (let i = 1; i < words.length; i++) {
    if (words[i] !== first) continue;
    const before = words[i - 1] as string;
    if (TOPIC_DETERMINERS.has(before)) return `${before} ${topic}`;
    // An adjective the topic left out ("the last keeper" from "the last keeper of…" is whole already).
    const twoBefore = words[i - 2];
    if (twoBefore && TOPIC_DETERMINERS.has(twoBefore) && !STOP.has(before)) return `${twoBefore} ${topic}`;
    break;
  }
  return topic;
}

/**
 * Words a brief uses as verbs: after a subject pronoun or a modal ("they borrow", "never borrow"),
 * or straight before a possessive ("borrow their first book"). As a keyword one would read "the
 * borrow".
 */
function verbsIn(text: string): Set<string> {
  const lower = text.toLowerCase();
  const after = /\b(?:they|we|you|i|he|she|can|could|would|should|will|must|might|never|always)\s+([\p{L}][\p{L}'’-]*)/gu;
  const before = /([\p{L}][\p{L}'’-]*)\s+(?:their|his|her|its|our|your|my)\b/gu;
  return new Set([...lower.matchAll(after), ...lower.matchAll(before)].map((match) => match[1] as string));
}

/** Words that end a run of content words without naming a thing. */
const NOT_NOUNS = new Set(
  'enough already else told tell tells feel feels felt last later think thinks share shares run runs sign half said says seen stay stays stayed within first second third once twice available reach survive spoken cite cites fewer work works anyway ends changes'.split(' '),
);

/** Times and dates: they name no detail a draft could start from ("tiny repairs to “june”"). */
const TIME_WORD = /^(?:minutes?|hours?|days?|weeks?|months?|years?|quarters?|seasons?|holidays?|weekends?|today|tomorrow|january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/u;

function looksLikeNoun(word: string): boolean {
  return word.length >= 4 && !NOT_NOUNS.has(word) && !/(?:ly|ing|ed)$/u.test(word);
}

/** A detail an outlier can start from: a thing, not a time. */
function looksLikeDetail(word: string): boolean {
  return looksLikeNoun(word) && !TIME_WORD.test(word);
}

/** The brief's words beyond its keywords: context first, then criteria, then the rest of intent. */
function overlookedTerms(brief: Brief, keywords: readonly string[]): string[] {
  // Compared by stem, as the novelty embedding compares them ("rerun data" is near "reruns").
  const taken = new Set(keywords.flatMap((keyword) => keyword.split(/[\s-]+/u)).map(stem));
  const out: string[] = [];
  const sources = [brief.context, ...brief.criteria.map((criterion) => criterion.text ?? ''), brief.intent ?? '', brief.question];
  for (const source of sources) {
    for (const run of phrases(source)) {
      // The two-word phrase first: "unused computers" says more than "computers".
      for (const term of terms(run).reverse()) {
        if (!looksLikeDetail(term.split(' ').at(-1) as string)) continue;
        if (out.length >= MAX_OVERLOOKED) return out;
        // A term that shares a word with a keyword would pull the outlier back toward the others.
        const stems = term.split(/[\s-]+/u).map(stem);
        if (stems.some((word) => taken.has(word)) || out.includes(term)) continue;
        out.push(term);
        for (const word of stems) taken.add(word);
      }
    }
  }
  return out;
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
  /** The brief's overlooked words (`BriefWords.overlooked`), for outliers. */
  overlooked?: readonly string[];
}

/** Fills a template's slots with seeded choices, capitalising the first letter. */
export function fill(template: string, slots: Slots, rng: Rng): string {
  const k = rng.pick(slots.keywords);
  const others = slots.keywords.filter((word) => word !== k);
  const k2 = others.length > 0 ? rng.pick(others) : k;
  const w = rng.pick(slots.words);
  const otherWords = slots.words.filter((word) => word !== w);
  const w2 = otherWords.length > 0 ? rng.pick(otherWords) : w;
  // Drawn only when asked for, so templates without them keep their seeded choices.
  const overlooked = slots.overlooked && slots.overlooked.length > 0 ? slots.overlooked : slots.keywords;
  const o = template.includes('{o') ? rng.pick(overlooked) : '';
  const otherOverlooked = overlooked.filter((word) => word !== o);
  const o2 = template.includes('{o2}') ? (otherOverlooked.length > 0 ? rng.pick(otherOverlooked) : o) : '';
  const values: Record<string, string> = { t: slots.topic, k, k2, w, w2, o, o2, f: slots.field ?? 'another field', c: slots.criterion ?? slots.topic };
  const text = grammatical(template, values);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Templates are written for a singular noun in each slot; the brief's words are often plural
 * ("blocks", "vendors"). Fills the slots and makes the sentence agree: the verb after a plural
 * slot (over an adverb between them), and the article before any slot ("a" → "an", or dropped
 * before a plural).
 */
export function grammatical(template: string, values: Readonly<Record<string, string>>): string {
  const SLOT = /(\b[Aa]n? )?\{(t|k2?|w2?|o2?|f|c)\}((?: (?:\w+ly|either|also|still|only|never|always|often|now|then|soon|rarely))?)( [a-z]+)?/gu;
  return template.replace(SLOT, (_match, article: string | undefined, slot: string, adverb: string, next: string | undefined, offset: number) => {
    // The slot is the verb's subject unless a preposition governs it ("the space around the {k} says").
    const before = template.slice(0, offset).trim().split(/\s+/u).filter((word) => !DETERMINERS.has(word.toLowerCase()));
    const governed = PREPOSITIONS.has((before.at(-1) ?? '').toLowerCase());
    let value = values[slot] ?? '';
    const plural = isPlural(value) && !value.startsWith('“');
    let lead = '';
    if (article) {
      const capital = article.startsWith('A');
      if (plural) value = capital ? value.charAt(0).toUpperCase() + value.slice(1) : value;
      else lead = `${/^[aeiou]/iu.test(value) && !/^(?:uni|use|one|eu)/iu.test(value) ? (capital ? 'An' : 'an') : capital ? 'A' : 'a'} `;
    }
    let verb = next ?? '';
    if (plural && next && !governed) verb = ` ${pluralVerb(next.slice(1))}`;
    return `${lead}${value}${adverb}${verb}`;
  });
}

const DETERMINERS = new Set(['the', 'a', 'an', 'its', 'their', 'your', 'our', 'this', 'that', 'every', 'each']);
const PREPOSITIONS = new Set(['of', 'on', 'in', 'into', 'around', 'with', 'without', 'for', 'about', 'from', 'to', 'between', 'at', 'by', 'than', 'like', 'over', 'under', 'through', 'then', 'behind', 'beyond', 'toward', 'towards', 'after', 'before', 'across', 'against', 'among', 'near']);
const NOT_PLURAL = /(?:ss|us|is|ics|news|series|lens|ous|ness|less|ys)$/u;

/** Whether a noun phrase reads as plural (by its last word): "vendors", "the blocks". */
export function isPlural(phrase: string): boolean {
  const last = phrase.trim().split(/\s+/u).at(-1)?.toLowerCase() ?? '';
  return last.length > 3 && last.endsWith('s') && !NOT_PLURAL.test(last);
}

const IRREGULAR: Readonly<Record<string, string>> = { has: 'have', is: 'are', was: 'were', does: 'do', goes: 'go', itself: 'themselves' };
/** Words ending in s after a noun that are not third-person verbs. */
const NOT_VERBS = new Set(['as', 'is', 'this', 'thus', 'us', 'across', 'always', 'perhaps', 'unless', 'less', 'plus', 'its', 'yes', 'his', 'whereas', 'towards', 'afterwards']);

/** The plural form of a third-person singular verb ("earns" → "earn"); other words as they are. */
export function pluralVerb(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (NOT_VERBS.has(word) || !word.endsWith('s') || word.endsWith('ss')) return word;
  if (/[^aeiou]ies$/u.test(word)) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|sses|xes|zzes)$/u.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
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
