import type { LintContext, LintFinding } from './lint-context.js';
import { createLintContext } from './lint-context.js';
import { checkContradictions, wordingContradictions } from './lint-contradictions.js';
import { genericAndUntestable, limitsAndWeights } from './lint-criteria.js';
import { commandNotQuestion, intentAndAudience } from './lint-framing.js';
import type { Brief } from './schema.js';

/**
 * Lint: a coach reading the brief before any model does. Every finding says what is weak, where
 * (line and column of the field), and offers a concrete rewrite built from the brief's own words.
 * No model is involved, so lint is instant, free and deterministic.
 *
 * Rules, by code: `command-not-question`, `no-intent`, `no-audience` (lint-framing);
 * `generic-wording`, `untestable-criterion`, `no-constraints`, `unweighted-criteria`
 * (lint-criteria); `contradictory-word-limits`, `contradictory-includes`, `contradictory-wording`
 * (lint-contradictions); `budget-too-small` (here).
 */

export type { LintFinding, LintSeverity } from './lint-context.js';

/** Calls one lens needs at least: an opening and two deepenings, each written and judged. */
export const CALLS_PER_LENS = 6;
/** A conservative token cost of one call (prompt with brief and candidate, plus the answer). */
export const TOKENS_PER_CALL = 1500;
/** How many lenses `auto` chooses. */
export const AUTO_LENS_COUNT = 4;

/**
 * Lints a parsed brief against its source (for locations). Findings are sorted by line.
 *
 * @example
 * const { brief, source } = await readBriefFile('brief.md');
 * for (const finding of lintBrief(source, brief, { file: 'brief.md' })) {
 *   console.log(`${finding.location.line}: ${finding.severity} ${finding.code}: ${finding.message}`);
 * }
 */
export function lintBrief(source: string, brief: Brief, options: { file?: string } = {}): LintFinding[] {
  const context = createLintContext(source, brief, options.file);
  const findings = [
    ...commandNotQuestion(context),
    ...intentAndAudience(context),
    ...genericAndUntestable(context),
    ...checkContradictions(context),
    ...wordingContradictions(context),
    ...limitsAndWeights(context),
    ...budgetTooSmall(context),
  ];
  return findings.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

/**
 * True when any finding is an error (the brief cannot succeed as written).
 *
 * @example
 * if (hasErrors(lintBrief(source, brief))) process.exitCode = 2;
 */
export function hasErrors(findings: readonly LintFinding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

/** `budget-too-small`: fewer calls or tokens than the lenses need to open and deepen once each. */
function budgetTooSmall(context: LintContext): LintFinding[] {
  const { brief } = context;
  const findings: LintFinding[] = [];
  const lensCount = brief.lenses === 'auto' ? AUTO_LENS_COUNT : brief.lenses.length;
  const lensWords = `${lensCount} ${lensCount === 1 ? 'lens' : 'lenses'}${brief.lenses === 'auto' ? ' (auto)' : ''}`;
  const neededCalls = lensCount * CALLS_PER_LENS;
  const { calls, tokens } = brief.budget;
  if (calls !== undefined && calls < neededCalls) {
    const affordable = Math.floor(calls / CALLS_PER_LENS);
    findings.push(
      context.finding(
        'budget-too-small',
        'warning',
        ['budget', 'calls'],
        `budget.calls ${calls} is too few for ${lensWords}: each lens needs an opening and two deepenings, ` +
          `each written and judged (${lensCount} × ${CALLS_PER_LENS} = ${neededCalls} calls)`,
        affordable >= 1
          ? `calls: ${neededCalls} (or fewer lenses: ${affordable} with ${calls} calls)`
          : `calls: ${neededCalls}`,
      ),
    );
  }
  const neededTokens = neededCalls * TOKENS_PER_CALL;
  if (tokens !== undefined && tokens < neededTokens) {
    findings.push(
      context.finding(
        'budget-too-small',
        'warning',
        ['budget', 'tokens'],
        `budget.tokens ${tokens} is too few for ${lensWords}: ` +
          `about ${TOKENS_PER_CALL} tokens per call × ${neededCalls} calls = ${neededTokens}`,
        `tokens: ${neededTokens}`,
      ),
    );
  }
  return findings;
}
