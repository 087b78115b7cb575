import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedText, lexicalTokens } from './local-embedding.js';

/**
 * The local embedding must give bit-identical vectors forever: novelty scores are recorded and
 * explorations replay. Below is the implementation as it was before it was made faster (word
 * cache and term counts in classes, a callback per word), kept verbatim as the reference; the
 * current one is compared with it on random and real-looking texts, element by element, bits and all.
 */

// ---- reference: the previous implementation, unchanged ----
const BIGRAM_WEIGHT = 0.7;

// A small English list: enough to stop function words from dominating the vector.
const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers ' +
    'herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on ' +
    'once only or other our ours ourselves out over own same she should so some such than that the their theirs them ' +
    'themselves then there these they this those through to too under until up very was we were what when where which ' +
    'while who whom why will with would you your yours yourself yourselves also may might must shall us one its let ' +
    "dont isnt arent wasnt werent wont wouldnt shouldnt couldnt doesnt didnt havent hasnt hadnt cant im ive youre theyre"
  ).split(' '),
);

// Longest first; each entry is [suffix, replacement]. Light on purpose: it only needs to bring
// "explore / explores / exploring / explored" together, not to be linguistically right.
const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['ational', 'ate'],
  ['ization', 'ize'],
  ['fulness', 'ful'],
  ['iveness', 'ive'],
  ['ations', 'ate'],
  ['ation', 'ate'],
  ['ments', ''],
  ['ment', ''],
  ['ness', ''],
  ['ingly', ''],
  ['edly', ''],
  ['ings', ''],
  ['ing', ''],
  ['ies', 'y'],
  ['ied', 'y'],
  ['ed', ''],
  ['ly', ''],
  ['es', ''],
  ['s', ''],
];
const MIN_STEM = 3;

/**
 * Strips one common English suffix, keeping at least three characters of stem, then a final
 * silent e, so "create", "creates", "created" and "creation" meet at "creat".
 */
function stem(word: string): string {
  const length = word.length;
  if (length <= MIN_STEM + 1) return word;
  let stemmed = word;
  for (const [suffix, replacement] of SUFFIXES) {
    if (length - suffix.length < MIN_STEM) continue;
    if (!word.endsWith(suffix)) continue;
    // Keep "glass", "bus", "analysis": a final s after s/u/i is not a plural marker.
    if (suffix === 's') {
      const before = word.charCodeAt(length - 2);
      if (before === 115 /* s */ || before === 117 /* u */ || before === 105 /* i */) break;
    }
    stemmed = word.slice(0, length - suffix.length) + replacement;
    break;
  }
  if (stemmed.length > MIN_STEM + 1 && stemmed.charCodeAt(stemmed.length - 1) === 101 /* e */) {
    stemmed = stemmed.slice(0, -1);
  }
  return stemmed;
}

const APOSTROPHE = 39;
const RIGHT_QUOTE = 0x2019;
const UNICODE_WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const unicodeWordChars = new Map<number, boolean>();

function isUnicodeWordChar(codePoint: number): boolean {
  let known = unicodeWordChars.get(codePoint);
  if (known === undefined) {
    known = UNICODE_WORD_CHAR.test(String.fromCodePoint(codePoint));
    unicodeWordChars.set(codePoint, known);
  }
  return known;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Receives one word of a scanned text: `lower.slice(start, end)`, with FNV-1a `hash` of it. A
 * word with inner apostrophes ("don't") arrives as `joined` ("dont") instead, hashed without them.
 */
type WordSink = (lower: string, start: number, end: number, hash: number, joined: string | null) => void;

/**
 * Scans the lowercased words of `text`: runs of Unicode letters, digits and marks. A hand-written
 * scanner that hashes as it goes, so the hot path allocates no string for a word it has seen.
 */
function scanWords(text: string, onWord: WordSink): void {
  const lower = text.toLowerCase();
  const length = lower.length;
  let start = -1;
  let hash = FNV_OFFSET;
  let joined: string | null = null;
  let i = 0;
  while (i < length) {
    const code = lower.charCodeAt(i);
    let width = 1;
    let isWord: boolean;
    if (code < 128) {
      isWord = (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
    } else {
      const point = lower.codePointAt(i) as number;
      if (point > 0xffff) width = 2;
      isWord = isUnicodeWordChar(point);
    }
    if (isWord) {
      if (start < 0) {
        start = i;
        hash = FNV_OFFSET;
      }
      hash = Math.imul(hash ^ code, FNV_PRIME);
      if (width === 2) hash = Math.imul(hash ^ lower.charCodeAt(i + 1), FNV_PRIME);
    } else if ((code === APOSTROPHE || code === RIGHT_QUOTE) && start >= 0 && i + 1 < length && isWordAt(lower, i + 1)) {
      // Keep the word going across an inner apostrophe, dropping the apostrophe itself.
      joined = (joined ?? '') + lower.slice(start, i);
      start = i + 1;
    } else if (start >= 0) {
      onWord(lower, start, i, hash >>> 0, joined === null ? null : joined + lower.slice(start, i));
      start = -1;
      joined = null;
    }
    i += width;
  }
  if (start >= 0) onWord(lower, start, length, hash >>> 0, joined === null ? null : joined + lower.slice(start, length));
}

function isWordAt(lower: string, i: number): boolean {
  const code = lower.charCodeAt(i);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
  return isUnicodeWordChar(lower.codePointAt(i) as number);
}

/** Lowercased, stopword-free, stemmed tokens of a text, in order. */
function referenceLexicalTokens(text: string): string[] {
  const out: string[] = [];
  scanWords(text, (lower, start, end, _hash, joined) => {
    const word = joined ?? lower.slice(start, end);
    if (!STOPWORDS.has(word)) out.push(stem(word));
  });
  return out;
}

/** FNV-1a over UTF-16 code units, 32-bit. */
function fnv1a(text: string, seed = FNV_OFFSET): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** Murmur3's finaliser: spreads the bits of a weak hash so low bits are usable as an index. */
function mix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const STOPWORD = -1;

/** The feature of one word: the mixed hash of its stem, or STOPWORD. A pure function of the word. */
function computeFeature(word: string): number {
  return STOPWORDS.has(word) ? STOPWORD : mix32(fnv1a(stem(word)));
}

/**
 * word → feature, keyed by the word's hash and verified character by character, so a hit costs
 * no allocation. Vocabulary repeats across candidates, so most words are hits. The cache only
 * ever holds values of the pure `computeFeature`, so its contents never change a result.
 */
class WordFeatureCache {
  private readonly mask: number;
  private readonly hashes: Uint32Array;
  private readonly features: Float64Array;
  private readonly words: Array<string | undefined>;

  constructor(bits: number) {
    const capacity = 1 << bits;
    this.mask = capacity - 1;
    this.hashes = new Uint32Array(capacity);
    this.features = new Float64Array(capacity);
    this.words = new Array<string | undefined>(capacity);
  }

  lookup(lower: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const home = hash & this.mask;
    for (let probe = 0; probe < 4; probe++) {
      const slot = (home + probe) & this.mask;
      const word = this.words[slot];
      if (word === undefined) return this.insert(slot, lower.slice(start, end), hash);
      if (this.hashes[slot] === hash && word.length === length && sameChars(word, lower, start)) {
        return this.features[slot] as number;
      }
    }
    return this.insert(home, lower.slice(start, end), hash);
  }

  private insert(slot: number, word: string, hash: number): number {
    const feature = computeFeature(word);
    this.hashes[slot] = hash;
    this.words[slot] = word;
    this.features[slot] = feature;
    return feature;
  }
}

function sameChars(word: string, lower: string, start: number): boolean {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) !== lower.charCodeAt(start + i)) return false;
  }
  return true;
}

const wordFeatures = new WordFeatureCache(15);

/**
 * Term counts for one text, in a reusable open-addressing table: no map and no sort per call.
 * A slot belongs to the current text when its stamp equals the current generation.
 */
class FeatureCounts {
  private mask = 0;
  private keys = new Uint32Array(0);
  private kinds = new Uint8Array(0);
  private counts = new Uint32Array(0);
  private stamps = new Uint32Array(0);
  private used = new Int32Array(0);
  private size = 0;
  private generation = 0;

  constructor(bits: number) {
    this.allocate(bits);
  }

  private allocate(bits: number): void {
    const capacity = 1 << bits;
    this.mask = capacity - 1;
    this.keys = new Uint32Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.stamps = new Uint32Array(capacity);
    this.used = new Int32Array(capacity);
    this.generation = 0;
  }

  /** Starts a new text that will add at most `features` features. */
  reset(features: number): void {
    if (features * 2 > this.mask + 1) this.allocate(Math.ceil(Math.log2(features * 2)) + 1);
    this.size = 0;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  add(feature: number, kind: number): void {
    let slot = feature & this.mask;
    for (;;) {
      if (this.stamps[slot] !== this.generation) {
        this.stamps[slot] = this.generation;
        this.keys[slot] = feature;
        this.kinds[slot] = kind;
        this.counts[slot] = 1;
        this.used[this.size++] = slot;
        return;
      }
      if (this.keys[slot] === feature && this.kinds[slot] === kind) {
        this.counts[slot] = (this.counts[slot] as number) + 1;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds sign × (1 + ln tf) × weight of every feature into the vector. */
  addTo(vector: Float32Array): void {
    const dimensions = vector.length;
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i] as number;
      const feature = this.keys[slot] as number;
      const weight = this.kinds[slot] === UNIGRAM ? 1 : BIGRAM_WEIGHT;
      // The top bit chooses the sign, so colliding features cancel on average instead of adding up.
      const sign = feature >= 0x80000000 ? -1 : 1;
      const index = feature % dimensions;
      vector[index] = (vector[index] as number) + sign * weight * (1 + Math.log(this.counts[slot] as number));
    }
  }
}

const UNIGRAM = 0;
const BIGRAM = 1;
const featureCounts = new FeatureCounts(12);

/** Embeds one text synchronously. */
function referenceEmbedText(text: string, dimensions = 256): Float32Array {
  const vector = new Float32Array(dimensions);
  const counts = featureCounts;
  // A word is at least one character plus a separator: this bounds the features of the text.
  counts.reset(text.length + 2);
  let previous = -1;
  scanWords(text, (lower, start, end, hash, joined) => {
    const feature = joined === null ? wordFeatures.lookup(lower, start, end, hash) : computeFeature(joined);
    if (feature === STOPWORD) return;
    counts.add(feature, UNIGRAM);
    if (previous !== -1) counts.add(mix32((Math.imul(previous, 0x9e3779b1) ^ feature) >>> 0), BIGRAM);
    previous = feature;
  });
  if (previous === -1) return vector;
  counts.addTo(vector);

  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += (vector[i] as number) ** 2;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * scale;
  }
  return vector;
}

// ---- end of reference ----

function bits(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('hex');
}

function expectSame(text: string, dimensions = 256): void {
  const expected = referenceEmbedText(text, dimensions);
  const actual = embedText(text, dimensions);
  expect(actual).toBeInstanceOf(Float32Array);
  expect(actual.length).toBe(dimensions);
  if (bits(actual) !== bits(expected)) {
    // Show the text that differs, not two hex walls.
    expect({ text, dimensions, vector: Array.from(actual) }).toEqual({ text, dimensions, vector: Array.from(expected) });
  }
}

const PROSE = `The harbour town wakes before the light. Fishing boats slip their moorings while the bakery on
the quay pulls the first trays of bread from the oven — and gulls argue over the nets. Don't panic: it's fine,
isn't it? The café in Zürich is exploring créations; l’été est là. ÇA VA? İstanbul, straße, ΣΟΦΊΑ, Москва.
Numbers 42, 3.14 and 1e9; code: const x = a_b + c-d; emoji 🎉🚀 and marks e\u0301 a\u0308; CJK 東京 한국어.
Creates, created, creation, creative, explores, exploring, explored: stems meet.`;

// Words that stress the scanner: case, apostrophes (straight and curly), Unicode letters, marks,
// digits, astral characters, lone surrogates, and stopwords that must be dropped.
const WORDS = [
  'the', 'and', 'of', 'explore', 'Explores', 'EXPLORING', 'explored', 'creation', 'glass', 'bus', 'analysis', 'nationalization',
  "don't", "it's", 'it’s', "rock'n'roll", "o'", "'quoted'", 'Café', 'ZÜRICH', 'İstanbul', 'straße', 'ΣΟΦΊΑ', 'Москва', '東京',
  '한국어', 'e\u0301', 'a\u0308b', '🎉', 'x🚀y', '\ud800', 'ab\udc00cd', '42', '3.14', 'v2', 'naïve', 'ﬁne', 'Ǆemal',
  'hopefully', 'happiness', 'movements', 'dried', 'cities', 'arguments', 'usefulness', 'ﬀ', 'ǅ', 'ᾈ', '\u0130', 'K',
];
const SEPARATORS = [' ', '  ', '\n', '\t', ', ', '. ', '; ', ' — ', '-', '_', '/', '"', '“', '”', "'", '’', '(', ')', '…', '\u00a0', '\u2028'];

const wordArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9]{1,14}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{20,40}$/) },
);
const textArbitrary = fc.oneof(
  fc.array(fc.tuple(wordArbitrary, fc.constantFrom(...SEPARATORS)), { maxLength: 200 }).map((parts) => parts.map(([w, s]) => w + s).join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ maxLength: 300 }),
);

/**
 * Two words of the same length with the same FNV-1a hash, found by search: one ends in "ing" (so
 * its stem, and so its feature, differs), the other in "z". The word cache is keyed by that hash,
 * so only its character check tells them apart.
 */
function fnvCollision(): [string, string] {
  const fnv = (word: string): number => {
    let hash = 0x811c9dc5;
    for (let j = 0; j < word.length; j++) hash = Math.imul(hash ^ word.charCodeAt(j), 0x01000193);
    return hash >>> 0;
  };
  const stemmed = new Map<number, string>();
  for (let i = 36 ** 4; i < 36 ** 4 + 100_000; i += 1) {
    const word = `${i.toString(36)}ing`;
    stemmed.set(fnv(word), word);
  }
  for (let i = 36 ** 6; ; i += 1) {
    const word = `${i.toString(36)}z`;
    const other = stemmed.get(fnv(word));
    if (other !== undefined) return [other, word];
  }
}

describe('local embedding: bit-identical to the reference implementation', () => {
  it('on fixed texts: empty, stopwords only, prose in many scripts, repeats', () => {
    for (const text of ['', ' ', 'the', 'the of and', "don't", 'a', 'x', '🎉', '\ud800', "it's it’s o' 'x", PROSE, PROSE.toUpperCase(), PROSE.repeat(20)]) {
      expectSame(text);
      expect(lexicalTokens(text)).toEqual(referenceLexicalTokens(text));
    }
  });

  it('on random texts, at 256 and at other dimensions', () => {
    fc.assert(
      fc.property(textArbitrary, fc.oneof(fc.constant(256), fc.integer({ min: 1, max: 600 })), (text, dimensions) => {
        expectSame(text, dimensions);
        expectSame(text);
      }),
      { numRuns: 1500, seed: 20261124 },
    );
  });

  it('on long texts (a term count table that must grow, words seen many times)', () => {
    const words: string[] = [];
    for (let i = 0; i < 30_000; i += 1) words.push(WORDS[(i * 7919) % WORDS.length] as string, `t${(i * 2654435761) % 5003}`);
    expectSame(words.join(' '));
    expectSame(words.slice(0, 4001).join(', '));
    expectSame('word '.repeat(50_000));
  });

  it('with more distinct words than the word cache holds, and words whose hashes collide', () => {
    const [a, b] = fnvCollision();
    expect(a).not.toBe(b);
    expect(a.length).toBe(b.length);
    // Different words, different features: at a prime dimension their vectors differ.
    expect(bits(referenceEmbedText(a, 65_521))).not.toBe(bits(referenceEmbedText(b, 65_521)));
    for (const text of [`${a} ${b}`, `${b} ${a} ${a}`, `${a}`, `${b}`, `${a} tail ${b}`]) {
      expectSame(text);
      expectSame(text, 65_521);
    }
    const many: string[] = [];
    for (let i = 0; i < 60_000; i += 1) many.push(`v${(i * 48271) % 1_000_003}`);
    for (let i = 0; i < many.length; i += 600) expectSame(many.slice(i, i + 900).join(' '));
    for (const text of [`${a} ${b}`, `${b} ${a}`]) expectSame(text);
  });

  it('on texts shaped like candidates (seeded words, a header, ~2 KB)', () => {
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 3 + Math.floor(next() * 7) }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join(''));
    for (let n = 0; n < 300; n += 1) {
      let text = `[depth ${n % 9}]`.padEnd(255, '.');
      while (text.length < 2048) text += ` ${vocabulary[Math.floor(next() * vocabulary.length)] as string}`;
      expectSame(text);
    }
  });
});
