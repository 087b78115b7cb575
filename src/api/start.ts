import { randomInt } from 'node:crypto';
import { chooseLenses } from '../brief/lenses.js';
import type { Brief, Lens } from '../brief/schema.js';
import { juryOf } from '../brief/schema.js';
import type { SourceLocation } from '../errors.js';
import { LOCAL_EMBEDDING, resolveEmbedding } from '../models/registry.js';
import { newExplorationId } from './admin.js';
import { parseSource, readBrief, refuseUnusableChecks } from './briefs.js';
import type { BatonCore } from './core.js';
import { checkModel, fieldLocation, juryText } from './models.js';
import type { StartOptions } from './options.js';

/**
 * Starting an exploration for the `Baton` facade: everything the brief and the options name is
 * checked (models, keys, files, checks) before the brief version and the exploration are written.
 */

/** Starts an exploration of a brief file; returns its id. */
export async function start(core: BatonCore, briefPath: string, options: StartOptions = {}): Promise<string> {
  const { absolute, source, brief } = await readBrief(core, briefPath);
  return startBrief(core, { source, brief, file: absolute, path: absolute }, options);
}

/** Starts an exploration of a brief given as Markdown text; `name` locates its problems. */
export async function startFromSource(core: BatonCore, source: string, options: StartOptions & { name?: string } = {}): Promise<string> {
  const name = options.name ?? 'brief.md';
  return startBrief(core, { source, brief: await parseSource(core, source, name), file: name }, options);
}

async function startBrief(core: BatonCore, input: { source: string; brief: Brief; file: string; path?: string }, options: StartOptions): Promise<string> {
  const { source, brief, file } = input;
  const model = options.model ?? brief.model;
  const judgeOption = options.judge === undefined ? undefined : juryText(options.judge);
  const judge = judgeOption ?? options.model ?? brief.judge;
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  // Fail on an unknown model, or a missing key, now, before anything is written.
  const env = core.env();
  const custom = core.options.models ?? {};
  // Ports given by the caller have nothing to resolve or check.
  const check = (id: string, location: SourceLocation | (() => SourceLocation)): void => {
    if (!Object.hasOwn(custom, id)) checkModel(id, location, env);
  };
  if (options.model === undefined) check(brief.model, fieldLocation(source, file, 'model'));
  if (judgeOption === undefined && options.model === undefined) {
    for (const juror of juryOf(brief.judge)) check(juror, fieldLocation(source, file, 'judge'));
  }
  if (options.model !== undefined) check(options.model, { field: '--model' });
  if (judgeOption !== undefined) for (const juror of juryOf(judgeOption)) check(juror, { field: '--judge' });
  const embed = options.embed !== undefined && options.embed !== LOCAL_EMBEDDING ? options.embed : undefined;
  if (embed !== undefined) resolveEmbedding(embed, { seed: 1, env });
  // Every file and check the brief names, before the database or the exploration exists.
  await refuseUnusableChecks(core, source, brief, file, input.path);
  const version = await core.store.saveBrief({ source, brief, ...(input.path !== undefined ? { path: input.path } : {}) });
  const id = newExplorationId();
  await core.store.createExploration({
    id,
    briefId: version.id,
    seed,
    model,
    judge,
    title: titleOf(brief),
    created: { type: 'exploration.created', briefId: version.id, seed, lenses: lensesFor(brief), model, judge, ...(embed !== undefined ? { embed } : {}) },
  });
  return id;
}

/** The brief's lenses, or Baton's choice for `auto`, plus any lenses already in play. */
export function lensesFor(brief: Brief, current: readonly Lens[] = []): Lens[] {
  const chosen = brief.lenses === 'auto' ? chooseLenses(brief) : brief.lenses;
  const merged = [...current];
  for (const lens of chosen) if (!merged.some((l) => l.id === lens.id)) merged.push(lens);
  return merged;
}

function titleOf(brief: Brief): string {
  const question = brief.question.replace(/\s+/gu, ' ').trim();
  return question.length > 80 ? `${question.slice(0, 77)}…` : question;
}
