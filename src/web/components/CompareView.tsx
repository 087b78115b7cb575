import { useEffect, useId, useMemo, useState } from 'react';
import type { ReactElement } from 'react';
import { getJson, messageOf } from '../api.js';
import { formatQuality } from '../format.js';
import type { CandidateDetail, TreeEntry } from '../types.js';
import { DiffSide, useWordDiff } from './TextDiff.js';

interface CompareViewProps {
  explorationId: string;
  entries: readonly TreeEntry[];
  leftId: string | null;
  rightId: string | null;
  onChange: (leftId: string | null, rightId: string | null) => void;
}

/** Two candidates side by side: texts with their differences marked, scores row by row. */
export function CompareView({ explorationId, entries, leftId, rightId, onChange }: CompareViewProps): ReactElement {
  const id = useId();
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const left = useCandidate(explorationId, leftId);
  const right = useCandidate(explorationId, rightId);
  const options = useMemo(() => [...entries].sort((a, b) => (b.quality ?? -1) - (a.quality ?? -1)), [entries]);

  const picker = (side: 'left' | 'right', value: string | null): ReactElement => (
    <div className="picker">
      <label htmlFor={`${id}-${side}`}>{side === 'left' ? 'Candidate A' : 'Candidate B'}</label>
      <select id={`${id}-${side}`} value={value ?? ''} onChange={(e) => (side === 'left' ? onChange(e.target.value || null, rightId) : onChange(leftId, e.target.value || null))}>
        <option value="">choose…</option>
        {options.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.id} · {entry.lensId} · quality {formatQuality(entry.quality)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section className="compare" aria-label="Compare">
      <div className="row">
        {picker('left', leftId)}
        {picker('right', rightId)}
        <label className="check">
          <input type="checkbox" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} /> only differences
        </label>
      </div>
      {(left.error ?? right.error) && <p className="error" role="alert">{left.error ?? right.error}</p>}
      {left.view && right.view ? <Comparison left={left.view} right={right.view} onlyDifferences={onlyDifferences} /> : <p className="muted">Choose two candidates to compare.</p>}
    </section>
  );
}

function Comparison({ left, right, onlyDifferences }: { left: CandidateDetail; right: CandidateDetail; onlyDifferences: boolean }): ReactElement {
  const changes = useWordDiff(left.candidate.text, right.candidate.text);
  const criteria = [...new Set([...(left.judgment?.scores ?? []), ...(right.judgment?.scores ?? [])].map((s) => s.criterion))];
  const scoreOf = (view: CandidateDetail, criterion: string): number | null | undefined => view.judgment?.scores.find((s) => s.criterion === criterion)?.score;
  const rows = criteria
    .map((criterion) => ({ criterion, a: scoreOf(left, criterion), b: scoreOf(right, criterion) }))
    .filter((row) => !onlyDifferences || row.a !== row.b);
  const same = changes.every((change) => !change.added && !change.removed);

  return (
    <>
      <table className="scores-table compare-scores" aria-label="Scores compared">
        <thead>
          <tr>
            <th scope="col">criterion</th>
            <th scope="col">{left.candidate.id}</th>
            <th scope="col">{right.candidate.id}</th>
          </tr>
        </thead>
        <tbody>
          {(!onlyDifferences || left.judgment?.quality !== right.judgment?.quality) && (
            <tr>
              <th scope="row">quality</th>
              <td>{formatQuality(left.judgment?.quality)}</td>
              <td>{formatQuality(right.judgment?.quality)}</td>
            </tr>
          )}
          {(!onlyDifferences || left.candidate.lensId !== right.candidate.lensId) && (
            <tr>
              <th scope="row">lens</th>
              <td>{left.candidate.lensId}</td>
              <td>{right.candidate.lensId}</td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={row.criterion} className={row.a !== row.b ? 'differs' : undefined}>
              <th scope="row">{row.criterion}</th>
              <td>{row.a === null ? 'not scored' : (row.a ?? '—')}</td>
              <td>{row.b === null ? 'not scored' : (row.b ?? '—')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {same && <p className="muted">The two texts are the same.</p>}
      <div className="side-by-side">
        <section aria-label={`Text of ${left.candidate.id}`}>
          <h3>{left.candidate.id}</h3>
          <DiffSide changes={changes} side="left" onlyDifferences={onlyDifferences} />
        </section>
        <section aria-label={`Text of ${right.candidate.id}`}>
          <h3>{right.candidate.id}</h3>
          <DiffSide changes={changes} side="right" onlyDifferences={onlyDifferences} />
        </section>
      </div>
    </>
  );
}

function useCandidate(explorationId: string, candidateId: string | null): { view: CandidateDetail | null; error: string | null } {
  const [state, setState] = useState<{ view: CandidateDetail | null; error: string | null }>({ view: null, error: null });
  useEffect(() => {
    setState({ view: null, error: null });
    if (candidateId === null) return;
    let live = true;
    getJson<CandidateDetail>(`/api/explorations/${encodeURIComponent(explorationId)}/candidates/${encodeURIComponent(candidateId)}`)
      .then((view) => live && setState({ view, error: null }))
      .catch((failure: unknown) => live && setState({ view: null, error: messageOf(failure) }));
    return () => {
      live = false;
    };
  }, [explorationId, candidateId]);
  return state;
}
