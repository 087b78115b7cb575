import type { CheckContext } from '../explore/checks.js';
import { verifyBriefChecks } from '../explore/checks.js';
import { isBatonError } from '../errors.js';
import { checkModelId } from '../models/registry.js';
import type { LintFinding } from './lint.js';
import { lintBrief } from './lint.js';
import { locateField, safeParseBrief } from './parse.js';
import type { Brief } from './schema.js';
import { juryOf } from './schema.js';

/**
 * Everything `baton lint` says about a brief: the coach's findings, model ids this build cannot
 * resolve, and every check `run` would refuse. Pure apart from reading the files a brief names,
 * so that it can run in the brief worker (`brief-worker.ts`) as well as in the caller's thread.
 */

/** The coach's findings plus model ids this build cannot resolve. */
export function lintWithModels(source: string, brief: Brief, file: string): LintFinding[] {
  const findings = lintBrief(source, brief, { file });
  for (const [field, id] of [['model', brief.model] as const, ...juryOf(brief.judge).map((juror) => ['judge', juror] as const)]) {
    try {
      checkModelId(id);
    } catch (error) {
      if (!isBatonError(error)) throw error;
      findings.push({
        code: 'unknown-model',
        severity: 'error',
        message: error.message,
        location: { line: 1, column: 1, ...locateField(source, field, { file }), field },
        suggestion: `model: rehearsal   # explore offline first; providers are named provider:model`,
      });
    }
  }
  return byLine(findings);
}

/** `verifyBriefChecks` as located lint errors. */
export async function checkFindings(source: string, brief: Brief, file: string, context: CheckContext): Promise<LintFinding[]> {
  const problems = await verifyBriefChecks(brief, context);
  return problems.map((problem) => ({
    code: 'unusable-check',
    severity: 'error' as const,
    message: problem.message,
    location: { line: 1, column: 1, ...locateField(source, problem.path, { file }), field: problem.path.join('.') },
    suggestion: 'fix or remove this check: `run` refuses a brief whose checks cannot be used',
  }));
}

/**
 * Lints a brief given as Markdown text. A brief that does not parse is not an error here: each
 * problem comes back as an `invalid-brief` finding, located, for an editor.
 */
export async function lintSourceText(source: string, name: string, context: CheckContext): Promise<LintFinding[]> {
  const parsed = safeParseBrief(source, { file: name });
  if (parsed.ok) return byLine([...lintWithModels(source, parsed.brief, name), ...(await checkFindings(source, parsed.brief, name, context))]);
  return parsed.errors.map((problem) => ({
    code: 'invalid-brief',
    severity: 'error' as const,
    message: problem.message,
    location: problem.location,
    suggestion: 'fix this field so that the brief can be read',
  }));
}

export function byLine(findings: LintFinding[]): LintFinding[] {
  return findings.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
}
