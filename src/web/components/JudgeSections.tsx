import type { ReactElement } from 'react';
import type { Board } from '../types.js';

/**
 * The judge's parts of the board: at a pilot checkpoint, how each criterion scored on the pilot's
 * candidates and why; at any checkpoint with contenders, their pairwise rank beside the rubric's.
 * Model text (reasons) is rendered as text by React, never as HTML.
 */
export function JudgeSections({ board }: { board: Board }): ReactElement | null {
  const { pilot, pairwise } = board;
  if (!pilot && !pairwise) return null;
  return (
    <>
      {pilot && (
        <div className="pilot" aria-label="Pilot">
          <h3>Pilot: how each criterion scored on {pilot.candidates} candidates</h3>
          <p>Sharpen a criterion that every candidate meets, none does, or the judge could not score — redirect with the edited brief — or continue.</p>
          <ul>
            {pilot.criteria.map((c) => (
              <li key={c.criterion}>
                <strong>{c.criterion}</strong>
                {c.by === 'check' ? ' (checked by code)' : ''}:{' '}
                {c.mean === null ? 'not scored on any candidate' : `mean ${c.mean} (${c.min}–${c.max}), ${c.met} of ${pilot.candidates} at its bar ${c.bar}`}
                {c.unscored > 0 && `, not scored on ${c.unscored}`}
                <ul>
                  {c.scores.map((s) => (
                    <li key={s.candidateId}>
                      {s.candidateId}: {s.score ?? 'not scored'} — {s.reason}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      )}
      {pairwise && (
        <div className="pairwise" aria-label="Pairwise rank">
          <h3>Pairwise rank</h3>
          <p>{pairwise.note}</p>
          <ol>
            {pairwise.ranking.map((r) => (
              <li key={r.candidateId}>
                {r.candidateId}: won {r.wins} of {r.comparisons} · strength {r.strength.toFixed(2)} · rubric rank {r.rubricRank}
              </li>
            ))}
          </ol>
        </div>
      )}
    </>
  );
}
