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

/**
 * Words a near-duplicate may change, each to one that reads right in its place: a word swapped for
 * an arbitrary one ("the habit of reading" → "the careful of reading") reads as broken.
 */
export const SWAPS: Readonly<Record<string, string>> = {
  small: 'modest',
  modest: 'small',
  quiet: 'calm',
  simple: 'plain',
  simpler: 'plainer',
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
  stronger: 'sturdier',
  thousands: 'many thousands',
  usual: 'customary',
  hard: 'close',
  sharper: 'keener',
  heavy: 'oppressive',
  warmer: 'kinder',
  loudly: 'noisily',
  neatly: 'tidily',
  absurd: 'ridiculous',
  essential: 'vital',
  concrete: 'tangible',
  vivid: 'bright',
  deliberate: 'intentional',
  honest: 'truthful',
  realistic: 'plausible',
  humbler: 'plainer',
  wiser: 'shrewder',
  surprising: 'unexpected',
  directly: 'straight',
  plainly: 'simply',
  suddenly: 'abruptly',
  almost: 'nearly',
  truly: 'really',
  exactly: 'precisely',
  patient: 'unhurried',
  tiny: 'minute',
  humble: 'lowly',
  steady: 'constant',
  rarely: 'seldom',
  seldom: 'rarely',
  quickly: 'swiftly',
  strong: 'sturdy',
  weakest: 'feeblest',
  smaller: 'slighter',
  plain: 'simple',
};
const SWAPPABLE = /^([a-z]+)([,.;:!?]?)$/u;

/**
 * A near-duplicate: the same text with one or two words changed for words that mean the same, or,
 * when none can be, two sentences traded places — the same opening either way.
 */
export function nearDuplicate(paragraphs: string[][], rng: Rng): string[][] {
  const copy = paragraphs.map((paragraph) => [...paragraph]);
  const changes = rng.between(1, 2);
  let changed = false;
  for (let change = 0; change < changes; change++) {
    const options: Array<[number, number, number]> = [];
    copy.forEach((paragraph, p) =>
      paragraph.forEach((sentence, s) => {
        if (isSensitive(sentence)) return;
        sentence.split(' ').forEach((token, i) => {
          const word = SWAPPABLE.exec(token)?.[1];
          if (word !== undefined && SWAPS[word] !== undefined) options.push([p, s, i]);
        });
      }),
    );
    if (options.length === 0) break;
    const [p, s, i] = rng.pick(options);
    const paragraph = copy[p] as string[];
    const words = (paragraph[s] as string).split(' ');
    words[i] = (words[i] as string).replace(SWAPPABLE, (_token, word: string, mark: string) => `${SWAPS[word] as string}${mark}`);
    // "a whole week" becomes "an entire week".
    const article = words[i - 1];
    if (article !== undefined && /^[Aa]n?$/u.test(article)) {
      const an = /^[aeiou]/u.test(words[i] as string);
      words[i - 1] = `${article.charAt(0)}${an ? 'n' : ''}`;
    }
    paragraph[s] = words.join(' ');
    changed = true;
  }
  if (!changed) {
    const pairs: Array<[number, number]> = [];
    copy.forEach((paragraph, p) => paragraph.forEach((_, s) => s + 1 < paragraph.length && !(p === 0 && s === 0) && pairs.push([p, s])));
    if (pairs.length > 0) {
      const [p, s] = rng.pick(pairs);
      const paragraph = copy[p] as string[];
      [paragraph[s], paragraph[s + 1]] = [paragraph[s + 1] as string, paragraph[s] as string];
    }
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
