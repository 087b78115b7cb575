import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import { getJson, messageOf } from '../api.js';
import { formatQuality, formatScore, formatTime, formatUsd, plural } from '../format.js';
import { lensColour } from '../lenses.js';
import type { CandidateDetail as Detail } from '../types.js';
import { ModelText } from './ModelText.js';
import { InlineDiff } from './TextDiff.js';

/** One candidate in full: text, scores with reasons, novelty, cost, lineage, diff against its parent. */
export function CandidateDetail({ explorationId, candidateId, onOpen, onCompare }: { explorationId: string; candidateId: string; onOpen: (id: string) => void; onCompare: (id: string) => void }): ReactElement {
  const [view, setView] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asMarkdown, setAsMarkdown] = useState(true);

  useEffect(() => {
    let live = true;
    setView(null);
    setError(null);
    getJson<Detail>(`/api/explorations/${encodeURIComponent(explorationId)}/candidates/${encodeURIComponent(candidateId)}`)
      .then((next) => live && setView(next))
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [explorationId, candidateId]);

  if (error) return <p className="error" role="alert">{error}</p>;
  if (!view) return <p className="muted">Loading {candidateId}…</p>;
  const { candidate, judgment } = view;

  return (
    <article className="candidate" aria-label={`Candidate ${candidate.id}`}>
      <header className="candidate-head">
        <h2>{candidate.id}</h2>
        <p className="meta">
          <span className="swatch" style={{ background: lensColour(candidate.lensId) }} aria-hidden="true" /> {view.lens?.name ?? candidate.lensId} · {candidate.kind}, depth {candidate.depth} · written by {candidate.model} · {formatTime(candidate.createdAt)}
          {view.exhausted && ` · exhausted: ${view.exhausted}`}
          {view.pruned && ' · pruned'}
        </p>
        <div className="row">
          <button type="button" onClick={() => onCompare(candidate.id)}>
            Compare with…
          </button>
          <label className="check">
            <input type="checkbox" checked={asMarkdown} onChange={(e) => setAsMarkdown(e.target.checked)} /> show as Markdown
          </label>
        </div>
      </header>
      <div className="candidate-body">
        <section aria-label="Text">
          <h3>Text</h3>
          <ModelText text={candidate.text} plain={!asMarkdown} />
        </section>
        <section aria-label="Judgment">
          <h3>Judgment</h3>
          {judgment ? (
            <>
              <p>
                quality <strong>{formatQuality(judgment.quality)}</strong> · novelty {formatScore(judgment.novelty)}
                {judgment.parentSimilarity !== null && ` · similarity to parent ${formatScore(judgment.parentSimilarity)}`} · judged by {judgment.judge}
              </p>
              <table className="scores-table">
                <thead>
                  <tr>
                    <th scope="col">criterion</th>
                    <th scope="col">score</th>
                    <th scope="col">by</th>
                    <th scope="col">reason</th>
                  </tr>
                </thead>
                <tbody>
                  {judgment.scores.map((score) => (
                    <tr key={score.criterion}>
                      <th scope="row">{score.criterion}</th>
                      <td>{score.score ?? 'not scored'}</td>
                      <td>{score.by}</td>
                      <td>{score.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {judgment.failed.map((failed) => (
                <p key={failed.constraint} className="failed">
                  ✗ {failed.constraint}: {failed.reason}
                </p>
              ))}
              {judgment.flags.map((flag) => (
                <p key={flag.kind + flag.reason} className="flag">
                  ⚑ {flag.kind}: {flag.reason}
                </p>
              ))}
              {judgment.critique && (
                <>
                  <h4>Critique</h4>
                  <p className="model-text plain">{judgment.critique}</p>
                </>
              )}
            </>
          ) : (
            <p className="muted">Not judged yet.</p>
          )}
          <h4>Cost</h4>
          <p>
            {plural(view.cost.calls, 'call')} (writing and judging it) · {view.cost.tokens.toLocaleString()} tokens · {formatUsd(view.cost.usd)}
          </p>
          <h4>Lineage</h4>
          <nav aria-label="Lineage">
            <ol className="lineage">
              {view.lineage.map((id) => (
                <li key={id}>
                  {id === candidate.id ? (
                    <strong>{id}</strong>
                  ) : (
                    <button type="button" className="link" onClick={() => onOpen(id)}>
                      {id}
                    </button>
                  )}
                </li>
              ))}
            </ol>
          </nav>
          {candidate.parentIds.length > 1 && <p>Combined from {candidate.parentIds.join(' and ')}.</p>}
          {view.children.length > 0 && (
            <p>
              Children:{' '}
              {view.children.map((id, index) => (
                <span key={id}>
                  {index > 0 && ', '}
                  <button type="button" className="link" onClick={() => onOpen(id)}>
                    {id}
                  </button>
                </span>
              ))}
            </p>
          )}
        </section>
      </div>
      <section aria-label="Difference from its parent">
        <h3>Against its parent{candidate.parentIds[0] ? ` ${candidate.parentIds[0]}` : ''}</h3>
        {view.parentText === null ? <p className="muted">An opening: it has no parent.</p> : <InlineDiff before={view.parentText} after={candidate.text} />}
      </section>
    </article>
  );
}
