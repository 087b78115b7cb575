/**
 * Sentence families: sentences so alike in their words (a template filled twice with different
 * slot words, a note taken up in two drafts) that a reader hears the same sentence again. A text
 * may hold two of a family — an echo can be deliberate — but a third reads as a tic. The writer
 * keeps every text it gives to that, whatever its edits: openings, rewrites, combinations.
 */

/** Two sentences whose letter-word sets overlap this much (Jaccard) are of one family… */
export const FAMILY_SIMILARITY = 0.6;
/** …when both have at least this many words; shorter ones are too short to sound like a tic. */
export const FAMILY_MIN_WORDS = 6;
/** How many sentences of one family a text may hold. */
export const FAMILY_MAX = 2;

/** Splits a paragraph element into its sentences (a template can hold two). */
export function sentencesIn(text: string): string[] {
  return text.split(/(?<=[.!?…])\s+(?=\S)/u);
}

interface Shape {
  words: ReadonlySet<string>;
  count: number;
}

const shapes = new Map<string, Shape>();

function shapeOf(sentence: string): Shape {
  let shape = shapes.get(sentence);
  if (!shape) {
    const tokens = sentence.toLowerCase().match(/\p{L}+/gu) ?? [];
    shape = { words: new Set(tokens), count: tokens.length };
    // A cache of the sentences seen lately, not a store: bounded so a long-lived process stays small.
    if (shapes.size > 20_000) shapes.clear();
    shapes.set(sentence, shape);
  }
  return shape;
}

/** Whether two sentences are of one family. */
export function sameFamily(a: string, b: string): boolean {
  const x = shapeOf(a);
  const y = shapeOf(b);
  if (x.count < FAMILY_MIN_WORDS || y.count < FAMILY_MIN_WORDS) return false;
  let shared = 0;
  for (const word of x.words) if (y.words.has(word)) shared++;
  return shared / (x.words.size + y.words.size - shared) >= FAMILY_SIMILARITY;
}

/**
 * The sentences of a text, kept so that no family holds more than two. Family is not transitive
 * (A near B, B near C, A far from C), so the rule is kept in its strict form: a sentence has at
 * most one relative in the text, and that relative has no other — every family is a pair at most.
 */
export class FamilyLedger {
  private readonly sentences: string[] = [];
  /** How many relatives each sentence has in the text. */
  private readonly relatives: number[] = [];
  /** How often each template is in the text, when `kindOf` says which template a sentence is. */
  private readonly kinds = new Map<string, number>();

  /**
   * `kindOf` names the template a sentence was made from (or null): a template filled with slot
   * words different enough to escape the likeness measure still reads as the same sentence, so
   * one template, too, comes at most twice.
   */
  constructor(
    initial: Iterable<string> = [],
    private readonly kindOf: (sentence: string) => string | null = () => null,
  ) {
    for (const element of initial) this.add(element);
  }

  /** Whether a paragraph element (one or two sentences) can join the text. */
  admits(element: string): boolean {
    const sentences = [...this.sentences];
    const relatives = [...this.relatives];
    const kinds = new Map(this.kinds);
    for (const sentence of sentencesIn(element)) {
      const kind = this.kindOf(sentence);
      if (kind !== null) {
        const uses = (kinds.get(kind) ?? 0) + 1;
        if (uses > FAMILY_MAX) return false;
        kinds.set(kind, uses);
      }
      let found = 0;
      for (const [index, other] of sentences.entries()) {
        if (!sameFamily(sentence, other)) continue;
        found++;
        relatives[index] = (relatives[index] ?? 0) + 1;
        if ((relatives[index] as number) > FAMILY_MAX - 1) return false;
      }
      if (found > FAMILY_MAX - 1) return false;
      sentences.push(sentence);
      relatives.push(found);
    }
    return true;
  }

  /** Records an element whether or not it fits (a text taken as it is). */
  add(element: string): void {
    for (const sentence of sentencesIn(element)) {
      const kind = this.kindOf(sentence);
      if (kind !== null) this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
      let found = 0;
      for (const [index, other] of this.sentences.entries()) {
        if (!sameFamily(sentence, other)) continue;
        found++;
        this.relatives[index] = (this.relatives[index] ?? 0) + 1;
      }
      this.sentences.push(sentence);
      this.relatives.push(found);
    }
  }

  /** Adds the element if it fits; says whether it did. */
  take(element: string): boolean {
    if (!this.admits(element)) return false;
    this.add(element);
    return true;
  }
}

const SLOT = /(?:\b[Aa]n? )?\{(?:t|k2?|w2?|o2?|f|c)\}(?: (?:\w+ly|either|also|still|only|never|always|often|now|then|soon|rarely))?(?: [a-z]+)?/gu;

/**
 * Which of the templates a sentence was filled from, by their fixed words: each slot (with the
 * article before it and the verb after it, which agreement may change) matches any words.
 */
export function templateMatcher(templates: readonly string[]): (sentence: string) => string | null {
  const patterns = templates.map((template) => {
    const fixed = template.split(SLOT).map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
    return { template, pattern: new RegExp(`^${fixed.join('.+?')}$`, 'iu') };
  });
  return (sentence) => patterns.find(({ pattern }) => pattern.test(sentence))?.template ?? null;
}
