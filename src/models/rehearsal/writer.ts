import type { Brief, Lens } from '../../brief/schema.js';
import type { ModelTask, TaskCandidate } from '../port.js';
import { BANKS, BORROWED_FIELDS, lensKind } from './banks.js';
import type { Bank } from './banks.js';
import { fitToTarget, isSensitive, nearDuplicate, paragraphise } from './edits.js';
import { FamilyLedger, sentencesIn, templateMatcher } from './family.js';
import { formatOrigins, formatRehearsalHeader, splitRehearsalText } from './header.js';
import type { RehearsalHeader, RehearsalOrigin } from './header.js';
import {
  OUTLIER_PROBABILITY,
  OUTLIER_PROBABILITY_DEFAULT,
  OUTLIER_VOICES,
  SENSITIVE_NAMES,
  SENSITIVE_PASSAGES,
} from './outliers.js';
import type { OutlierVoice } from './outliers.js';
import { createRng, hash32, hex6, unit } from './rng.js';
import type { Rng } from './rng.js';
import {
  briefWords,
  countWords,
  criterionPhrase,
  estimateDraft,
  fill,
  forbiddenTerms,
  joinParagraphs,
  paragraphsOf,
  requiredTerms,
  targetWords,
} from './words.js';
import type { Slots } from './words.js';

/**
 * The rehearsal writer: plays `open`, `deepen` and `combine` from the structured task. It has no
 * understanding of language; it assembles plausible prose from the brief's words and the lens's
 * phrase bank, with seeded accidents (near-duplicates, sensitive passages, outliers) so that every
 * trigger of Baton's loop can occur.
 */

/** Share of deepenings that change only a word or two. */
export const NEAR_DUPLICATE_PROBABILITY = 0.1;
/** Share of openings and deepenings that include a passage the judge must flag. */
export const SENSITIVE_PROBABILITY = 0.02;
/** Share of a parent's sentences a deepening rewrites. */
const REWRITE_SHARE = 0.35;
const MAX_ORIGINS = 4;
/** How often one template may open a sentence in one text. */
const MAX_TEMPLATE_USES = 2;
/** How many of the brief's overlooked details one outlier draws on. */
const OUTLIER_DETAILS = 4;

export interface Seeds {
  /** The model's own seed (`createRehearsalModel({ seed })`). */
  model: number;
  /** The request's seed. */
  request: number;
}

type WriterTask = Extract<ModelTask, { kind: 'open' | 'deepen' | 'combine' }>;

export function write(task: WriterTask, seeds: Seeds): string {
  switch (task.kind) {
    case 'open':
      return writeOpen(task.brief, task.lens, seeds);
    case 'deepen':
      return writeDeepen(task, seeds);
    case 'combine':
      return writeCombine(task, seeds);
  }
}

interface Voice {
  bank: Bank;
  outlier: OutlierVoice | null;
  slots: Slots;
  /** Which of the voice's templates a sentence was made from. */
  templateOf: (sentence: string) => string | null;
}

const matchers = new Map<string, (sentence: string) => string | null>();

function matcherFor(name: string, templates: readonly string[]): (sentence: string) => string | null {
  let matcher = matchers.get(name);
  if (!matcher) {
    matcher = templateMatcher(templates);
    matchers.set(name, matcher);
  }
  return matcher;
}

/** A ledger of a text in a voice: no family past a pair, no template of the voice more than twice. */
function ledgerOf(voice: Voice, initial: Iterable<string> = []): FamilyLedger {
  return new FamilyLedger(initial, voice.templateOf);
}

/** How an opening speaks: decided by its lens and sig, so every deepening of it speaks alike. */
function voiceFor(brief: Brief, lens: Lens, sig: string): Voice {
  const kind = lensKind(lens);
  const bank = BANKS[kind];
  const outlierChance = OUTLIER_PROBABILITY[kind] ?? OUTLIER_PROBABILITY_DEFAULT;
  const outlier =
    unit('outlier', sig, lens.id) < outlierChance
      ? (OUTLIER_VOICES[hash32('outlier-voice', sig) % OUTLIER_VOICES.length] as OutlierVoice)
      : null;
  const { topic, keywords, overlooked } = briefWords(brief);
  const field = BORROWED_FIELDS[hash32('field', sig) % BORROWED_FIELDS.length] as string;
  // Each outlier starts from a few of the overlooked details, so that two outliers of one
  // exploration do not end up near each other.
  const start = hash32('overlooked', sig) % Math.max(1, overlooked.length);
  const details = overlooked.length <= OUTLIER_DETAILS ? overlooked : [...overlooked, ...overlooked].slice(start, start + OUTLIER_DETAILS);
  const templateOf = outlier ? matcherFor(`outlier:${outlier.name}`, outlier.sentences) : matcherFor(`bank:${kind}`, [...bank.sentences, ...bank.focus]);
  return { bank, outlier, slots: { topic, keywords, words: bank.words, field, overlooked: outlier ? details : overlooked }, templateOf };
}

/** The opening words of a sentence: two sentences from one template usually share them. */
function opening(sentence: string): string {
  return sentence.toLowerCase().split(' ', 3).join(' ');
}

/**
 * A stream of fresh sentences in the voice: templates in seeded order, skipping any whose opening
 * words are already in the text (`present`), so a text does not repeat itself; once every template
 * has been used, each may be used once more. No sentence is ever given twice, and none that the
 * text's ledger refuses — a third of a family, a template filled again with other slot words —
 * whatever edits brought the text to where it is. When the voice has nothing new left to say it
 * gives '' and the text stops growing.
 */
type SentenceSource = (ledger: FamilyLedger) => string;

function sentenceSource(voice: Voice, brief: Brief, rng: Rng, present: readonly string[] = []): SentenceSource {
  const templates = voice.outlier ? voice.outlier.sentences : voice.bank.sentences;
  const forbidden = forbiddenTerms(brief);
  const used = new Map<string, number>();
  for (const sentence of present) used.set(opening(sentence), (used.get(opening(sentence)) ?? 0) + 1);
  // Sentence by sentence: a template can hold two, and the first must not come back either.
  const given = new Set(present.flatMap(sentencesIn));
  let queue: string[] = [];
  let rounds = 0;
  return (ledger) => {
    let fallback: string | null = null;
    for (let attempt = 0; attempt < 60; attempt++) {
      if (queue.length === 0) {
        queue = rng.shuffle(templates);
        rounds++;
      }
      const template = queue.pop() as string;
      // An outlier that has said all its own material says no more: the lens's bank would pull it
      // back among the other drafts.
      if (voice.outlier && rounds > 1) break;
      const sentence = fill(template, voice.slots, rng);
      const lower = sentence.toLowerCase();
      const parts = sentencesIn(sentence);
      if (parts.some((part) => given.has(part)) || forbidden.some((term) => lower.includes(term))) continue;
      if (!ledger.admits(sentence)) continue;
      const uses = used.get(opening(sentence)) ?? 0;
      // A template said twice is enough: a third time reads as a tic, not as prose.
      if (uses < MAX_TEMPLATE_USES) fallback ??= sentence;
      if (uses > 0) continue;
      used.set(opening(sentence), 1);
      for (const part of parts) given.add(part);
      ledger.add(sentence);
      return sentence;
    }
    if (fallback === null) return '';
    used.set(opening(fallback), (used.get(opening(fallback)) ?? 0) + 1);
    for (const part of sentencesIn(fallback)) given.add(part);
    ledger.add(fallback);
    return fallback;
  };
}

/**
 * The last edit of every text: walks its sentences — the opening sentence first, then the ones this
 * draft must keep (`keep`: its work on criteria, a note taken up, a required term, a flagged
 * passage), then the rest in order — and drops any that would make a family of three. Rewrites,
 * combinations and notes taken up in earlier drafts all pass through here, so the rule holds
 * whatever path a text took. Returns the ledger of what remains, for padding the text back out.
 */
function settleFamilies(paragraphs: string[][], keep: ReadonlySet<string>, voice: Voice): FamilyLedger {
  const ledger = ledgerOf(voice);
  const order: Array<[number, number]> = [];
  paragraphs.forEach((paragraph, p) => paragraph.forEach((_, s) => order.push([p, s])));
  const rank = ([p, s]: [number, number]): number => (p === 0 && s === 0 ? 0 : keep.has(paragraphs[p]?.[s] as string) ? 1 : 2);
  const dropped = new Set<string>();
  for (const position of [...order].sort((a, b) => rank(a) - rank(b))) {
    const [p, s] = position;
    if (!ledger.take(paragraphs[p]?.[s] as string)) dropped.add(`${p}:${s}`);
  }
  for (let p = paragraphs.length - 1; p >= 0; p--) {
    const paragraph = paragraphs[p] as string[];
    for (let s = paragraph.length - 1; s >= 0; s--) if (dropped.has(`${p}:${s}`)) paragraph.splice(s, 1);
    if (paragraph.length === 0 && paragraphs.length > 1) paragraphs.splice(p, 1);
  }
  return ledger;
}

function framingSentences(brief: Brief, voice: Voice): string[] {
  if (voice.outlier) return [];
  const out: string[] = [];
  const intent = brief.intent?.trim().replace(/[.!?]+$/, '');
  if (intent) out.push(`This matters because ${intent.charAt(0).toLowerCase()}${intent.slice(1)}.`);
  return out;
}

function sensitivePassage(rng: Rng): string {
  const template = rng.pick(SENSITIVE_PASSAGES);
  return template
    .replaceAll('{name}', rng.pick(SENSITIVE_NAMES.name))
    .replaceAll('{child}', rng.pick(SENSITIVE_NAMES.child))
    .replaceAll('{street}', rng.pick(SENSITIVE_NAMES.street))
    .replaceAll('{school}', rng.pick(SENSITIVE_NAMES.school))
    .replaceAll('{age}', String(rng.between(31, 68)));
}

function headLines(header: RehearsalHeader, origins: readonly RehearsalOrigin[] | null): string {
  return origins ? `${formatRehearsalHeader(header)}\n${formatOrigins(origins)}` : formatRehearsalHeader(header);
}

function assemble(head: string, paragraphs: readonly (readonly string[])[]): string {
  return `${head}\n\n${joinParagraphs(paragraphs)}\n`;
}

/** Ways of saying that a text keeps required terms in view; none needs a verb to agree with them. */
const REQUIRED_FRAMES = [
  (terms: string): string => `Throughout, it keeps ${terms} in view.`,
  (terms: string): string => `Nothing here loses sight of ${terms}.`,
  (terms: string): string => `Every paragraph comes back, one way or another, to ${terms}.`,
];
const OUTLIER_REQUIRED_FRAMES = [
  (terms: string): string => `From the first line to the last, the record keeps ${terms}.`,
  (terms: string): string => `Every entry in this log returns to ${terms}.`,
  (terms: string): string => `Nothing in the account lets ${terms} slip out of sight.`,
];

function listed(terms: readonly string[]): string {
  return terms.length <= 1 ? (terms[0] ?? '') : `${terms.slice(0, -1).join(', ')} and ${terms.at(-1) as string}`;
}

/**
 * Adds the brief's required terms (most of the time), so must-include checks usually pass: all in
 * one sentence, in the first frame the text's ledger admits, so that notes added in later drafts
 * do not pile up into a family of near-identical sentences.
 */
function requiredSentences(brief: Brief, voice: Voice, existing: string, rng: Rng, ledger: FamilyLedger): string[] {
  const lower = existing.toLowerCase();
  const missing = requiredTerms(brief).filter((term) => !lower.includes(term.toLowerCase()) && rng.chance(0.9));
  if (missing.length === 0) return [];
  const terms = listed(voice.outlier ? missing.map((term) => `“${term}”`) : missing);
  const frames = voice.outlier ? OUTLIER_REQUIRED_FRAMES : REQUIRED_FRAMES;
  const start = rng.int(frames.length);
  const sentences = frames.map((_, i) => (frames[(start + i) % frames.length] as (terms: string) => string)(terms));
  const sentence = sentences.find((candidate) => ledger.admits(candidate)) ?? (sentences[0] as string);
  ledger.add(sentence);
  return [sentence];
}

function writeOpen(brief: Brief, lens: Lens, seeds: Seeds): string {
  const key = ['open', seeds.model, seeds.request, brief.question, brief.intent ?? '', brief.context, lens.id, lens.text];
  const sig = hex6('sig', ...key);
  const rng = createRng(...key);
  const voice = voiceFor(brief, lens, sig);
  const header: RehearsalHeader = { lensId: lens.id, draft: 1, sig };
  const target = targetWords(brief, rng);
  const next = sentenceSource(voice, brief, rng);
  const ledger = ledgerOf(voice);

  // The lens speaks first; the brief's intent is woven in later, as a writer would.
  const framing = framingSentences(brief, voice);
  // An outlier opens on its thesis: the brief's topic, and the unusual angle taken on it.
  const thesis = voice.outlier ? fill(voice.outlier.thesis, voice.slots, rng) : null;
  const sentences: string[] = thesis ? [thesis] : [];
  if (thesis) ledger.add(thesis);
  for (const sentence of framing) ledger.add(sentence);
  let words = countWords(formatRehearsalHeader(header)) + countWords(framing.join(' ')) + countWords(thesis ?? '');
  while (words < target) {
    const sentence = next(ledger);
    if (sentence === '') break;
    sentences.splice(sentences.length === 0 ? 0 : rng.between(1, sentences.length), 0, sentence);
    words += countWords(sentence);
  }
  for (const sentence of framing) sentences.splice(Math.min(sentences.length, rng.between(2, 4)), 0, sentence);
  const extra = requiredSentences(brief, voice, sentences.join(' '), rng, ledger);
  const paragraphs = paragraphise([...sentences, ...extra], rng);
  const keep = new Set([...framing, ...extra]);
  if (rng.chance(SENSITIVE_PROBABILITY)) {
    const passage = sensitivePassage(rng);
    paragraphs.splice(rng.between(1, paragraphs.length), 0, [passage]);
    keep.add(passage);
  }
  settleFamilies(paragraphs, keep, voice);
  return assemble(formatRehearsalHeader(header), paragraphs);
}

interface ParsedParent {
  header: RehearsalHeader;
  origins: RehearsalOrigin[] | null;
  paragraphs: string[][];
}

/** A parent as the writer sees it; a text from another model gets a header estimated from it. */
function parseParent(parent: TaskCandidate): ParsedParent {
  const { header, origins, body } = splitRehearsalText(parent.text);
  return {
    header: header ?? { lensId: parent.lens.id, draft: estimateDraft(parent.text), sig: hex6('foreign', parent.text) },
    origins,
    paragraphs: paragraphsOf(body),
  };
}

function mentionsSensitivity(text: string): boolean {
  return /sensitive|private|personal|consent|confiden/i.test(text);
}

function feedbackSentence(feedback: string, voice: Voice, rng: Rng): string {
  const words = feedback.trim().replace(/\s+/g, ' ').split(' ').slice(0, 30).join(' ').replace(/[.!?]+$/, '');
  const k = rng.pick(voice.slots.keywords);
  return `Taking up the note “${words}”, this draft reworks the ${k} along those lines.`;
}

function writeDeepen(task: Extract<ModelTask, { kind: 'deepen' }>, seeds: Seeds): string {
  const { brief, lens, parent, critique, focus, feedback } = task;
  const rng = createRng('deepen', seeds.model, seeds.request, parent.text, critique, focus.join(','), feedback ?? '', lens.id);
  const parsed = parseParent(parent);

  if (rng.chance(NEAR_DUPLICATE_PROBABILITY)) {
    // Same draft, same opening: nothing new was really added, and the judge will see as much.
    const copy = nearDuplicate(parsed.paragraphs, rng);
    settleFamilies(copy, new Set(copy.flat().filter(isSensitive)), voiceFor(brief, lens, parsed.header.sig));
    return assemble(headLines(parsed.header, parsed.origins), copy);
  }

  const header: RehearsalHeader = { ...parsed.header, draft: parsed.header.draft + 1 };
  const voice = voiceFor(brief, lens, parsed.header.sig);
  const next = sentenceSource(voice, brief, rng, parsed.paragraphs.flat());
  // While rewriting, the parent's text as it was: a new sentence fits beside all of it.
  const rewriting = ledgerOf(voice, parsed.paragraphs.flat());
  const dropSensitive = mentionsSensitivity(`${critique} ${feedback ?? ''}`);

  const paragraphs = parsed.paragraphs
    .map((paragraph, p) =>
      paragraph
        .filter((sentence) => !(dropSensitive && isSensitive(sentence)))
        .map((sentence, s) => ((p === 0 && s === 0) || isSensitive(sentence) || !rng.chance(REWRITE_SHARE) ? sentence : next(rewriting) || sentence)),
    )
    .filter((paragraph) => paragraph.length > 0);
  if (paragraphs.length === 0) paragraphs.push([next(rewriting) || `This draft starts again from ${voice.slots.topic}.`]);

  const added = new Set<string>();
  for (const id of focus.slice(0, 2)) {
    const criterion = brief.criteria.find((c) => c.id === id);
    if (!criterion?.text) continue;
    const phrase = criterionPhrase(criterion.text);
    const sentence = fill(rng.pick(voice.bank.focus), { ...voice.slots, criterion: phrase }, rng);
    // Work on a criterion replaces earlier work on it rather than piling up beside it.
    for (const paragraph of paragraphs) {
      const at = paragraph.findIndex((existing) => existing.includes(phrase));
      if (at >= 0) paragraph.splice(at, 1);
    }
    const nonEmpty = paragraphs.filter((paragraph) => paragraph.length > 0);
    const paragraph = (nonEmpty.length > 0 ? rng.pick(nonEmpty) : paragraphs[0]) as string[];
    paragraph.push(sentence);
    added.add(sentence);
  }
  if (feedback && feedback.trim() !== '') {
    const sentence = feedbackSentence(feedback, voice, rng);
    (paragraphs[0] as string[]).splice(1, 0, sentence);
    added.add(sentence);
  }
  const required = ledgerOf(voice, [...added]);
  for (const sentence of requiredSentences(brief, voice, joinParagraphs(paragraphs), rng, required)) {
    (paragraphs[paragraphs.length - 1] as string[]).push(sentence);
    added.add(sentence);
  }
  for (const paragraph of paragraphs) for (const sentence of paragraph) if (isSensitive(sentence)) added.add(sentence);

  const head = headLines(header, parsed.origins);
  // The parent's earlier notes and rewritten sentences may now echo this draft's: settle first,
  // then pad back towards the target with sentences that fit.
  const ledger = settleFamilies(paragraphs, added, voice);
  fitToTarget(paragraphs, targetWords(brief, rng), countWords(head), added, () => next(ledger), rng);
  if (!paragraphs.some((p) => p.some(isSensitive)) && rng.chance(SENSITIVE_PROBABILITY)) {
    paragraphs.splice(rng.between(1, paragraphs.length), 0, [sensitivePassage(rng)]);
  }
  return assemble(head, paragraphs);
}

function originsOf(parsed: ParsedParent): RehearsalOrigin[] {
  return parsed.origins ?? [{ lensId: parsed.header.lensId, sig: parsed.header.sig }];
}

function writeCombine(task: Extract<ModelTask, { kind: 'combine' }>, seeds: Seeds): string {
  const { brief, lens, parents, feedback } = task;
  const [a, b] = [parseParent(parents[0]), parseParent(parents[1])];
  const rng = createRng('combine', seeds.model, seeds.request, parents[0].text, parents[1].text, feedback ?? '', lens.id);
  const sig = hex6('combine', seeds.model, seeds.request, a.header.sig, b.header.sig, lens.id);
  const header: RehearsalHeader = { lensId: lens.id, draft: Math.max(a.header.draft, b.header.draft) + 1, sig };
  const seen = new Set<string>();
  const origins = [...originsOf(a), ...originsOf(b)]
    .filter((origin) => {
      const key = `${origin.lensId}·${origin.sig}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_ORIGINS);

  const voice = voiceFor(brief, lens, sig);
  const next = sentenceSource(voice, brief, rng, [...a.paragraphs.flat(), ...b.paragraphs.flat()]);
  const bridge =
    // Lens names are imperatives ("Change the genre"): quoted, not used as adjectives.
    `Where the draft through “${parents[0].lens.name}” leans on the ${rng.pick(voice.slots.keywords)}, ` +
    `the one through “${parents[1].lens.name}” leans on the ${rng.pick(voice.slots.keywords)}; this version keeps the strongest of both.`;

  // Alternate the parents' paragraphs, each kept in part, so both are recognisable.
  const paragraphs: string[][] = [];
  const taken = new Set<string>();
  const rounds = Math.max(a.paragraphs.length, b.paragraphs.length);
  for (let i = 0; i < rounds; i++) {
    for (const source of [a.paragraphs[i], b.paragraphs[i]]) {
      if (!source) continue;
      const kept = source.filter((sentence, s) => {
        if (taken.has(sentence) || !(s === 0 || rng.chance(0.6))) return false;
        taken.add(sentence);
        return true;
      });
      if (kept.length > 0) paragraphs.push(kept);
    }
  }
  if (paragraphs.length === 0) paragraphs.push([next(ledgerOf(voice)) || `This draft starts again from ${voice.slots.topic}.`]);
  (paragraphs[0] as string[]).splice(1, 0, bridge);
  const added = new Set<string>([bridge]);
  if (feedback && feedback.trim() !== '') {
    const sentence = feedbackSentence(feedback, voice, rng);
    (paragraphs[0] as string[]).push(sentence);
    added.add(sentence);
  }
  const head = headLines(header, origins);
  // Each parent may hold one of a pair, and earlier combinations their own bridges: settle first.
  const ledger = settleFamilies(paragraphs, new Set([...added, ...paragraphs.flat().filter(isSensitive)]), voice);
  fitToTarget(paragraphs, targetWords(brief, rng), countWords(head), added, () => next(ledger), rng);
  return assemble(head, paragraphs);
}
