import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerQuality, parseJsonAnswer } from './structured.js';

const Shape = z.object({ scores: z.array(z.object({ criterion: z.string(), score: z.number() })), critique: z.string() });
const GOOD = { scores: [{ criterion: 'clear', score: 7 }, { criterion: 'short', score: 4 }], critique: 'Cut the second paragraph.' };

describe('structured answers from a model', () => {
  it('takes valid JSON as it is, bare or fenced, with prose around it', () => {
    for (const text of [JSON.stringify(GOOD), `Here is my verdict:\n\`\`\`json\n${JSON.stringify(GOOD, null, 2)}\n\`\`\`\nThanks!`, `Verdict: ${JSON.stringify(GOOD)} — hope that helps.`]) {
      expect(parseJsonAnswer(text, Shape)).toEqual({ ok: true, value: GOOD, repaired: false });
    }
  });

  it('repairs trailing commas, single quotes and comments, and says so', () => {
    const text = "{'scores': [{'criterion': 'clear', 'score': 7,}, {'criterion': 'short', 'score': 4},], // two\n 'critique': 'Cut the second paragraph.',}";
    const parsed = parseJsonAnswer(text, Shape);
    expect(parsed).toEqual({ ok: true, value: GOOD, repaired: true });
    expect(answerQuality(parsed)).toBe('repaired');
  });

  it('repairs an answer cut off mid-object (out of tokens), keeping what was written', () => {
    const full = JSON.stringify(GOOD);
    const cut = full.slice(0, full.indexOf('Cut the second') + 'Cut the second'.length);
    const parsed = parseJsonAnswer(`\`\`\`json\n${cut}`, Shape);
    expect(parsed).toEqual({ ok: true, value: { ...GOOD, critique: 'Cut the second' }, repaired: true });
  });

  it('refuses what is not an object of the shape, repaired or not', () => {
    expect(parseJsonAnswer('I would rather not score this.', Shape)).toEqual({ ok: false, error: 'no JSON object in the answer' });
    const wrong = parseJsonAnswer('{"scores": "all tens", "critique": "none"}', Shape);
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.error).toContain('unexpected shape at scores');
    const cutWrong = parseJsonAnswer('{"scores": [{"criterion": 1', Shape);
    expect(cutWrong.ok).toBe(false);
    expect(answerQuality(cutWrong)).toBe('invalid');
  });

  it('never throws on arbitrary text', () => {
    for (const text of ['{', '{{{{', '}{', '```json\n```', '{"a": [1, 2', '\u0000{"x":\u0001}', '{"scores": [], "critique": "' + '\\'.repeat(50)]) {
      expect(() => parseJsonAnswer(text, Shape)).not.toThrow();
    }
  });
});
