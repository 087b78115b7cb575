import { describe, expect, it } from 'vitest';
import { cosineSimilarity, createLocalEmbedding, embedText, lexicalTokens, stem } from './local-embedding.js';

const HARBOUR = `The harbour town wakes before the light. Fishing boats slip their moorings while the bakery on
the quay pulls the first trays of bread from the oven, and gulls argue over the nets drying along the wall.
By seven the market is loud with prices and weather, and the ferry to the island sounds its horn twice.
Children run to the school bus past the chandlery, where old ropes and brass lamps hang in the window.
The harbour master walks the length of the breakwater every morning, counting the boats that went out and
the boats that came back, writing both numbers in a ledger his grandfather started. Tourists arrive at ten
with cameras and leave at four with sunburn, and in between they buy postcards, ice cream, and small
paintings of the lighthouse that a retired teacher makes in her kitchen. In winter the town is quieter.
Storms close the ferry for days at a time, the cafes shut early, and the people who stay talk about the
price of diesel, the new rules on quotas, and whether the old cannery will ever open again. Yet every spring
the boats are painted, the nets are mended, and the harbour fills again with the sound of engines, voices,
and the tide against the stones, as it has for three hundred years.`;

const COMPILER = `A compiler translates source code into machine instructions in several passes. The parser builds an
abstract syntax tree from tokens, the type checker walks that tree to infer and verify types, and later
passes lower it into an intermediate representation in static single assignment form. Optimisations such
as constant folding, dead code elimination, inlining and loop invariant code motion rewrite that
representation, and a register allocator maps its virtual registers onto the physical registers of the
target architecture before the emitter writes object files for the linker.`;

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

describe('local lexical embedding', () => {
  it('gives similarity 1 for identical text and is deterministic', async () => {
    const embedding = createLocalEmbedding();
    const [a, b] = await embedding.embed([HARBOUR, HARBOUR]);
    expect(embedding.id).toBe('local:lexical-v1');
    expect(a).toHaveLength(256);
    expect(cosineSimilarity(a!, b!)).toBeCloseTo(1, 6);
    const [again] = await createLocalEmbedding().embed([HARBOUR]);
    expect(Array.from(again!)).toEqual(Array.from(a!));
  });

  it('is L2-normalised', () => {
    const v = embedText(HARBOUR, 128);
    let norm = 0;
    for (const x of v) norm += x * x;
    expect(norm).toBeCloseTo(1, 5);
  });

  it('keeps a near-duplicate (one word in 200 changed) above 0.95', () => {
    const list = words(HARBOUR);
    expect(list.length).toBeGreaterThanOrEqual(200);
    const changed = [...list];
    changed[100] = 'lighthouse-keeper';
    const similarity = cosineSimilarity(embedText(HARBOUR), embedText(changed.join(' ')));
    expect(similarity).toBeGreaterThan(0.95);
    expect(similarity).toBeLessThan(1);
  });

  it('keeps unrelated texts below 0.3', () => {
    expect(cosineSimilarity(embedText(HARBOUR), embedText(COMPILER))).toBeLessThan(0.3);
  });

  it('ranks a paraphrase on the same topic above an unrelated text', () => {
    const paraphrase = 'Fishing boats leave the harbour at dawn; the market on the quay sells bread and the ferry sounds its horn.';
    const harbour = embedText(HARBOUR);
    expect(cosineSimilarity(harbour, embedText(paraphrase))).toBeGreaterThan(
      cosineSimilarity(harbour, embedText(COMPILER)),
    );
  });

  it('tokenises Unicode words, drops stopwords and stems lightly', () => {
    expect(lexicalTokens('The Café in Zürich is exploring créations')).toEqual(['café', 'zürich', 'explor', 'créat']);
    expect(lexicalTokens("Don't panic: it's fine")).toEqual(['panic', 'fine']);
    expect(stem('explores')).toBe(stem('exploring'));
    expect(stem('created')).toBe(stem('creation'));
    expect(stem('glass')).toBe('glass');
  });

  it('embeds empty text as a zero vector with similarity 0', () => {
    const empty = embedText('  the of and ');
    expect(Array.from(empty).every((x) => x === 0)).toBe(true);
    expect(cosineSimilarity(empty, embedText(HARBOUR))).toBe(0);
  });

  it('rejects a nonsensical dimension', () => {
    expect(() => createLocalEmbedding(0)).toThrow(RangeError);
  });
});
