/**
 * The brief: what the person decides. Parsing (with located errors), lint, lenses, the template
 * for `baton init` and the published JSON Schema.
 */
export type {
  Brief,
  BriefFrontMatter,
  Budget,
  CodeCheck,
  Constraint,
  Criterion,
  Lens,
  ParsedFrontMatter,
} from './schema.js';
export { BriefFrontMatterSchema, CodeCheckSchema } from './schema.js';
export type { ParseBriefOptions, ReadBrief, SafeParseBriefResult } from './parse.js';
export { MAX_BRIEF_BYTES, parseBrief, readBriefFile, readBriefSource, safeParseBrief } from './parse.js';
export type { BriefProblem } from './problems.js';
export { formatProblem } from './problems.js';
export type { FieldPath, FrontMatterParts, SplitResult } from './front-matter.js';
export { locateField, splitFrontMatter } from './front-matter.js';
export { checkId, describeCheck } from './describe-check.js';
export type { LensChoiceInput, LensProblem, LensSpec, LocateLens, ResolveLensesResult } from './lenses.js';
export { BUILT_IN_LENSES, chooseLenses, lensById, resolveLenses, safeResolveLenses } from './lenses.js';
export type { LintFinding, LintSeverity } from './lint.js';
export { AUTO_LENS_COUNT, CALLS_PER_LENS, hasErrors, lintBrief, TOKENS_PER_CALL } from './lint.js';
export { briefTemplate } from './template.js';
export { BRIEF_SCHEMA_ID, briefJsonSchema, briefJsonSchemaText } from './json-schema.js';
