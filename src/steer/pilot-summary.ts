import type { Criterion } from '../brief/schema.js';
import type { ExplorationState } from '../explore/state.js';
import type { PilotSummary } from './types.js';

/**
 * What the pilot checkpoint shows: for each criterion, how the pilot's candidates scored on it and
 * the judge's reason for each score. A criterion every candidate meets, or none does, or that the
 * judge could not score, is a criterion to sharpen before the budget is spent. Pure.
 */
export function pilotSummary(state: ExplorationState, candidateIds: readonly string[], criteria: readonly Criterion[]): PilotSummary {
  const judged = candidateIds.flatMap((id) => {
    const judgment = state.nodes.get(id)?.judgment;
    return judgment ? [{ id, judgment }] : [];
  });
  return {
    candidates: judged.length,
    criteria: criteria.map((criterion) => {
      const scores = judged.map(({ id, judgment }) => {
        const found = judgment.scores.find((s) => s.criterion === criterion.id);
        return { candidateId: id, score: found?.score ?? null, reason: found?.reason ?? 'not judged against this criterion' };
      });
      const values = scores.flatMap((s) => (s.score === null ? [] : [s.score]));
      const mean = values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
      return {
        criterion: criterion.id,
        ...(criterion.text !== undefined ? { text: criterion.text } : {}),
        by: criterion.check ? ('check' as const) : ('judge' as const),
        mean,
        min: values.length === 0 ? null : Math.min(...values),
        max: values.length === 0 ? null : Math.max(...values),
        unscored: scores.length - values.length,
        bar: criterion.min,
        met: values.filter((v) => v >= criterion.min).length,
        scores,
      };
    }),
  };
}
