import type { DecisionAction } from '../types.js';

/**
 * What a decision says about taste: at a checkpoint the person saw the board's cards and chose
 * some of them (or rejected some), so each chosen card was preferred over each card left alone.
 * Decisions that choose nothing among the cards — continue, a new lens, a redirect — say nothing
 * about the candidates and give no preference.
 */

export interface Preference {
  preferred: string;
  other: string;
}

/**
 * The pairwise preferences a decision reveals, given the candidate ids shown on the board.
 *
 * Chosen ids count even when they were not on the board (the person named them from the tree,
 * so they saw them); the other side of each pair is only what was shown and not chosen. Ids are
 * de-duplicated; pairs come in decision order, then board order, so replays agree.
 *
 * @example
 * preferencesFrom({ action: 'accept', candidateIds: ['b'] }, ['a', 'b', 'c']);
 * // [{ preferred: 'b', other: 'a' }, { preferred: 'b', other: 'c' }]
 * preferencesFrom({ action: 'prune', candidateIds: ['c'] }, ['a', 'b', 'c']);
 * // [{ preferred: 'a', other: 'c' }, { preferred: 'b', other: 'c' }]
 */
export function preferencesFrom(
  decision: { action: DecisionAction; candidateIds: readonly string[] },
  shownCandidateIds: readonly string[],
): Preference[] {
  const named = unique(decision.candidateIds);
  const unnamed = unique(shownCandidateIds).filter((id) => !named.includes(id));
  switch (decision.action) {
    case 'accept':
    case 'deepen':
    case 'combine':
      return pairs(named, unnamed);
    case 'prune':
      return named.flatMap((pruned) => unnamed.map((kept) => ({ preferred: kept, other: pruned })));
    case 'lens':
    case 'redirect':
    case 'continue':
      return [];
  }
}

function pairs(preferred: readonly string[], others: readonly string[]): Preference[] {
  return preferred.flatMap((p) => others.map((other) => ({ preferred: p, other })));
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
