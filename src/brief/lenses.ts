import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { SourceLocation } from '../errors.js';
import { BatonError, formatLocation } from '../errors.js';
import type { Lens, LensSpecSchema } from './schema.js';
import { slugify, uniqueId } from './slug.js';

/**
 * Lenses: framings that push exploration somewhere specific. The built-in set is the essay's
 * list of moves a person makes when they are stuck; a brief may add its own as sentences.
 */

/** One entry of a brief's `lenses` list, as written. */
export type LensSpec = z.output<typeof LensSpecSchema>;

/**
 * The built-in lenses, in a stable order (the order `chooseLenses` falls back to).
 *
 * @example
 * BUILT_IN_LENSES.map((lens) => lens.id) // ['challenge-assumption', 'new-genre', …]
 */
export const BUILT_IN_LENSES: readonly Lens[] = Object.freeze(
  [
    {
      id: 'challenge-assumption',
      name: 'Challenge an assumption',
      text: 'Name the assumption the question takes most for granted, drop it, and answer as if it were false.',
    },
    {
      id: 'new-genre',
      name: 'Change the genre',
      text: 'Recast the answer in a different genre or form (a letter, a fable, a field guide, a dialogue) and keep what the new form reveals.',
    },
    {
      id: 'emotional-arc',
      name: 'Change the emotional arc',
      text: 'Give the answer a different emotional shape (rise, fall, reversal, quiet resolution) and let that shape decide what goes in.',
    },
    {
      id: 'invert',
      name: 'Invert the problem',
      text: 'Ask how to make the outcome fail or do the opposite, then turn each way of failing into a design choice.',
    },
    {
      id: 'change-audience',
      name: 'Change the audience',
      text: 'Answer for a very different person (a child, an expert, a sceptic, someone from another culture) and carry back what they need that the original audience also needs.',
    },
    {
      id: 'borrow-field',
      name: 'Borrow from another field',
      text: 'Take a method, structure or metaphor from an unrelated field (biology, architecture, music, logistics) and apply it to the question directly.',
    },
    {
      id: 'extreme',
      name: 'Push to an extreme',
      text: 'Push one dimension to its extreme (ten times bigger, smaller, faster, slower, or cheaper) and see which parts of the answer survive.',
    },
    {
      id: 'constraint-flip',
      name: 'Flip a constraint',
      text: 'Remove or reverse one of the constraints, explore what becomes possible, then say what the constraint was protecting.',
    },
    {
      id: 'minimal',
      name: 'Make it minimal',
      text: 'Find the smallest version that still works: cut everything the answer can live without and keep only what carries the intent.',
    },
    {
      id: 'first-principles',
      name: 'Reason from first principles',
      text: 'Set aside how this is usually done; start from the underlying facts and goals and rebuild the answer step by step from them.',
    },
  ].map((lens) => Object.freeze({ ...lens, builtin: true })),
);

const BUILT_IN_IDS = BUILT_IN_LENSES.map((lens) => lens.id);
/** A string shaped like an id: the person meant a lens name, not a sentence. */
const ID_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Finds a lens by id (among the built-ins unless another list is given).
 *
 * @example
 * lensById('invert')?.name // 'Invert the problem'
 */
export function lensById(id: string, lenses: readonly Lens[] = BUILT_IN_LENSES): Lens | undefined {
  return lenses.find((lens) => lens.id === id);
}

/** A problem with one entry of `lenses`; `index` is its position in the list. */
export interface LensProblem {
  index: number;
  message: string;
  location: SourceLocation;
}

export type ResolveLensesResult = { ok: true; lenses: Lens[] } | { ok: false; problems: LensProblem[] };

/** Points a lens problem at the brief's source; parse passes one built from the YAML. */
export type LocateLens = (index: number) => SourceLocation;

/**
 * Turns a brief's `lenses` list into lenses, reporting every unknown id with a did-you-mean.
 *
 * - a built-in id → that lens;
 * - an id-shaped string that is not built in → a problem (it is most likely a typo);
 * - any other string → a custom lens whose id is `custom-<first words>`;
 * - `{ id, text, name? }` → a custom lens.
 *
 * @example
 * safeResolveLenses(['invert', 'Tell it as a ship captain would'])
 * // { ok: true, lenses: [invert, { id: 'custom-tell-it-as-a', builtin: false, … }] }
 * safeResolveLenses(['invrt'])
 * // { ok: false, problems: [{ index: 0, message: 'unknown lens `invrt` — did you mean `invert`?', … }] }
 */
export function safeResolveLenses(specs: readonly LensSpec[], locate?: LocateLens): ResolveLensesResult {
  const lenses: Lens[] = [];
  const problems: LensProblem[] = [];
  const taken = new Set<string>();
  const where = (index: number): SourceLocation => locate?.(index) ?? { field: `lenses.${index}` };

  specs.forEach((spec, index) => {
    const lens = toLens(spec, taken);
    if (typeof lens === 'string') {
      problems.push({ index, message: lens, location: where(index) });
      return;
    }
    if (taken.has(lens.id)) {
      problems.push({ index, message: `lens \`${lens.id}\` is listed twice`, location: where(index) });
      return;
    }
    taken.add(lens.id);
    lenses.push(lens);
  });
  return problems.length === 0 ? { ok: true, lenses } : { ok: false, problems };
}

/**
 * Like `safeResolveLenses`, but throws a `BatonError('invalid_input')` listing every problem.
 *
 * @example
 * resolveLenses(['minimal', 'extreme']).map((lens) => lens.id) // ['minimal', 'extreme']
 */
export function resolveLenses(specs: readonly LensSpec[], locate?: LocateLens): Lens[] {
  const result = safeResolveLenses(specs, locate);
  if (result.ok) return result.lenses;
  const details = result.problems.map((problem) => {
    const where = formatLocation(problem.location);
    return `${where ? `${where}: ` : ''}${problem.location.field ?? `lenses.${problem.index}`}: ${problem.message}`;
  });
  const [first] = result.problems;
  throw new BatonError('invalid_input', details[0] ?? 'invalid lenses', {
    details,
    ...(first && { location: first.location }),
  });
}

/** A lens, or the message saying why the spec is not one. */
function toLens(spec: LensSpec, taken: ReadonlySet<string>): Lens | string {
  if (typeof spec !== 'string') {
    if (BUILT_IN_IDS.includes(spec.id)) {
      return `\`${spec.id}\` is a built-in lens; give your own lens another id, or list \`${spec.id}\` on its own`;
    }
    return { id: spec.id, name: spec.name ?? nameFromText(spec.text), text: spec.text.trim(), builtin: false };
  }
  const text = spec.trim();
  const builtin = lensById(text);
  if (builtin) return builtin;
  if (ID_SHAPE.test(text)) return unknownLensMessage(text);
  if (text === '') return 'a lens cannot be empty';
  const base = `custom-${slugify(text.split(/\s+/).slice(0, 5).join(' '), { maxLength: 32, fallback: 'lens' })}`;
  // `uniqueId` records the id; copy the set so the duplicate check in the caller stays meaningful.
  const id = uniqueId(base, new Set(taken), 40);
  return { id, name: nameFromText(text), text, builtin: false };
}

function unknownLensMessage(id: string): string {
  const guess = closest(id, BUILT_IN_IDS);
  // Close enough to be a typo: at most a third of the word wrong (and always allow two edits).
  if (distance(id, guess) <= Math.max(2, Math.floor(guess.length / 3))) {
    return `unknown lens \`${id}\` — did you mean \`${guess}\`?`;
  }
  return (
    `unknown lens \`${id}\`; built-in lenses are ${BUILT_IN_IDS.map((known) => `\`${known}\``).join(', ')} ` +
    '— or write a sentence to define your own lens'
  );
}

/** A short display name: the first few words of the instruction. */
function nameFromText(text: string): string {
  const words = text.trim().replace(/[.!?:;]+$/, '').split(/\s+/);
  const head = words.slice(0, 6).join(' ');
  const name = words.length > 6 ? `${head}…` : head;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** What `chooseLenses` reads: the words of the brief that hint at what kind of work it is. */
export interface LensChoiceInput {
  question: string;
  intent?: string | undefined;
  context?: string | undefined;
}

/**
 * Kinds of work and the lenses that tend to open them up, best first. Matching is by keyword:
 * crude, but deterministic and explainable, and `auto` is only a starting point.
 */
const AFFINITIES: ReadonlyArray<{ keywords: RegExp; weak?: RegExp; lenses: readonly string[] }> = [
  {
    // Writing and storytelling.
    keywords:
      /\b(stor(y|ies)|poems?|poetry|characters?|narratives?|essays?|novels?|fiction|plots?|scenes?|songs?|lyrics?|scripts?|screenplays?|tales?|speech(es)?|letters?|verses?|memoirs?)\b/g,
    lenses: ['emotional-arc', 'new-genre', 'change-audience', 'extreme', 'invert'],
  },
  {
    // Products and services.
    keywords:
      /\b(products?|services?|users?|customers?|clients?|apps?|features?|onboarding|pricing|market|business|startups?|shops?|stores?|subscriptions?|checkout|signups?)\b/g,
    lenses: ['change-audience', 'invert', 'minimal', 'constraint-flip', 'extreme'],
  },
  {
    // Research and engineering.
    keywords:
      /\b(research|engineering|systems?|algorithms?|performance|experiments?|hypothes[ie]s|science|scientific|data|architecture|causes?|mechanisms?|proofs?|protocols?|bugs?|latency)\b/g,
    // "Why" and "how" open many questions that are not research, so they only tip a balance.
    weak: /\b(why|how)\b/g,
    lenses: ['first-principles', 'challenge-assumption', 'borrow-field', 'invert', 'minimal'],
  },
];

/**
 * Chooses `count` distinct built-in lenses suited to the brief, for `lenses: auto`.
 * Deterministic: the same brief always gets the same lenses, in the same order.
 *
 * @example
 * chooseLenses({ question: 'What story would a child retell?' }).map((l) => l.id)
 * // ['emotional-arc', 'new-genre', 'change-audience', 'extreme']
 */
export function chooseLenses(brief: LensChoiceInput, count = 4): Lens[] {
  if (!Number.isInteger(count) || count < 1 || count > BUILT_IN_LENSES.length) {
    throw new RangeError(`count must be an integer from 1 to ${BUILT_IN_LENSES.length}, got ${count}`);
  }
  // The question says what the work is; intent and context only confirm it, so they weigh less.
  const hits = (pattern: RegExp | undefined): number =>
    pattern === undefined
      ? 0
      : 3 * countMatches(brief.question, pattern) +
          countMatches(brief.intent, pattern) +
          countMatches(brief.context, pattern);
  const scored = AFFINITIES.map((affinity, order) => ({
    lenses: affinity.lenses,
    order,
    score: 3 * hits(affinity.keywords) + hits(affinity.weak),
  }));
  const top = Math.max(...scored.map((affinity) => affinity.score));
  // A kind of work far behind the leader is noise (a stray "data" in a poem brief), not a mix.
  const ranked = scored
    .filter((affinity) => affinity.score > 0 && affinity.score * 2 >= top)
    .sort((a, b) => b.score - a.score || a.order - b.order);

  const chosen: string[] = [];
  const add = (id: string | undefined): void => {
    if (id !== undefined && !chosen.includes(id) && chosen.length < count) chosen.push(id);
  };
  // The strongest kind of work leads; the others interleave so a mixed brief gets a mix.
  for (let i = 0; i < BUILT_IN_LENSES.length; i += 1) {
    for (const affinity of ranked) add(affinity.lenses[i]);
  }
  for (const id of BUILT_IN_IDS) add(id);
  return chosen.map((id) => lensById(id) as Lens);
}

function countMatches(text: string | undefined, pattern: RegExp): number {
  return text === undefined ? 0 : (text.toLowerCase().match(pattern)?.length ?? 0);
}
