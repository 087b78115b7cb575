import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { getJson, messageOf, postJson } from '../api.js';
import { BUILT_IN_LENS_CHOICES } from '../lenses.js';
import type { BriefResponse, DecisionAction, DecisionResponse, ExplorationDetail } from '../types.js';
import { BriefField } from './BriefField.js';

export interface PendingDecision {
  action: DecisionAction;
  candidateIds: string[];
}

const TITLES: Record<DecisionAction, string> = {
  deepen: 'Deepen',
  prune: 'Prune',
  combine: 'Combine',
  accept: 'Accept',
  lens: 'Try a lens',
  redirect: 'Redirect: edit the brief',
  continue: 'Continue',
};

const CUSTOM_LENS = '\u0000custom';

/**
 * The form for one decision: what it needs (feedback, a lens, the edited brief) and a reason.
 * It posts once; the server answers when the decision is durable and explores on by itself.
 */
export function DecisionPanel({
  detail,
  pending,
  held = false,
  onCancel,
  onDecided,
}: {
  detail: ExplorationDetail;
  pending: PendingDecision;
  /** Baton is exploring: the form keeps what was typed, and records once Baton stops. */
  held?: boolean;
  onCancel: () => void;
  onDecided: () => void;
}): ReactElement {
  const id = useId();
  const [reason, setReason] = useState('');
  const [feedback, setFeedback] = useState('');
  const [lensChoice, setLensChoice] = useState(BUILT_IN_LENS_CHOICES[0]?.id ?? CUSTOM_LENS);
  const [customLens, setCustomLens] = useState('');
  const [briefText, setBriefText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  /** Set once the person was asked for a reason and chose to go on without one. */
  const [noReasonAsked, setNoReasonAsked] = useState(false);
  /** Accept ends the exploration: it is confirmed in a second step. */
  const [confirmingAccept, setConfirmingAccept] = useState(false);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const explorationId = detail.record.id;
  const form = useRef<HTMLFormElement>(null);

  // The form opens above the cards: bring it into view and put the cursor in its first field.
  useEffect(() => {
    form.current?.scrollIntoView({ block: 'nearest' });
    form.current?.querySelector<HTMLElement>('textarea, select, input')?.focus({ preventScroll: true });
  }, []);

  useEffect(() => {
    if (pending.action !== 'redirect') return;
    let live = true;
    getJson<BriefResponse>(`/api/explorations/${encodeURIComponent(explorationId)}/brief`)
      .then((brief) => live && setBriefText(brief.source))
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [pending.action, explorationId]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (held) return;
    const body: Record<string, unknown> = { action: pending.action };
    if (pending.candidateIds.length > 0) body.candidateIds = pending.candidateIds;
    if (reason.trim()) body.reason = reason.trim();
    if (pending.action === 'deepen' && feedback.trim()) body.feedback = feedback.trim();
    if (pending.action === 'lens') {
      const lens = lensChoice === CUSTOM_LENS ? customLens.trim() : lensChoice;
      if (!lens) return setError('Say which lens to try: choose one, or write your own.');
      body.lens = lens;
    }
    if (pending.action === 'redirect') {
      if (!briefText?.trim()) return setError('The brief is empty.');
      body.briefText = briefText;
    }
    // A reason is asked for every decision; an empty one only after saying so.
    if (!reason.trim() && !noReasonAsked) {
      setNoReasonAsked(true);
      setError(null);
      reasonField.current?.focus();
      return;
    }
    if (pending.action === 'accept' && !confirmingAccept) {
      setConfirmingAccept(true);
      return;
    }
    setSending(true);
    setError(null);
    try {
      await postJson<DecisionResponse>(`/api/explorations/${encodeURIComponent(explorationId)}/decisions`, body);
      onDecided();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setSending(false);
    }
  };

  const lensesInPlay = detail.board.lenses.map((lens) => lens.lensId);
  return (
    <form ref={form} className="decision-panel" aria-label={`Decision: ${TITLES[pending.action]}`} onSubmit={(event) => void submit(event)}>
      <h2>
        {TITLES[pending.action]}
        {pending.candidateIds.length > 0 && ` ${pending.candidateIds.join(' + ')}`}
      </h2>
      {pending.action === 'deepen' && (
        <>
          <label htmlFor={`${id}-feedback`}>Feedback for the next version</label>
          <textarea id={`${id}-feedback`} rows={3} value={feedback} onChange={(e) => setFeedback(e.target.value)} placeholder="What should the next version do differently?" />
        </>
      )}
      {pending.action === 'lens' && (
        <>
          <label htmlFor={`${id}-lens`}>Lens</label>
          <select id={`${id}-lens`} value={lensChoice} onChange={(e) => setLensChoice(e.target.value)}>
            {BUILT_IN_LENS_CHOICES.map((lens) => (
              <option key={lens.id} value={lens.id}>
                {lens.name} ({lens.id}){lensesInPlay.includes(lens.id) ? ' — in play' : ''}
              </option>
            ))}
            <option value={CUSTOM_LENS}>A lens of my own…</option>
          </select>
          {lensChoice === CUSTOM_LENS && (
            <>
              <label htmlFor={`${id}-custom-lens`}>Your lens, as a sentence</label>
              <input id={`${id}-custom-lens`} value={customLens} onChange={(e) => setCustomLens(e.target.value)} placeholder="Tell it as the lighthouse itself would" />
            </>
          )}
        </>
      )}
      {pending.action === 'redirect' && (briefText === null ? <p className="muted">Loading the brief…</p> : <BriefField value={briefText} onChange={setBriefText} label="The brief (edited)" />)}
      <label htmlFor={`${id}-reason`}>Reason (goes in the ledger)</label>
      <textarea id={`${id}-reason`} ref={reasonField} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why? The ledger keeps it with the result." aria-describedby={noReasonAsked && !reason.trim() ? `${id}-no-reason` : undefined} />
      {noReasonAsked && !reason.trim() && (
        <p className="prompt" id={`${id}-no-reason`} role="alert">
          No reason yet. The ledger is where the meaning of this exploration is kept: say why, or record the decision without a reason.
        </p>
      )}
      {confirmingAccept && (
        <p className="prompt" role="alert">
          Accepting {pending.candidateIds.join(' + ')} ends this exploration with it as the result. Nothing more is explored; you can still fork from an earlier checkpoint.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        {held && <span className="muted">Baton is exploring; the decision can be recorded when it stops.</span>}
        <button type="submit" className="primary" disabled={sending || held}>
          {sending ? 'Recording…' : submitLabel(pending, noReasonAsked && !reason.trim(), confirmingAccept)}
        </button>
        <button type="button" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function submitLabel(pending: PendingDecision, withoutReason: boolean, confirmingAccept: boolean): string {
  if (pending.action === 'accept' && confirmingAccept) return `Yes, accept ${pending.candidateIds.join(' + ')} and end`;
  if (withoutReason) return 'Record without a reason';
  return 'Record decision';
}
