import type { Brief, Lens } from '../../src/brief/schema.js';

/** Lenses like Baton's built-in set, for rehearsal-model tests. */
export const LENSES: Lens[] = [
  { id: 'challenge-assumption', name: 'Challenge an assumption', text: 'Find the assumption everyone makes and drop it.', builtin: true },
  { id: 'new-genre', name: 'Change the genre', text: 'Tell it in a different genre or form.', builtin: true },
  { id: 'emotional-arc', name: 'Change the emotional arc', text: 'Change how it should feel from start to end.', builtin: true },
  { id: 'invert', name: 'Invert the problem', text: 'Solve the opposite problem and turn the answer around.', builtin: true },
  { id: 'change-audience', name: 'Change the audience', text: 'Write it for a different audience.', builtin: true },
  { id: 'borrow-field', name: 'Borrow from another field', text: 'Borrow a method or metaphor from another field.', builtin: true },
  { id: 'extreme', name: 'Push to an extreme', text: 'Push the idea to an extreme and see what survives.', builtin: true },
];

export function lens(id: string): Lens {
  const found = LENSES.find((l) => l.id === id);
  if (!found) throw new Error(`no lens ${id}`);
  return found;
}

export function makeBrief(overrides: Partial<Brief> = {}): Brief {
  return {
    intent: 'The town library is losing its teenage readers, and with them the habit of reading for pleasure.',
    question: 'How could the small town library win back teenage readers this summer?',
    constraints: [
      { kind: 'judged', text: 'No promises the library cannot keep with its current staff.' },
      { kind: 'check', check: { max_words: 400 }, text: 'at most 400 words' },
    ],
    criteria: [
      { id: 'surprising', text: 'Surprising to a teenager who has stopped visiting the library', weight: 2, min: 7 },
      { id: 'clear', text: 'Clear enough that a busy librarian could act on it next week', weight: 1, min: 7 },
      { id: 'warm', text: 'Feels warm and human rather than like a marketing campaign', weight: 1, min: 7 },
      { id: 'length', check: { min_words: 150, max_words: 350 }, weight: 1, min: 7 },
    ],
    lenses: LENSES,
    budget: {},
    attention: 5,
    model: 'rehearsal',
    judge: 'rehearsal',
    context: 'The library has a small budget, two staff, a garden, and a room of unused computers. Summer holidays start in June.',
    ...overrides,
  };
}
