import type { Brief } from '../brief/schema.js';
import type { ModelTask } from '../models/port.js';
import { weakestCriteria } from './judge.js';
import { openingOf } from './prompts.js';
import type { CandidateNode, ExplorationState } from './state.js';
import { lensById } from './state.js';
import type { PlannedMove } from './types.js';

/** Earlier takes shown to a new one, at most. */
const SIBLINGS_SHOWN = 4;

/**
 * What a move asks its writer: an opening through its lens (shown the lens's earlier openings it
 * must differ from), a deepening of its parent with the critique and a focus, or a combination.
 */
export function writerTask(state: ExplorationState, move: PlannedMove, brief: Brief): ModelTask {
  const withFeedback = <T extends object>(task: T): T => (move.feedback !== undefined ? { ...task, feedback: move.feedback } : task);
  const asMaterial = (id: string) => {
    const node = state.nodes.get(id) as CandidateNode;
    const lens = lensById(state, node.candidate.lensId) ?? move.lens;
    return { id, text: node.candidate.text, lens, depth: node.candidate.depth };
  };
  switch (move.kind) {
    case 'open': {
      // The lens's openings from the index, not a scan of the whole exploration per opening.
      const siblings = openingsOf(state, move, state.indexes.opensByLens.get(move.lens.id) ?? []);
      return siblings.length > 0 ? { kind: 'open', brief, lens: move.lens, siblings } : { kind: 'open', brief, lens: move.lens };
    }
    case 'deepen': {
      const parentId = move.parentIds[0] as string;
      const parent = state.nodes.get(parentId);
      const scores = parent?.judgment?.scores ?? [];
      const siblings = openingsOf(state, move, parent?.children.filter((id) => state.nodes.get(id)?.candidate.kind === 'deepen') ?? []);
      return withFeedback({
        kind: 'deepen' as const,
        brief,
        lens: move.lens,
        parent: asMaterial(parentId),
        critique: parent?.judgment?.critique ?? '',
        focus: move.focus ?? weakestCriteria(brief, scores),
        ...(siblings.length > 0 ? { siblings } : {}),
      });
    }
    case 'combine':
      return withFeedback({
        kind: 'combine' as const,
        brief,
        lens: move.lens,
        parents: [asMaterial(move.parentIds[0] as string), asMaterial(move.parentIds[1] as string)] as [
          ReturnType<typeof asMaterial>,
          ReturnType<typeof asMaterial>,
        ],
      });
  }
}

/** The openings of the latest few earlier takes a new one must differ from (distinct texts only). */
function openingsOf(state: ExplorationState, move: PlannedMove, ids: readonly string[]): string[] {
  const seen = move.seen ?? Number.POSITIVE_INFINITY;
  const nodes = ids.map((id) => state.nodes.get(id) as CandidateNode).filter((node) => node.index < seen);
  const openings = nodes.map((node) => openingOf(node.candidate.text));
  return [...new Set(openings)].slice(-SIBLINGS_SHOWN);
}
