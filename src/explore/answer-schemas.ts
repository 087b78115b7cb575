import type { Brief } from '../brief/schema.js';
import type { AnswerSchema, ModelTask } from '../models/port.js';

/**
 * The JSON Schemas of structured answers, sent in a provider's structured-output mode. They are
 * written to the strict subset every such mode accepts (OpenAI's strict mode the narrowest): every
 * property required, no additional properties. The criteria a judge must score are an enum, so a
 * model held to the schema cannot invent one; the answer is validated by Baton all the same.
 */

const reason = { type: 'string' } as const;

function object(properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties };
}

function arrayOf(items: Record<string, unknown>): Record<string, unknown> {
  return { type: 'array', items };
}

export function judgeAnswerSchema(brief: Brief): AnswerSchema {
  const judged = brief.criteria.filter((c) => c.text !== undefined).map((c) => c.id);
  const indexes = brief.constraints.flatMap((c, index) => (c.kind === 'judged' ? [index] : []));
  return {
    name: 'judgment',
    description: 'A score from 0 to 10 with a reason for each criterion, each judged constraint checked, flags, and a critique.',
    jsonSchema: object({
      scores: arrayOf(
        object({
          criterion: judged.length > 0 ? { type: 'string', enum: judged } : { type: 'string' },
          // No minimum/maximum: not every structured mode accepts numeric bounds (Anthropic's does
          // not); the range is in the description and in Baton's own validation.
          score: { type: 'number', description: 'from 0 to 10' },
          reason,
        }),
      ),
      constraints: arrayOf(object({ index: indexes.length > 0 ? { type: 'integer', enum: indexes } : { type: 'integer' }, pass: { type: 'boolean' }, reason })),
      flags: arrayOf(object({ kind: { type: 'string', enum: ['sensitive', 'unclear'] }, reason })),
      critique: { type: 'string' },
    }),
  };
}

export const COMPARE_ANSWER_SCHEMA: AnswerSchema = {
  name: 'comparison',
  description: 'Which of the two candidates better answers the brief, and why.',
  jsonSchema: object({ winner: { type: 'string', enum: ['first', 'second', 'tie'] }, reason }),
};

export const REFRAME_ANSWER_SCHEMA: AnswerSchema = {
  name: 'framings',
  description: "Alternative framings of the person's question, each through a lens.",
  jsonSchema: object({ framings: arrayOf(object({ lens: { type: 'string' }, question: { type: 'string' }, why: reason })) }),
};

/** The schema a task's answer must follow, or undefined for free text (a candidate). */
export function answerSchemaFor(task: ModelTask): AnswerSchema | undefined {
  switch (task.kind) {
    case 'judge':
      return judgeAnswerSchema(task.brief);
    case 'compare':
      return COMPARE_ANSWER_SCHEMA;
    case 'reframe':
      return REFRAME_ANSWER_SCHEMA;
    default:
      return undefined;
  }
}
