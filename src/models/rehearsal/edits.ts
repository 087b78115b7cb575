import { SENSITIVE_MARKERS } from './outliers.js';
import type { Rng } from './rng.js';
import { countWords } from './words.js';

/** Edits the rehearsal writer makes to lists of paragraphs of sentences. */

export function isSensitive(sentence: string): boolean {
  return SENSITIVE_MARKERS.test(sentence);
}

/** Splits a flat list of sentences into paragraphs of three to five. */
export function paragraphise(sentences: readonly string[], rng: Rng): string[][] {
  const paragraphs: string[][] = [];
  let index = 0;
  while (index < sentences.length) {
    const size = rng.between(3, 5);
    paragraphs.push(sentences.slice(index, index + size));
    index += size;
  }
  // A lone sentence at the end joins the paragraph before it.
  const last = paragraphs[paragraphs.length - 1];
  if (paragraphs.length > 1 && last && last.length === 1) {
    paragraphs.pop();
    paragraphs[paragraphs.length - 1]?.push(...last);
  }
  return paragraphs;
}

const SWAPS: Readonly<Record<string, string>> = {
  small: 'modest',
  quiet: 'calm',
  simple: 'plain',
  begins: 'starts',
  often: 'frequently',
  every: 'each',
  slowly: 'gradually',
  short: 'brief',
  whole: 'entire',
  clear: 'plain',
  ordinary: 'everyday',
  strange: 'odd',
  single: 'lone',
  strongest: 'sturdiest',
  thousands: 'many thousands',
};
const FALLBACK_SWAPS = ['steady', 'careful', 'distinct', 'familiar'];

/** A near-duplicate: the same text with one or two words changed. */
export function nearDuplicate(paragraphs: string[][], rng: Rng): string[][] {
  const copy = paragraphs.map((paragraph) => [...paragraph]);
  const changes = rng.between(1, 2);
  for (let change = 0; change < changes; change++) {
    const p = rng.int(copy.length);
    const paragraph = copy[p] as string[];
    const s = rng.int(paragraph.length);
    const sentence = paragraph[s] as string;
    if (isSensitive(sentence)) continue;
    const words = sentence.split(' ');
    const swappable = words.map((word, i) => ({ word, i })).filter(({ word }) => /^[a-z]{5,}$/.test(word));
    if (swappable.length === 0) continue;
    const known = swappable.filter(({ word }) => SWAPS[word] !== undefined);
    const { word, i } = known.length > 0 ? rng.pick(known) : rng.pick(swappable);
    words[i] = SWAPS[word] ?? rng.pick(FALLBACK_SWAPS);
    paragraph[s] = words.join(' ');
  }
  return copy;
}

/** Trims or pads a list of sentences towards a word target, never touching protected ones. */
export function fitToTarget(
  paragraphs: string[][],
  target: number,
  headWords: number,
  protectedSentences: ReadonlySet<string>,
  next: () => string,
  rng: Rng,
): void {
  const total = (): number => headWords + paragraphs.reduce((n, p) => n + countWords(p.join(' ')), 0);
  let words = total();
  for (let guard = 0; words > target + 10 && guard < 200; guard++) {
    const candidates: Array<[number, number]> = [];
    paragraphs.forEach((paragraph, p) =>
      paragraph.forEach((sentence, s) => {
        if (!(p === 0 && s === 0) && !protectedSentences.has(sentence)) candidates.push([p, s]);
      }),
    );
    if (candidates.length === 0) break;
    const [p, s] = rng.pick(candidates);
    const [removed] = (paragraphs[p] as string[]).splice(s, 1);
    words -= countWords(removed ?? '');
  }
  for (let guard = 0; words < target && guard < 200; guard++) {
    const sentence = next();
    if (sentence === '') break;
    const paragraph = paragraphs[rng.int(paragraphs.length)] as string[];
    paragraph.splice(rng.between(paragraph.length > 0 ? 1 : 0, paragraph.length), 0, sentence);
    words += countWords(sentence);
  }
}
