import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseBrief, readBriefFile } from '../brief/parse.js';
import type { Framing } from '../brief/reframe.js';
import { applyFraming, FramingsSchema, reframeLenses } from '../brief/reframe.js';
import { BatonError } from '../errors.js';
import { recordedCall } from '../explore/calls.js';
import { parseJsonAnswer } from '../explore/judge.js';
import { resolveModel } from '../models/registry.js';
import type { BriefVersion } from '../store/store.js';
import { writeFileAtomic } from '../util/files.js';
import { saveBriefFile } from './briefs.js';
import type { BatonCore } from './core.js';
import type { ReframeResult } from './options.js';

/**
 * Reframing a brief's question for the `Baton` facade. The framings shown are kept as a note
 * keyed by the brief's content, so that adopting one adopts exactly what was shown.
 */

const StoredFramingsSchema = z.object({ briefId: z.string(), framings: FramingsSchema.shape.framings });

/** Asks the model for alternative framings of a brief's question, through lenses; see `Baton.reframe`. */
export async function reframe(core: BatonCore, briefPath: string, options: { count?: number; seed?: number; model?: string } = {}): Promise<ReframeResult> {
  const version = await saveBriefFile(core, briefPath);
  const brief = version.brief;
  const count = Math.max(1, options.count ?? 3);
  const seed = options.seed ?? 1;
  const port = resolveModel(options.model ?? brief.model, { seed, env: core.env(), ...(core.options.latencyMs !== undefined ? { latencyMs: core.options.latencyMs } : {}) });
  const lenses = reframeLenses(brief, count);
  const key = `reframe:${contentHash(version.source)}:${port.info.id}:${seed}:${count}`;
  const task = { kind: 'reframe' as const, brief, lenses, count };
  const text = await recordedCall({ store: core.store, key, explorationId: null, purpose: 'reframe', port, task, seed });
  const parsed = parseJsonAnswer(text, FramingsSchema);
  if (!parsed.ok) throw new BatonError('provider_failure', `${port.info.id} gave no usable framings: ${parsed.error}`);
  const framings = parsed.value.framings.slice(0, count);
  await core.store.putNote(`framings:${contentHash(version.source)}`, { briefId: version.id, framings });
  return { briefId: version.id, label: port.info.label, framings };
}

/** Adopts framing `index` (1-based) from the last `reframe` of this brief; see `Baton.adoptFraming`. */
export async function adoptFraming(core: BatonCore, briefPath: string, index: number, outputPath?: string): Promise<{ version: BriefVersion; path: string; framing: Framing }> {
  const absolute = resolve(core.cwd(), briefPath);
  const { source } = await readBriefFile(absolute);
  const note = await core.store.getNote(`framings:${contentHash(source)}`);
  const shown = StoredFramingsSchema.safeParse(note);
  if (!shown.success) {
    throw new BatonError('invalid_input', `${briefPath}: no framings were shown for this version of the brief; run \`baton reframe ${briefPath}\` first`, { location: { file: briefPath } });
  }
  const framing = shown.data.framings[index - 1];
  if (!framing) {
    throw new BatonError('invalid_input', `--adopt ${index}: choose a framing from 1 to ${shown.data.framings.length}`, { location: { field: 'adopt' } });
  }
  const rewritten = applyFraming(source, framing.question);
  const target = resolve(core.cwd(), outputPath ?? briefPath);
  // Validate before writing: an adopted framing must still be a valid brief.
  const parsed = parseBrief(rewritten, { file: target });
  await writeFileAtomic(target, rewritten);
  const version = await core.store.saveBrief({
    source: rewritten,
    brief: parsed,
    path: target,
    parentId: shown.data.briefId,
    note: `reframed through ${framing.lens}: ${framing.why}`,
  });
  return { version, path: target, framing };
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
