import type { ExportDocument } from '../steer/export.js';
import { buildExport, renderExportMarkdown } from '../steer/export.js';
import { resolveCandidateId } from '../steer/decisions.js';
import type { RunOutcome } from '../steer/steering.js';
import { currentBoard, modelLabel, outcome, spendOf } from '../steer/steering.js';
import type { CandidateView, ExplorationView } from '../steer/views.js';
import { candidateView, explorationView } from '../steer/views.js';
import type { ExplorationRecord } from '../store/store.js';
import { briefHistoryOf } from './admin.js';
import type { BatonCore } from './core.js';

/**
 * Views and exports of an exploration for the `Baton` facade. Each reads the exploration's log
 * through a reading engine (`mode: 'read'`): no model is called, so no key is needed.
 */

/** The board: the open checkpoint's, or the current one between checkpoints. */
export async function board(core: BatonCore, idOrPrefix: string): Promise<RunOutcome> {
  return outcome(await core.engine(idOrPrefix, undefined, 'read'));
}

export async function show(core: BatonCore, idOrPrefix: string): Promise<ExplorationView> {
  const engine = await core.engine(idOrPrefix, undefined, 'read');
  const record = (await core.store.getExploration(engine.state.id)) as ExplorationRecord;
  const current = engine.state.openCheckpoint?.board ?? (await currentBoard(engine, null, []));
  return explorationView(engine.state, { record, brief: engine.brief, label: modelLabel(engine), board: current });
}

export async function candidate(core: BatonCore, idOrPrefix: string, ref: string): Promise<CandidateView> {
  const engine = await core.engine(idOrPrefix, undefined, 'read');
  return candidateView(engine.state, resolveCandidateId(engine.state, ref));
}

export async function exportDocument(core: BatonCore, idOrPrefix: string): Promise<ExportDocument> {
  const engine = await core.engine(idOrPrefix, undefined, 'read');
  const record = (await core.store.getExploration(engine.state.id)) as ExplorationRecord;
  return buildExport({
    state: engine.state,
    brief: engine.brief.brief,
    briefVersion: engine.brief.version,
    spend: await spendOf(engine),
    label: modelLabel(engine),
    title: record.title,
    history: await briefHistoryOf(core.store, record),
  });
}

/** The export as a file's text: JSON, or Markdown. */
export async function exportText(core: BatonCore, idOrPrefix: string, format: 'md' | 'json'): Promise<string> {
  const doc = await exportDocument(core, idOrPrefix);
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : renderExportMarkdown(doc);
}
