import type { ReactElement } from 'react';
import { formatTime } from '../format.js';
import type { ExplorationDetail } from '../types.js';

/** The ledger: every checkpoint, why it was raised, and the decision taken there with its reason. */
export function LedgerView({ detail, onFork }: { detail: ExplorationDetail; onFork: (checkpointId: string) => void }): ReactElement {
  const base = `/api/explorations/${encodeURIComponent(detail.record.id)}/export`;
  return (
    <section className="ledger" aria-label="Ledger">
      <div className="row">
        <a className="button" href={`${base}?format=md`} download={`${detail.record.id}.md`}>
          Export Markdown
        </a>
        <a className="button" href={`${base}?format=json`} download={`${detail.record.id}.json`}>
          Export JSON
        </a>
      </div>
      {detail.ledger.length === 0 ? (
        <p className="muted">No checkpoints or decisions yet.</p>
      ) : (
        <table className="ledger-table">
          <thead>
            <tr>
              <th scope="col">raised</th>
              <th scope="col">why Baton stopped</th>
              <th scope="col">decision</th>
              <th scope="col">reason</th>
            </tr>
          </thead>
          <tbody>
            {detail.ledger.map((entry, index) => (
              <tr key={entry.checkpointId ?? entry.decision?.id ?? index}>
                <td>{formatTime(entry.raisedAt ?? entry.decision?.at)}</td>
                <td>
                  {entry.reasons.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <ul>
                      {entry.reasons.map((reason) => (
                        <li key={reason.key}>
                          <span className={`trigger trigger-${reason.kind}`}>{reason.kind}</span> {reason.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {entry.reopening ? (
                    <>
                      <strong>reopened</strong> (had ended {entry.reopening.from}
                      {entry.reopening.budget.calls !== undefined && `; +${entry.reopening.budget.calls} calls`}
                      {entry.reopening.budget.usd !== undefined && `; +$${entry.reopening.budget.usd}`})
                    </>
                  ) : entry.decision ? (
                    <>
                      <strong>{entry.decision.action}</strong> {entry.decision.candidateIds.join(' + ')}
                      {entry.decision.lens && <div>lens: {entry.decision.lens}</div>}
                      {entry.decision.feedback && <div>feedback: {entry.decision.feedback}</div>}
                      <div className="muted">by {entry.decision.by ?? 'the owner'}</div>
                      {entry.decision.briefId && <div>brief: {entry.decision.briefId}</div>}
                    </>
                  ) : (
                    <span className="muted">awaiting your decision</span>
                  )}
                  {entry.kind === 'checkpoint' && entry.checkpointId !== null && (
                    <div>
                      <button type="button" className="fork-here" onClick={() => onFork(entry.checkpointId ?? '')} aria-label={`Fork from here: the checkpoint of ${formatTime(entry.raisedAt)}`}>
                        Fork from here
                      </button>
                    </div>
                  )}
                </td>
                {entry.decision || entry.reopening ? (
                  <td data-label="reason">{entry.decision ? (entry.decision.reason ?? <span className="muted">no reason given</span>) : (entry.reopening?.reason ?? <span className="muted">no reason given</span>)}</td>
                ) : (
                  <td />
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
