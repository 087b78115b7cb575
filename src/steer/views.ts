import type { Lens } from '../brief/schema.js';
import type { ExplorationState } from '../explore/state.js';
import { pathTo } from '../explore/state.js';
import type { Candidate, Judgment } from '../explore/types.js';
import type { BriefVersion, ExplorationRecord } from '../store/store.js';
import type { LedgerEntry } from './ledger.js';
import { buildLedger } from './ledger.js';
import type { Board } from './types.js';

/** What `show` presents: an exploration's tree, board and ledger; one candidate in full. Pure. */

export interface CandidateView {
  candidate: Omit<Candidate, 'embedding'>;
  judgment: Judgment | null;
  lens: Lens | null;
  exhausted: string | null;
  pruned: boolean;
  children: string[];
  lineage: string[];
  /** The earlier candidate with exactly this text, when this one is a copy. */
  duplicateOf: string | null;
}

export interface TreeEntry {
  id: string;
  parentIds: string[];
  kind: string;
  lensId: string;
  depth: number;
  quality: number | null;
  novelty: number | null;
  exhausted: string | null;
  pruned: boolean;
  /** The earlier candidate with exactly this text, when this one is a copy (novelty 0, judged once). */
  duplicateOf?: string | null;
}

export interface ExplorationView {
  record: ExplorationRecord;
  brief: BriefVersion;
  label: string;
  board: Board;
  candidates: TreeEntry[];
  ledger: LedgerEntry[];
  /** Why the exploration ended, when it has. */
  endReason: string | null;
  /** The seq of the last event folded into this view: a live feed resumes after it. */
  lastSeq: number;
}

export function explorationView(
  state: ExplorationState,
  context: { record: ExplorationRecord; brief: BriefVersion; label: string; board: Board },
): ExplorationView {
  const candidates: TreeEntry[] = [];
  for (const id of state.order) {
    const node = state.nodes.get(id);
    if (!node) continue;
    candidates.push({
      id,
      parentIds: node.candidate.parentIds,
      kind: node.candidate.kind,
      lensId: node.candidate.lensId,
      depth: node.candidate.depth,
      quality: node.judgment?.quality ?? null,
      novelty: node.judgment?.novelty ?? null,
      exhausted: node.exhausted,
      pruned: node.pruned,
      duplicateOf: node.duplicateOf ?? null,
    });
  }
  return { ...context, candidates, ledger: buildLedger(state), endReason: state.endReason, lastSeq: state.lastSeq };
}

/** The candidate `id` (which must exist) with its judgment, lens and lineage. */
export function candidateView(state: ExplorationState, id: string): CandidateView {
  const node = state.nodes.get(id);
  if (!node) throw new Error(`candidate ${id} missing from state`);
  const { embedding: _embedding, ...candidate } = node.candidate;
  return {
    candidate,
    judgment: node.judgment ?? null,
    lens: state.lenses.find((l) => l.id === node.candidate.lensId) ?? null,
    exhausted: node.exhausted,
    pruned: node.pruned,
    children: node.children,
    lineage: pathTo(state, id).map((n) => n.candidate.id),
    duplicateOf: node.duplicateOf ?? null,
  };
}
