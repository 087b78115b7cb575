import { describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import { BUILT_IN_LENSES, chooseLenses, lensById, resolveLenses, safeResolveLenses } from './lenses.js';

describe('built-in lenses', () => {
  it('has the ten lenses of the design, each with a name and an instruction', () => {
    expect(BUILT_IN_LENSES.map((lens) => lens.id)).toEqual([
      'challenge-assumption',
      'new-genre',
      'emotional-arc',
      'invert',
      'change-audience',
      'borrow-field',
      'extreme',
      'constraint-flip',
      'minimal',
      'first-principles',
    ]);
    for (const lens of BUILT_IN_LENSES) {
      expect(lens.builtin).toBe(true);
      expect(lens.name.length).toBeGreaterThan(3);
      // One or two sentences that tell a model what to do.
      expect(lens.text.split(/[.!?](\s|$)/).filter((s) => s.trim().length > 0).length).toBeLessThanOrEqual(2);
      expect(lens.text.length).toBeGreaterThan(40);
    }
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(BUILT_IN_LENSES)).toBe(true);
    expect(Object.isFrozen(BUILT_IN_LENSES[0])).toBe(true);
  });

  it('finds a lens by id', () => {
    expect(lensById('minimal')?.name).toBe('Make it minimal');
    expect(lensById('nope')).toBeUndefined();
    const custom = { id: 'pirate', name: 'Pirate', text: 'Say it like a pirate.', builtin: false };
    expect(lensById('pirate', [custom])).toBe(custom);
  });
});

describe('resolving a brief’s lenses', () => {
  it('turns built-in ids, sentences and mappings into lenses', () => {
    const lenses = resolveLenses([
      'invert',
      'Tell it as a ship’s captain would, in the log',
      { id: 'haiku', text: 'Answer in three lines.' },
      { id: 'fable', text: 'Make it a fable.', name: 'Fable' },
    ]);
    expect(lenses).toEqual([
      lensById('invert'),
      {
        id: 'custom-tell-it-as-a-ship-s',
        name: 'Tell it as a ship’s captain…',
        text: 'Tell it as a ship’s captain would, in the log',
        builtin: false,
      },
      { id: 'haiku', name: 'Answer in three lines', text: 'Answer in three lines.', builtin: false },
      { id: 'fable', name: 'Fable', text: 'Make it a fable.', builtin: false },
    ]);
  });

  it('gives custom lenses that start alike distinct ids', () => {
    const ids = resolveLenses(['Tell it as a child would', 'Tell it as a child would, but angry']).map((l) => l.id);
    expect(ids).toEqual(['custom-tell-it-as-a-child', 'custom-tell-it-as-a-child-2']);
  });

  it('refuses an id-shaped string that is not built in, with a did-you-mean', () => {
    const result = safeResolveLenses(['minimal', 'first-principle', 'poetry']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.index, p.message])).toEqual([
      [1, 'unknown lens `first-principle` — did you mean `first-principles`?'],
      [2, expect.stringContaining('unknown lens `poetry`; built-in lenses are `challenge-assumption`')],
    ]);
    expect(result.problems[0]?.location).toEqual({ field: 'lenses.1' });
  });

  it('refuses a lens listed twice and a custom lens that takes a built-in id', () => {
    const result = safeResolveLenses(['minimal', 'minimal', { id: 'invert', text: 'Upside down.' }]);
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      'lens `minimal` is listed twice',
      '`invert` is a built-in lens; give your own lens another id, or list `invert` on its own',
    ]);
  });

  it('throws a located BatonError listing every problem', () => {
    const locate = (index: number) => ({ file: 'brief.md', line: 10 + index, column: 5, field: `lenses.${index}` });
    let error: unknown;
    try {
      resolveLenses(['invrt', 'minimal', 'extrme'], locate);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('invalid_input');
    expect((error as BatonError).message).toBe('brief.md:10:5: lenses.0: unknown lens `invrt` — did you mean `invert`?');
    expect((error as BatonError).details).toHaveLength(2);
    expect((error as BatonError).location).toMatchObject({ line: 10 });
  });
});

describe('choosing lenses for auto', () => {
  const ids = (question: string, extra: { intent?: string; context?: string } = {}, count?: number): string[] =>
    chooseLenses({ question, ...extra }, count).map((lens) => lens.id);

  it('prefers story lenses for writing', () => {
    expect(ids('What story about a lighthouse keeper would a child remember?')).toEqual([
      'emotional-arc',
      'new-genre',
      'change-audience',
      'extreme',
    ]);
  });

  it('prefers audience, inversion and minimalism for products', () => {
    expect(ids('What onboarding would new customers finish on a phone?').slice(0, 3)).toEqual([
      'change-audience',
      'invert',
      'minimal',
    ]);
  });

  it('prefers first principles for research and engineering', () => {
    expect(ids('Why does the cache miss under load, and what architecture would avoid it?').slice(0, 3)).toEqual([
      'first-principles',
      'challenge-assumption',
      'borrow-field',
    ]);
  });

  it('mixes lenses when the brief is two kinds of work at once', () => {
    const chosen = ids('What story would help customers trust our product?', {}, 6);
    expect(chosen).toContain('emotional-arc');
    expect(chosen).toContain('minimal');
  });

  it('reads the intent and the context too', () => {
    expect(ids('What should this become?', { context: 'A poem for my sister’s wedding.' })[0]).toBe('emotional-arc');
  });

  it('is deterministic and always returns the count asked, distinct', () => {
    for (let count = 1; count <= BUILT_IN_LENSES.length; count += 1) {
      const first = ids('What now?', {}, count);
      expect(first).toHaveLength(count);
      expect(new Set(first).size).toBe(count);
      expect(ids('What now?', {}, count)).toEqual(first);
    }
  });

  it('refuses a count it cannot meet', () => {
    expect(() => chooseLenses({ question: 'What now?' }, 0)).toThrow(RangeError);
    expect(() => chooseLenses({ question: 'What now?' }, 11)).toThrow(RangeError);
  });
});
