import { jsonrepair } from 'jsonrepair';
import type { z } from 'zod';

/**
 * Structured answers from a model: untrusted text that should hold one JSON object of a known
 * shape. Models wrap it in prose or code fences, leave trailing commas, quote with single quotes,
 * or stop mid-object when they run out of tokens. The text is parsed as it is first; when that
 * fails it is repaired (`jsonrepair`) and parsed again; either way the result is validated with
 * zod, and only a validated value comes out. A repaired answer says so, so that it can be recorded.
 */

export type AnswerQuality = 'valid' | 'repaired' | 'invalid';

export type ParsedAnswer<T> = { ok: true; value: T; repaired: boolean } | { ok: false; error: string };

/**
 * The part of a model answer that should be the JSON object (a fenced block's body, else the
 * text): `region` from the first `{` to the last `}`, `tail` from the first `{` to the end (an
 * object cut off before its closing brace).
 */
export function jsonRegion(text: string): { region: string; tail: string } | undefined {
  const fenced = /```(?:json|JSON)?\s*([\s\S]*?)(?:```|$)/u.exec(text);
  const body = fenced?.[1]?.includes('{') ? fenced[1] : text;
  const start = body.indexOf('{');
  if (start < 0) return undefined;
  const end = body.lastIndexOf('}');
  const tail = body.slice(start);
  return { region: end > start ? body.slice(start, end + 1) : tail, tail };
}

function strictParse(region: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(region) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function repairedParse(sources: readonly string[]): { ok: true; value: unknown } | { ok: false; error: string } {
  for (const source of sources) {
    try {
      return { ok: true, value: JSON.parse(jsonrepair(source)) as unknown };
    } catch {
      // try the next source
    }
  }
  return { ok: false, error: 'the JSON could not be repaired' };
}

function validate<T>(raw: unknown, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `unexpected shape at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Finds the JSON object in a model answer, repairs it if it must, and validates it.
 *
 * @example
 * parseJsonAnswer('Here you go:\n```json\n{"score": 7,}\n```', z.object({ score: z.number() }));
 * // → { ok: true, value: { score: 7 }, repaired: true }
 */
export function parseJsonAnswer<T>(text: string, schema: z.ZodType<T>): ParsedAnswer<T> {
  const found = jsonRegion(text);
  if (found === undefined) return { ok: false, error: 'no JSON object in the answer' };
  const strict = strictParse(found.region);
  if (strict.ok) {
    const valid = validate(strict.value, schema);
    if (valid.ok) return { ok: true, value: valid.value, repaired: false };
    return valid;
  }
  // A cut-off object whole first, then the braces' span, then the text (jsonrepair strips fences itself).
  const repaired = repairedParse([found.tail, found.region, text]);
  if (!repaired.ok) return { ok: false, error: `invalid JSON (${strict.error}), and ${repaired.error}` };
  const valid = validate(repaired.value, schema);
  if (valid.ok) return { ok: true, value: valid.value, repaired: true };
  return { ok: false, error: `invalid JSON (${strict.error}); repaired, ${valid.error}` };
}

export function answerQuality(parsed: ParsedAnswer<unknown>): AnswerQuality {
  if (!parsed.ok) return 'invalid';
  return parsed.repaired ? 'repaired' : 'valid';
}
