import { locateField } from '../brief/parse.js';
import type { Brief } from '../brief/schema.js';
import { juryOf } from '../brief/schema.js';
import type { SourceLocation } from '../errors.js';
import { BatonError, isBatonError } from '../errors.js';
import type { ModelPort } from '../models/port.js';
import { checkModelId, resolveModel } from '../models/registry.js';

/** Checking the model ids a brief or a caller names, before anything is written. */

/**
 * Refuses a model id the registry cannot resolve, pointing at where it was written. With `env`,
 * the provider's key and base URL are checked too (before anything is written); without, only
 * the id.
 */
export function checkModel(id: string, location: SourceLocation | (() => SourceLocation), env?: Record<string, string | undefined>): void {
  try {
    if (env) resolveModel(id, { seed: 1, env });
    else checkModelId(id);
  } catch (error) {
    const where = typeof location === 'function' ? location() : location;
    if (isBatonError(error)) throw new BatonError(error.code, error.message, { cause: error, location: { ...error.location, ...where } });
    throw error;
  }
}

/** Where a brief's `model` or `judge` field is written; found only for a refusal, as each is a parse of the brief's YAML. */
export function fieldLocation(source: string, file: string, field: 'model' | 'judge'): () => SourceLocation {
  return () => ({ ...locateField(source, field, { file }), field });
}

export function checkModels(brief: Brief, source: string, file: string, env?: Record<string, string | undefined>): void {
  checkModel(brief.model, fieldLocation(source, file, 'model'), env);
  for (const juror of juryOf(brief.judge)) checkModel(juror, fieldLocation(source, file, 'judge'), env);
}

/** A jury given as a list or a comma list, as the judge field stores it (`a, b`); refuses an empty one. */
export function juryText(judge: string | readonly string[]): string {
  const ids = (typeof judge === 'string' ? [judge] : [...judge]).flatMap((entry) => juryOf(entry));
  if (ids.length === 0) throw new BatonError('invalid_input', '--judge: name at least one model, e.g. openai:gpt-4o-mini', { location: { field: '--judge' } });
  return [...new Set(ids)].join(', ');
}

/**
 * A model for reading an exploration: the real one when it resolves, else a stand-in with the
 * same id and label that refuses to be called — views need only its name, never its key.
 */
export function readingModel(id: string, options: Parameters<typeof resolveModel>[1]): ModelPort {
  try {
    return resolveModel(id, options);
  } catch (error) {
    if (!isBatonError(error)) throw error;
    const info = { id, label: id, rehearsal: id === 'rehearsal' || id.startsWith('rehearsal:'), pricing: { inputPerMTok: 0, outputPerMTok: 0 }, maxOutputTokens: 0 };
    return {
      info,
      complete: () => Promise.reject(new BatonError('provider_failure', `${id} cannot be called while only reading: ${error.message}`, { cause: error })),
    };
  }
}
