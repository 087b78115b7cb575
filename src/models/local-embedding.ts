import type { EmbeddingPort } from './port.js';

/**
 * A deterministic lexical embedding that needs no model: the fallback for novelty when no
 * provider embedding is configured. Words are lowercased, stopwords dropped, suffixes lightly
 * stripped, and unigrams plus bigrams are feature-hashed (signed, FNV-1a) with sublinear term
 * frequency into an L2-normalised vector. Two texts that share vocabulary end up close; texts
 * about different things end up near-orthogonal.
 */

export const LOCAL_EMBEDDING_ID = 'local:lexical-v1';

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
export function stem(word: string): string {
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
export function lexicalTokens(text: string): string[] {
  const out: string[] = [];
  scanWords(text, (lower, start, end, _hash, joined) => {
    const word = joined ?? lower.slice(start, end);
    if (!STOPWORDS.has(word)) out.push(stem(word));
  });
  return out;
}

/** FNV-1a over UTF-16 code units, 32-bit. */
export function fnv1a(text: string, seed = FNV_OFFSET): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** Murmur3's finaliser: spreads the bits of a weak hash so low bits are usable as an index. */
export function mix32(hash: number): number {
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
 * word → feature, keyed by the word's FNV-1a hash and verified character by character, so a hit
 * costs no allocation. Vocabulary repeats across candidates, so most words are hits. The cache
 * only ever holds values of the pure `computeFeature`, so its contents never change a result.
 *
 * One slot is one 32-byte row of a flat Int32Array: the hash, the feature, the length (with a
 * stopword bit), then the word's UTF-16 code units two per int. A hit on a word of up to
 * INLINE_CHARS characters reads that row only; a longer word is compared with its string.
 */
const WORD_CACHE_BITS = 14;
const WORD_CACHE_MASK = (1 << WORD_CACHE_BITS) - 1;
const WORD_PROBES = 4;
const ROW = 8;
const ROW_HASH = 0;
const ROW_FEATURE = 1;
const ROW_META = 2;
const ROW_CHARS = 3;
const INLINE_CHARS = (ROW - ROW_CHARS) * 2;
const STOP_BIT = 1 << 30;
/** Meta of an empty slot: no word has length 0x3fffffff. */
const EMPTY = -1;
const wordRows = new Int32Array((1 << WORD_CACHE_BITS) * ROW).fill(0);
for (let slot = 0; slot <= WORD_CACHE_MASK; slot++) wordRows[slot * ROW + ROW_META] = EMPTY;
/** The words longer than INLINE_CHARS, by slot. */
const longWords: Array<string | undefined> = new Array<string | undefined>(1 << WORD_CACHE_BITS).fill(undefined);

/**
 * The row offset of `lower.slice(start, end)` (FNV-1a hash `hash`, as int32) in the word cache,
 * computing its feature on a miss.
 */
function wordRow(lower: string, start: number, end: number, hash: number): number {
  const length = end - start;
  const home = hash & WORD_CACHE_MASK;
  const rows = wordRows;
  for (let probe = 0; probe < WORD_PROBES; probe++) {
    const slot = (home + probe) & WORD_CACHE_MASK;
    const row = slot * ROW;
    const meta = rows[row + ROW_META] as number;
    if (meta === EMPTY) return fillWordRow(slot, lower.slice(start, end), hash);
    if (rows[row + ROW_HASH] !== hash || (meta & ~STOP_BIT) !== length) continue;
    if (length <= INLINE_CHARS) {
      let same = true;
      let at = row + ROW_CHARS;
      let i = start;
      for (; i + 1 < end; i += 2, at++) {
        if ((rows[at] as number) !== (lower.charCodeAt(i) | (lower.charCodeAt(i + 1) << 16))) {
          same = false;
          break;
        }
      }
      if (same && i < end && (rows[at] as number) !== lower.charCodeAt(i)) same = false;
      if (same) return row;
    } else if (sameChars(longWords[slot] as string, lower, start)) {
      return row;
    }
  }
  return fillWordRow(home, lower.slice(start, end), hash);
}

function fillWordRow(slot: number, word: string, hash: number): number {
  const feature = computeFeature(word);
  const row = slot * ROW;
  const length = word.length;
  wordRows[row + ROW_HASH] = hash;
  wordRows[row + ROW_FEATURE] = feature === STOPWORD ? 0 : feature | 0;
  wordRows[row + ROW_META] = feature === STOPWORD ? length | STOP_BIT : length;
  if (length <= INLINE_CHARS) {
    let at = row + ROW_CHARS;
    let i = 0;
    for (; i + 1 < length; i += 2, at++) wordRows[at] = word.charCodeAt(i) | (word.charCodeAt(i + 1) << 16);
    if (i < length) wordRows[at] = word.charCodeAt(i);
    longWords[slot] = undefined;
  } else {
    longWords[slot] = word;
  }
  return row;
}

function sameChars(word: string, lower: string, start: number): boolean {
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) !== lower.charCodeAt(start + i)) return false;
  }
  return true;
}

const UNIGRAM = 0;
const BIGRAM = 1;
const FNV_OFFSET_BITS = FNV_OFFSET | 0;
const COUNT_STRIDE = 4;
const MAX_GENERATION = 0x3fffffff;

/**
 * Reusable buffers (embedding is synchronous, so one text at a time uses them), grown as texts
 * need and never shrunk.
 *
 * The scan's words: where each starts and ends in the lowercased text and its FNV-1a hash. A word
 * with inner apostrophes is kept in `joined` instead, and its start is `-1 - index` there.
 *
 * The term counts: an open-addressing table, one slot four ints of `counts` — the stamp (the slot
 * belongs to the current text when it equals `generation`), the feature's bits (its sign bit is
 * the feature's top bit), the kind and the count — kept at most half full. `order` lists the
 * slots by first occurrence, the order in which they are added into the vector. No map, no sort
 * and no clearing per text.
 */
const buffers = {
  starts: new Int32Array(256),
  ends: new Int32Array(256),
  hashes: new Int32Array(256),
  joined: [] as string[],
  counts: new Int32Array(1024 * COUNT_STRIDE),
  order: new Int32Array(1024),
  generation: 0,
  /** Where the touch loop's loads go, so that they are not optimised away. */
  touched: 0,
};

/**
 * Scans the lowercased words of `lower` into `buffers`, returning how many: `scanWords` (runs of
 * Unicode letters, digits and marks, across inner apostrophes), with the ASCII case first.
 */
function collectWords(lower: string): number {
  const length = lower.length;
  // A word is at least one character plus a separator.
  const most = (length >> 1) + 1;
  if (most > buffers.starts.length) {
    const capacity = 1 << Math.ceil(Math.log2(most));
    buffers.starts = new Int32Array(capacity);
    buffers.ends = new Int32Array(capacity);
    buffers.hashes = new Int32Array(capacity);
  }
  const { starts, ends, hashes, joined: joinedWords } = buffers;
  joinedWords.length = 0;
  let count = 0;
  let start = -1;
  let hash = FNV_OFFSET_BITS;
  let joined: string | null = null;
  let i = 0;
  while (i < length) {
    const code = lower.charCodeAt(i);
    if (code < 128) {
      if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) {
        if (start < 0) {
          start = i;
          hash = FNV_OFFSET_BITS;
        }
        hash = Math.imul(hash ^ code, FNV_PRIME);
        i += 1;
        // The rest of an ASCII run in a tight loop: most of a text is spent here.
        while (i < length) {
          const next = lower.charCodeAt(i);
          if (!((next >= 97 && next <= 122) || (next >= 48 && next <= 57))) break;
          hash = Math.imul(hash ^ next, FNV_PRIME);
          i += 1;
        }
        continue;
      }
      if (start >= 0) {
        if (code === APOSTROPHE && i + 1 < length && isWordAt(lower, i + 1)) {
          // Keep the word going across an inner apostrophe, dropping the apostrophe itself.
          joined = (joined ?? '') + lower.slice(start, i);
          start = i + 1;
        } else {
          if (joined === null) {
            starts[count] = start;
            ends[count] = i;
            hashes[count] = hash;
          } else {
            starts[count] = -1 - joinedWords.length;
            joinedWords.push(joined + lower.slice(start, i));
            joined = null;
          }
          count += 1;
          start = -1;
        }
      }
      i += 1;
      continue;
    }
    const point = lower.codePointAt(i) as number;
    const width = point > 0xffff ? 2 : 1;
    if (isUnicodeWordChar(point)) {
      if (start < 0) {
        start = i;
        hash = FNV_OFFSET_BITS;
      }
      hash = Math.imul(hash ^ code, FNV_PRIME);
      if (width === 2) hash = Math.imul(hash ^ lower.charCodeAt(i + 1), FNV_PRIME);
    } else if (code === RIGHT_QUOTE && start >= 0 && i + 1 < length && isWordAt(lower, i + 1)) {
      joined = (joined ?? '') + lower.slice(start, i);
      start = i + 1;
    } else if (start >= 0) {
      if (joined === null) {
        starts[count] = start;
        ends[count] = i;
        hashes[count] = hash;
      } else {
        starts[count] = -1 - joinedWords.length;
        joinedWords.push(joined + lower.slice(start, i));
        joined = null;
      }
      count += 1;
      start = -1;
    }
    i += width;
  }
  if (start >= 0) {
    if (joined === null) {
      starts[count] = start;
      ends[count] = length;
      hashes[count] = hash;
    } else {
      starts[count] = -1 - joinedWords.length;
      joinedWords.push(joined + lower.slice(start, length));
    }
    count += 1;
  }
  return count;
}

/**
 * Counts one occurrence of `feature` (int32 bits) of `kind` in the table; returns the new number
 * of distinct features (`size`, or `size + 1` when this one is new).
 */
function countFeature(counts: Int32Array, order: Int32Array, generation: number, size: number, feature: number, kind: number): number {
  const mask = order.length - 1;
  let slot = feature & mask;
  for (;;) {
    const at = slot * COUNT_STRIDE;
    if (counts[at] !== generation) {
      counts[at] = generation;
      counts[at + 1] = feature;
      counts[at + 2] = kind;
      counts[at + 3] = 1;
      order[size] = slot;
      return size + 1;
    }
    if (counts[at + 1] === feature && counts[at + 2] === kind) {
      counts[at + 3] = (counts[at + 3] as number) + 1;
      return size;
    }
    slot = (slot + 1) & mask;
  }
}

/**
 * Embeds one text synchronously: scans its words, looks up each word's feature, counts unigrams
 * and the bigrams of consecutive non-stopwords, then adds sign × weight × (1 + ln tf) of every
 * feature into the vector, in first-occurrence order, and L2-normalises it.
 */
export function embedText(text: string, dimensions = 256): Float32Array {
  const vector = new Float32Array(dimensions);
  const lower = text.toLowerCase();
  const words = collectWords(lower);
  if (words === 0) return vector;

  // A text of n words has at most 2n - 1 features: a table of 4n slots stays at most half full.
  if (words * 4 > buffers.order.length) {
    const capacity = 1 << Math.ceil(Math.log2(words * 4));
    buffers.counts = new Int32Array(capacity * COUNT_STRIDE);
    buffers.order = new Int32Array(capacity);
    buffers.generation = 0;
  }
  let generation = buffers.generation + 1;
  if (generation > MAX_GENERATION) {
    buffers.counts.fill(0);
    generation = 1;
  }
  buffers.generation = generation;
  const { starts, ends, hashes, joined, counts, order } = buffers;
  const rows = wordRows;
  // Touch each word's cache row before looking any up. Between two embeddings the engine's other
  // work pushes the cache out of the processor's caches, so most lookups would wait on memory one
  // after another; these loads do not depend on one another, so they wait together. (A joined
  // word's hash is stale: touching some row is harmless.)
  let touched = 0;
  for (let w = 0; w < words; w++) touched ^= rows[((hashes[w] as number) & WORD_CACHE_MASK) * ROW + ROW_META] as number;
  buffers.touched = touched;
  let size = 0;
  let previous = 0;
  let hasPrevious = false;
  for (let w = 0; w < words; w++) {
    const start = starts[w] as number;
    let feature: number;
    if (start >= 0) {
      const row = wordRow(lower, start, ends[w] as number, hashes[w] as number);
      if ((rows[row + ROW_META] as number) >= STOP_BIT) continue;
      feature = rows[row + ROW_FEATURE] as number;
    } else {
      const computed = computeFeature(joined[-1 - start] as string);
      if (computed === STOPWORD) continue;
      feature = computed | 0;
    }
    size = countFeature(counts, order, generation, size, feature, UNIGRAM);
    if (hasPrevious) size = countFeature(counts, order, generation, size, mix32((Math.imul(previous, 0x9e3779b1) ^ feature) >>> 0) | 0, BIGRAM);
    previous = feature;
    hasPrevious = true;
  }
  if (!hasPrevious) return vector;

  // A power-of-two dimension (the usual 256) takes the index from the low bits: the same as the remainder.
  const mask = (dimensions & (dimensions - 1)) === 0 ? dimensions - 1 : -1;
  for (let i = 0; i < size; i++) {
    const at = (order[i] as number) * COUNT_STRIDE;
    const feature = counts[at + 1] as number;
    const weight = counts[at + 2] === UNIGRAM ? 1 : BIGRAM_WEIGHT;
    // The top bit chooses the sign, so colliding features cancel on average instead of adding up.
    const sign = feature < 0 ? -1 : 1;
    const index = mask >= 0 ? feature & mask : (feature >>> 0) % dimensions;
    const count = counts[at + 3] as number;
    // 1 + ln 1 is exactly 1: a feature seen once (most of them) needs no logarithm.
    const value = count === 1 ? sign * weight : sign * weight * (1 + Math.log(count));
    vector[index] = (vector[index] as number) + value;
  }

  let norm = 0;
  for (let d = 0; d < dimensions; d++) {
    const x = vector[d] as number;
    norm += x * x;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dimensions; d++) vector[d] = (vector[d] as number) * scale;
  }
  return vector;
}

/** Cosine similarity of two vectors; 0 when either is all zeros. Compares the shared length. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / Math.sqrt(normA * normB);
}

/**
 * The local lexical embedding as an `EmbeddingPort`.
 *
 * @example
 * const embedding = createLocalEmbedding();
 * const [a, b] = await embedding.embed(['a quiet harbour town', 'a quiet harbour village']);
 * cosineSimilarity(a!, b!); // close to 1
 */
export function createLocalEmbedding(dimensions = 256): EmbeddingPort {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new RangeError(`embedding dimensions must be a positive integer, got ${dimensions}`);
  }
  return {
    id: LOCAL_EMBEDDING_ID,
    dimensions,
    embed(texts) {
      return Promise.resolve(texts.map((text) => embedText(text, dimensions)));
    },
  };
}
