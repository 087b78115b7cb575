import { isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import { BatonError } from '../errors.js';
import type { ChatMessage } from '../models/port.js';
import { splitFrontMatter } from './front-matter.js';
import { BUILT_IN_LENSES, chooseLenses } from './lenses.js';
import type { Brief, Lens } from './schema.js';

/**
 * Reframing: question design with a model's help. The model offers alternative framings of the
 * question, each through a lens; the person adopts one, which becomes a new brief version.
 */

export const FramingsSchema = z.object({
  framings: z
    .array(
      z.object({
        lens: z.string().min(1),
        question: z.string().trim().min(1),
        why: z.string().default(''),
      }),
    )
    .min(1),
});
export type Framing = z.output<typeof FramingsSchema>['framings'][number];

/** Lenses to reframe through: the brief's own first, then Baton's choice, then the rest. */
export function reframeLenses(brief: Brief, count: number): Lens[] {
  const ordered = [...(brief.lenses === 'auto' ? [] : brief.lenses), ...chooseLenses(brief, Math.min(count, BUILT_IN_LENSES.length)), ...BUILT_IN_LENSES];
  const unique: Lens[] = [];
  for (const lens of ordered) if (!unique.some((l) => l.id === lens.id)) unique.push(lens);
  return unique.slice(0, Math.max(1, count));
}

export function reframeMessages(brief: Brief, lenses: readonly Lens[], count: number): ChatMessage[] {
  const context = [brief.intent ? `Why it matters: ${brief.intent}` : '', `Question: ${brief.question}`, brief.context ? `Context: ${brief.context}` : '']
    .filter(Boolean)
    .join('\n');
  return [
    {
      role: 'system',
      content:
        "You are a coach for question design. Offer alternative framings of the person's question, each through a lens: a real question that says what the work should become and why. Answer with JSON only.",
    },
    {
      role: 'user',
      content: `${context}\n\nLenses:\n${lenses.map((l) => `- ${l.id}: ${l.text}`).join('\n')}\n\nGive ${count} framings as {"framings":[{"lens":"<lens id>","question":"…?","why":"…"}]}.`,
    },
  ];
}

/**
 * Rewrites the brief's `question` in its Markdown source and nothing else: only the question's
 * value is replaced (as a one-line double-quoted YAML string), so every other line, comment and
 * blank stays exactly as written.
 */
export function applyFraming(source: string, question: string): string {
  const split = splitFrontMatter(source);
  if (!split.ok) throw new BatonError('invalid_input', `the brief cannot be rewritten: ${split.message}`);
  const doc = parseDocument(split.yaml);
  const node = doc.get('question', true);
  const replacement = JSON.stringify(question.replace(/\s+/gu, ' ').trim());
  if (!isScalar(node) || !node.range) {
    throw new BatonError('invalid_input', 'the brief has no `question` to rewrite', { location: { field: 'question' } });
  }
  const [start, valueEnd] = node.range;
  // A block scalar (`>-`, `|`) ends with its line break; keep the break so the next key stays put.
  const end = split.yaml[valueEnd - 1] === '\n' ? valueEnd - 1 : valueEnd;
  const yaml = `${split.yaml.slice(0, start)}${replacement}${split.yaml.slice(end)}`;
  const offset = source.indexOf(split.yaml);
  if (offset < 0) throw new Error('front matter not found in its own source');
  return `${source.slice(0, offset)}${yaml}${source.slice(offset + split.yaml.length)}`;
}
