import type { Brief, Lens } from '../../brief/schema.js';
import { BORROWED_FIELDS, lensKind } from './banks.js';
import type { LensKind } from './banks.js';
import { createRng } from './rng.js';
import type { Rng } from './rng.js';
import { briefWords } from './words.js';

/** The rehearsal model's answer to a `reframe` task: alternative framings of the brief's question. */

export interface ReframeAnswer {
  framings: Array<{ lens: string; question: string; why: string }>;
}

const AUDIENCES = ['a curious ten-year-old', 'a sceptical expert', 'someone who has five minutes', 'a newcomer to the town'];
const GENRES = ['a letter', 'a field guide', 'a short play', 'a recipe', 'a fable'];
const EXTREMES = ['a thousand times larger', 'with no budget at all', 'done in a single day', 'for one person only'];

const QUESTIONS: Record<LensKind, (t: string, k: string, rng: Rng) => string> = {
  assumption: (t, k) => `What if the usual assumption behind ${t} is wrong, and ${k} is not what matters most?`,
  genre: (t, k, rng) => `How would ${t} work if it were told as ${rng.pick(GENRES)}, with ${k} at its centre?`,
  emotion: (t, k) => `What should a person feel at the start and at the end of ${t}, and how does ${k} carry them there?`,
  invert: (t, k) => `What would make ${t} fail completely, and what does the opposite teach us about ${k}?`,
  audience: (t, k, rng) => `How would ${t} change if it were meant for ${rng.pick(AUDIENCES)}, and what would ${k} mean to them?`,
  borrow: (t, k, rng) => `What would ${rng.pick(BORROWED_FIELDS)} teach us about ${t}, and about ${k} in particular?`,
  extreme: (t, k, rng) => `What would ${t} become ${rng.pick(EXTREMES)}, and which part of ${k} would survive?`,
  texture: (t, k) => `What are the concrete, sensory details of ${t} that make ${k} believable?`,
  practical: (t, k) => `What is the smallest practical step towards ${t} that would show whether ${k} works?`,
  history: (t, k) => `How has ${t} been attempted before, and what does that history say about ${k}?`,
};

function firstSentence(text: string): string {
  const sentence = text.trim().split(/(?<=[.!?])\s/)[0] ?? text.trim();
  return sentence.replace(/[.!?]+$/, '');
}

export function reframe(brief: Brief, lenses: readonly Lens[], count: number, seed: string): ReframeAnswer {
  const { topic, keywords } = briefWords(brief);
  const framings: ReframeAnswer['framings'] = [];
  if (lenses.length === 0) return { framings };
  for (let i = 0; i < count; i++) {
    const lens = lenses[i % lenses.length] as Lens;
    const rng = createRng('reframe', seed, brief.question, lens.id, i);
    // Two lenses of one kind must not offer the same question: try other key words first.
    const start = i + rng.int(3);
    let question = '';
    for (let attempt = 0; attempt <= keywords.length; attempt++) {
      const k = keywords[(start + attempt) % keywords.length] as string;
      question = QUESTIONS[lensKind(lens)](topic, k, rng);
      if (!framings.some((f) => f.question === question)) break;
    }
    if (framings.some((f) => f.question === question)) question = `${question.replace(/\?$/, '')}, seen through ${lens.name.toLowerCase()}?`;
    framings.push({
      lens: lens.id,
      question,
      why: `Through the ${lens.name} lens (${firstSentence(lens.text).toLowerCase()}), the question moves away from the obvious reading of “${brief.question.trim()}”.`,
    });
  }
  return { framings };
}
