import type { Lens } from '../brief/schema.js';
import type { CriterionScore, FailedConstraint, Flag, PlannedMove } from '../explore/types.js';

/**
 * Hand-written checks for the stored JSON read once per candidate when an exploration is
 * reopened (tens of thousands of values): each accepts exactly what its schema in codecs.ts
 * accepts, or less — anything it does not accept is then validated by the schema, so a corrupt
 * row still fails with the schema's message. Objects are loose, as the schemas are.
 */

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional field as `exactOptional` reads it: absent, or a string. */
function optionalString(value: Loose, key: string): boolean {
  return typeof value[key] === 'string' || !(key in value);
}

function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

export function isLens(value: unknown): value is Lens {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.text === 'string' &&
    typeof value.builtin === 'boolean'
  );
}

function isPlannedMove(value: unknown): value is PlannedMove {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    (value.kind === 'open' || value.kind === 'deepen' || value.kind === 'combine') &&
    isStringList(value.parentIds) &&
    isLens(value.lens) &&
    optionalString(value, 'feedback') &&
    (value.origin === 'policy' || value.origin === 'decision') &&
    optionalString(value, 'directive') &&
    (value.focus === undefined || isStringList(value.focus))
  );
}

/** The inline events every move writes: `move.planned`, and `path.exhausted` at each path's end. */
export function isHotInlineEvent(
  value: unknown,
): value is { type: 'move.planned'; move: PlannedMove } | { type: 'path.exhausted'; candidateId: string; reason: string } {
  if (!isObject(value)) return false;
  if (value.type === 'move.planned') return isPlannedMove(value.move);
  if (value.type === 'path.exhausted') return typeof value.candidateId === 'string' && typeof value.reason === 'string';
  return false;
}

export function isRefPayload(value: unknown): value is { id: string } {
  return isObject(value) && typeof value.id === 'string';
}

export function isCriterionScores(value: unknown): value is CriterionScore[] {
  if (!Array.isArray(value)) return false;
  for (const s of value) {
    if (!isObject(s) || typeof s.criterion !== 'string' || (typeof s.score !== 'number' && s.score !== null) || typeof s.reason !== 'string') return false;
    if (s.by !== 'judge' && s.by !== 'check') return false;
    if (s.jurors !== undefined && !isJurors(s.jurors)) return false;
  }
  return true;
}

function isJurors(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const j of value) {
    if (!isObject(j) || typeof j.judge !== 'string' || (typeof j.score !== 'number' && j.score !== null) || typeof j.reason !== 'string') return false;
  }
  return true;
}

export function isFailedConstraints(value: unknown): value is FailedConstraint[] {
  if (!Array.isArray(value)) return false;
  for (const f of value) if (!isObject(f) || typeof f.constraint !== 'string' || typeof f.reason !== 'string') return false;
  return true;
}

export function isFlags(value: unknown): value is Flag[] {
  if (!Array.isArray(value)) return false;
  for (const f of value) {
    if (!isObject(f) || (f.kind !== 'sensitive' && f.kind !== 'unclear') || typeof f.reason !== 'string') return false;
  }
  return true;
}
