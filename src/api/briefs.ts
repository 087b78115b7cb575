import { dirname, resolve } from 'node:path';
import { lintInWorker, parseInWorker } from '../brief/brief-worker.js';
import type { LintFinding } from '../brief/lint.js';
import { byLine, checkFindings, lintWithModels } from '../brief/lint-source.js';
import { readBriefFile } from '../brief/parse.js';
import type { Brief } from '../brief/schema.js';
import { BatonError, formatLocation } from '../errors.js';
import type { CheckContext } from '../explore/checks.js';
import type { BriefVersion, Store } from '../store/store.js';
import type { BatonCore } from './core.js';
import { checkModels } from './models.js';
import type { DecideOptions } from './options.js';

/**
 * Brief files and brief text for the `Baton` facade: reading, linting and saving them as brief
 * versions. Saving refuses, before anything is written, a model id that cannot resolve and any
 * check `run` could not use.
 */

/** Reads and validates a brief file (writing nothing). */
export async function readBrief(core: BatonCore, path: string): Promise<{ absolute: string; source: string; brief: Brief }> {
  const absolute = resolve(core.cwd(), path);
  const { source, brief } = await readBriefFile(absolute);
  return { absolute, source, brief };
}

/** Parses a brief given as text, in the brief worker within `briefLimits`. */
export async function parseSource(core: BatonCore, source: string, name = 'brief.md'): Promise<Brief> {
  return parseInWorker(source, name, core.briefLimits());
}

/** Reads and validates a brief file and stores it as a brief version. */
export async function saveBriefFile(core: BatonCore, path: string, parentId?: string, note?: string): Promise<BriefVersion> {
  const { absolute, source, brief } = await readBrief(core, path);
  return saveChecked(core, { source, brief, file: absolute, path: absolute, parentId, note });
}

/** Validates a brief given as Markdown text and stores it as a brief version. */
export async function saveBriefSource(core: BatonCore, source: string, options: { parentId?: string; note?: string; name?: string } = {}): Promise<BriefVersion> {
  const name = options.name ?? 'brief.md';
  const brief = await parseSource(core, source, name);
  return saveChecked(core, { source, brief, file: name, parentId: options.parentId, note: options.note });
}

/** Checks a parsed brief's models and checks (`file` locates problems; `path` is where it was read from), then saves it. */
async function saveChecked(
  core: BatonCore,
  input: { source: string; brief: Brief; file: string; path?: string; parentId: string | undefined; note: string | undefined },
): Promise<BriefVersion> {
  const { source, brief, file, path, parentId, note } = input;
  checkModels(brief, source, file);
  await refuseUnusableChecks(core, source, brief, file, path);
  const version: Parameters<Store['saveBrief']>[0] = { source, brief };
  if (path !== undefined) version.path = path;
  if (parentId !== undefined) version.parentId = parentId;
  if (note !== undefined) version.note = note;
  return core.store.saveBrief(version);
}

/** The edited brief of a `redirect` decision, as text or a file, saved as a child of `parentId`. */
export async function saveRedirectBrief(core: BatonCore, input: DecideOptions, parentId: string): Promise<BriefVersion> {
  if (input.briefSource !== undefined) {
    return saveBriefSource(core, input.briefSource, { parentId, ...(input.reason !== undefined ? { note: input.reason } : {}) });
  }
  if (!input.briefPath) throw new BatonError('invalid_input', 'redirect: give the edited brief (--brief FILE)', { location: { field: 'brief' } });
  return saveBriefFile(core, input.briefPath, parentId, input.reason);
}

/** Lints a brief file: the coach's findings, unresolvable model ids, and every check `run` would refuse. */
export async function lint(core: BatonCore, path: string): Promise<{ file: string; findings: LintFinding[] }> {
  const { absolute, source, brief } = await readBrief(core, path);
  const findings = [...lintWithModels(source, brief, path), ...(await checkFindings(source, brief, path, checkContext(core, absolute)))];
  return { file: path, findings: byLine(findings) };
}

/** Lints a brief given as Markdown text, in the brief worker: a brief that does not parse comes back as findings. */
export async function lintSource(core: BatonCore, source: string, name = 'brief.md'): Promise<LintFinding[]> {
  return lintInWorker(source, name, checkContext(core, undefined), core.briefLimits());
}

/** Where a brief's named files resolve, and whether its modules may run. */
function checkContext(core: BatonCore, briefPath: string | undefined): CheckContext {
  const briefDir = briefPath !== undefined ? dirname(briefPath) : resolve(core.cwd());
  return { briefDir, root: briefDir, allowModules: briefPath !== undefined || core.options.allowModules !== false };
}

/** Throws the located problems of `checkFindings`, if any: nothing has been written yet. */
export async function refuseUnusableChecks(core: BatonCore, source: string, brief: Brief, file: string, briefPath?: string): Promise<void> {
  const findings = await checkFindings(source, brief, file, checkContext(core, briefPath));
  const first = findings[0];
  if (!first) return;
  const details = findings.map((f) => `${formatLocation(f.location)}: ${f.location.field}: ${f.message}`);
  throw new BatonError('invalid_input', first.message, { location: first.location, details });
}
