import { useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { messageOf, postJson } from '../api.js';
import { formatQuality, formatScore, formatTime, formatUsd, plural } from '../format.js';
import { lensColour } from '../lenses.js';
import type { BoardCard, DecisionAction, ExplorationDetail } from '../types.js';
import { DecisionPanel } from './DecisionPanel.js';
import type { PendingDecision } from './DecisionPanel.js';
import { JudgeSections } from './JudgeSections.js';

interface BoardViewProps {
  detail: ExplorationDetail;
  running: boolean;
  progress: { candidates: number; judged: number };
  onDecided: () => void;
  onOpen: (candidateId: string) => void;
  onCompare: (a: string, b: string | null) => void;
  onRun: () => void;
}

/** The board's keys; `?` shows them. Not while typing in a field. */
export const BOARD_SHORTCUTS: ReadonlyArray<{ keys: string[]; what: string }> = [
  { keys: ['j', '→'], what: 'next card' },
  { keys: ['k', '←'], what: 'previous card' },
  { keys: ['Enter'], what: 'open the card’s candidate' },
  { keys: ['d'], what: 'deepen the card' },
  { keys: ['p'], what: 'prune the card' },
  { keys: ['a'], what: 'accept the card (asks to confirm)' },
  { keys: ['x'], what: 'select the card to combine' },
  { keys: ['c'], what: 'compare the card with the next one' },
  { keys: ['?'], what: 'show or hide these keys' },
  { keys: ['Esc'], what: 'close a form or this help' },
];

function inField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Keys typed into a field, or meant for a widget with keys of its own (the tabs), are not the board's. */
function typing(target: EventTarget | null): boolean {
  return inField(target) || (target instanceof HTMLElement && target.closest('[role="tablist"], [role="application"], [role="dialog"]') !== null);
}

/** What the person sees at a checkpoint: why Baton stopped, the cards, the spend, the decisions. */
export function BoardView({ detail, running, progress, onDecided, onOpen, onCompare, onRun }: BoardViewProps): ReactElement {
  const { board } = detail;
  const [pending, setPending] = useState<PendingDecision | null>(null);
  const [forCombine, setForCombine] = useState<string[]>([]);
  const [focused, setFocused] = useState(0);
  const [help, setHelp] = useState(false);
  const cards = useRef<HTMLOListElement>(null);
  const open = detail.checkpoint !== null && !running;
  // An exploration that ended without an answer can still be accepted (or reopened).
  const acceptable = !running && (detail.status === 'exhausted' || detail.status === 'stopped');
  const reasons = detail.checkpoint?.reasons ?? board.reasons;

  const choose = (action: DecisionAction, candidateIds: string[] = []): void => setPending({ action, candidateIds });
  const toggleCombine = (id: string): void =>
    setForCombine((current) => (current.includes(id) ? current.filter((c) => c !== id) : [...current.slice(-1), id]));

  // Keys for the board (listening on the document, so they work wherever the focus is but a field).
  const keys = useRef<(event: KeyboardEvent) => void>(() => undefined);
  keys.current = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape') {
      setHelp(false);
      setPending(null);
      return;
    }
    if (event.key === '?' && !inField(event.target)) {
      setHelp((shown) => !shown);
      event.preventDefault();
      return;
    }
    if (typing(event.target)) return;
    if (help || pending) return;
    const ids = board.cards.map((card) => card.candidateId);
    if (ids.length === 0) return;
    const at = Math.min(focused, ids.length - 1);
    const id = ids[at] as string;
    const focusCard = (index: number): void => {
      setFocused(index);
      cards.current?.querySelectorAll<HTMLElement>(':scope > li')[index]?.focus();
    };
    // The first move only brings the focus to the card in hand.
    const onACard = cards.current?.contains(document.activeElement) ?? false;
    const step = (delta: number): number => (onACard ? (at + delta + ids.length) % ids.length : at);
    const act: Record<string, () => void> = {
      j: () => focusCard(step(1)),
      ArrowRight: () => focusCard(step(1)),
      k: () => focusCard(step(-1)),
      ArrowLeft: () => focusCard(step(-1)),
      Enter: () => onOpen(id),
      c: () => onCompare(id, ids[(at + 1) % ids.length] ?? null),
      ...(open
        ? { d: () => choose('deepen', [id]), p: () => choose('prune', [id]), a: () => choose('accept', [id]), x: () => toggleCombine(id) }
        : {}),
    };
    const action = act[event.key];
    if (!action) return;
    // Enter on a button keeps its own meaning.
    if (event.key === 'Enter' && event.target instanceof HTMLElement && event.target.closest('button, a')) return;
    event.preventDefault();
    action();
  };
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => keys.current(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <section className="board" aria-label="Board">
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      <StatusLine detail={detail} running={running} progress={progress} onRun={onRun} onDecided={onDecided} />
      {reasons.length > 0 && (
        <div className="reasons">
          <h2>{open ? 'Baton stopped to ask you' : 'Last checkpoint'}</h2>
          <ul>
            {reasons.map((reason) => (
              <li key={reason.key}>
                <span className={`trigger trigger-${reason.kind}`}>{reason.kind}</span> {reason.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <JudgeSections board={board} />
      <SpendLine detail={detail} />
      <LensCoverage detail={detail} />
      {board.tradeOffs.length > 0 && (
        <div className="trade-offs">
          <h3>Trade-offs</h3>
          <ul>
            {board.tradeOffs.map((t) => (
              <li key={`${t.a}+${t.b}`}>
                <strong>{t.a}</strong> is stronger on {t.aWins.join(', ') || '—'}; <strong>{t.b}</strong> on {t.bWins.join(', ') || '—'}.
              </li>
            ))}
          </ul>
        </div>
      )}
      {open && (
        <div className="board-actions" role="group" aria-label="Decisions about the whole exploration">
          <button type="button" disabled={forCombine.length !== 2} onClick={() => choose('combine', forCombine)}>
            Combine {forCombine.length === 2 ? forCombine.join(' + ') : '(select two cards)'}
          </button>
          <button type="button" onClick={() => choose('lens')}>
            Try a lens
          </button>
          <button type="button" onClick={() => choose('redirect')}>
            Redirect (edit the brief)
          </button>
          <button type="button" onClick={() => choose('continue')}>
            Continue
          </button>
        </div>
      )}
      {/* Kept while Baton runs again (another tab, a status that flickers): what the person typed
          stays, and the decision waits until Baton stops. */}
      {(open || acceptable || (pending && running)) && pending && (
        <DecisionPanel
          key={`${pending.action}:${pending.candidateIds.join(',')}`}
          detail={detail}
          pending={pending}
          held={!(open || acceptable)}
          onCancel={() => setPending(null)}
          onDecided={() => {
            setPending(null);
            setForCombine([]);
            onDecided();
          }}
        />
      )}
      <p className="shortcut-hint">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move between cards, <kbd>d</kbd> deepen, <kbd>p</kbd> prune, <kbd>a</kbd> accept, <kbd>c</kbd> compare, <kbd>?</kbd> all keys.
      </p>
      <ol className="cards" ref={cards}>
        {board.cards.map((card, index) => (
          <Card
            key={card.candidateId}
            card={card}
            focused={index === focused}
            onFocus={() => setFocused(index)}
            actionable={open}
            acceptOnly={!open && acceptable}
            selectedForCombine={forCombine.includes(card.candidateId)}
            onAction={(action) => choose(action, [card.candidateId])}
            onToggleCombine={() => toggleCombine(card.candidateId)}
            onOpen={() => onOpen(card.candidateId)}
          />
        ))}
      </ol>
      {board.cards.length === 0 && <p className="muted">{running ? 'The board is drawn when Baton stops; the Tree shows candidates as they arrive.' : 'No candidates on the board yet.'}</p>}
    </section>
  );
}

function StatusLine({ detail, running, progress, onRun, onDecided }: Pick<BoardViewProps, 'detail' | 'running' | 'progress' | 'onRun' | 'onDecided'>): ReactElement {
  const { live } = detail;
  if (live.state === 'running-elsewhere') {
    const lease = live.lease;
    return (
      <p className="status running elsewhere" role="status">
        <span className="spinner" aria-hidden="true" /> Being explored by another process
        {lease ? ` (pid ${lease.pid} on ${lease.host}, since ${formatTime(lease.since)}; last heard from ${formatTime(lease.heartbeatAt)})` : ''}. The board updates as it goes; decisions wait until it stops.
      </p>
    );
  }
  if (running) {
    return (
      <p className="status running" role="status">
        <span className="spinner" aria-hidden="true" /> Exploring… {plural(progress.candidates, 'new candidate')}, {progress.judged} judged. Decisions wait until Baton stops.
      </p>
    );
  }
  if (detail.lastError) return <p className="status failed" role="alert">The last run failed: {detail.lastError}</p>;
  if (detail.checkpoint) return <p className="status awaiting" role="status">Awaiting your decision.</p>;
  if (detail.status === 'accepted' || detail.status === 'exhausted' || detail.status === 'stopped') {
    return (
      <p className="status ended" role="status">
        This exploration is {detail.status}
        {detail.endReason ? `: ${detail.endReason}` : '.'} <ReopenControl id={detail.record.id} onDone={onDecided} />
      </p>
    );
  }
  return (
    <p className="status paused" role="status">
      Paused between checkpoints: nobody is exploring it now.{' '}
      <button type="button" onClick={onRun}>
        Explore to the next checkpoint
      </button>
    </p>
  );
}

/** Reopen an ended exploration, with more calls (recorded in the ledger). */
function ReopenControl({ id, onDone }: { id: string; onDone: () => void }): ReactElement {
  const [calls, setCalls] = useState('20');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reopen = async (): Promise<void> => {
    const more = Number(calls);
    setBusy(true);
    setError(null);
    try {
      await postJson(`/api/explorations/${encodeURIComponent(id)}/reopen`, Number.isInteger(more) && more > 0 ? { budget: { calls: more } } : {});
      onDone();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="reopen">
      <label>
        more calls <input type="number" min={0} step={1} value={calls} onChange={(e) => setCalls(e.target.value)} aria-label="Calls to add" />
      </label>{' '}
      <button type="button" disabled={busy} onClick={() => void reopen()}>
        Reopen
      </button>
      {error && (
        <span className="failed" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}

function SpendLine({ detail }: { detail: ExplorationDetail }): ReactElement {
  const { spend } = detail.board;
  const budget = [spend.budget.calls !== undefined && `${spend.budget.calls} calls`, spend.budget.tokens !== undefined && `${spend.budget.tokens} tokens`, spend.budget.usd !== undefined && formatUsd(spend.budget.usd)]
    .filter(Boolean)
    .join(', ');
  return (
    <p className="spend">
      <strong>Spend</strong> {plural(spend.calls, 'call')} · {spend.tokens.toLocaleString()} tokens · {formatUsd(spend.usd)}
      {spend.estimatedCalls !== undefined && spend.estimatedCalls > 0 && ` (estimated: ${plural(spend.estimatedCalls, 'call')} reported no usage)`}
      {detail.spend.inFlight > 0 && ` · ${plural(detail.spend.inFlight, 'call')} in flight`}
      {detail.spend.possiblyBilled > 0 && ` · ${detail.spend.possiblyBilled} possibly billed`}
      {budget && ` — ${Math.round(spend.share * 100)}% of the budget (${budget})`} · {plural(detail.candidates.length, 'candidate')}
    </p>
  );
}

/** The lenses in play, in their colours: how many candidates each has, and its best quality. */
function LensCoverage({ detail }: { detail: ExplorationDetail }): ReactElement | null {
  if (detail.board.directions && detail.board.directions.length > 0) {
    return (
      <table className="directions" aria-label="Every direction">
        <thead>
          <tr>
            <th scope="col">direction</th>
            <th scope="col">best</th>
            <th scope="col">candidates</th>
            <th scope="col">seen</th>
          </tr>
        </thead>
        <tbody>
          {detail.board.directions.map((d) => (
            <tr key={d.lensId}>
              <td>
                <span className="swatch" style={{ background: lensColour(d.lensId) }} aria-hidden="true" /> {d.lensName}
              </td>
              <td>{d.best === null ? '—' : `${formatQuality(d.best)}${d.bestId ? ` (${d.bestId.slice(d.bestId.lastIndexOf('.') + 1)})` : ''}`}</td>
              <td>{d.candidates}</td>
              <td>{d.onBoard ? 'on the board' : d.seen ? 'seen before' : 'not seen yet'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (detail.board.lenses.length === 0) return null;
  return (
    <ul className="legend lens-coverage" aria-label="Lenses in play">
      {detail.board.lenses.map((lens) => (
        <li key={lens.lensId} title={lens.lensId}>
          <span className="swatch" style={{ background: lensColour(lens.lensId) }} aria-hidden="true" /> {lens.lensName}: {plural(lens.candidates, 'candidate')}, best {formatQuality(lens.best)}
        </li>
      ))}
    </ul>
  );
}

interface CardProps {
  card: BoardCard;
  focused: boolean;
  onFocus: () => void;
  actionable: boolean;
  /** The exploration has ended without an answer: only accepting is left. */
  acceptOnly?: boolean;
  selectedForCombine: boolean;
  onAction: (action: DecisionAction) => void;
  onToggleCombine: () => void;
  onOpen: () => void;
}

function Card({ card, focused, onFocus, actionable, acceptOnly = false, selectedForCombine, onAction, onToggleCombine, onOpen }: CardProps): ReactElement {
  const headingId = `card-${card.candidateId}`;
  return (
    <li className={`card${selectedForCombine ? ' selected' : ''}${focused ? ' focused' : ''}`} aria-labelledby={headingId} tabIndex={focused ? 0 : -1} onFocus={onFocus} style={{ borderLeftColor: lensColour(card.lensId) }}>
      <header>
        <h3 id={headingId}>
          <button type="button" className="link" onClick={onOpen}>
            {card.candidateId}
          </button>
        </h3>
        <span className="roles">{card.roles.join(' · ')}</span>
      </header>
      <p className="why">{card.why}</p>
      <p className="meta">
        <span className="swatch" style={{ background: lensColour(card.lensId) }} aria-hidden="true" /> {card.lensName} · {card.kind}, depth {card.depth} · quality <strong>{formatQuality(card.quality)}</strong> · novelty {formatScore(card.novelty)} · {card.words} words
        {card.taste !== undefined && ` · taste ${formatScore(card.taste)}`}
        {card.exhausted && ` · exhausted: ${card.exhausted}`}
      </p>
      <ul className="scores">
        {card.scores.map((score) => (
          <li key={score.criterion} title={score.reason}>
            {score.criterion} <strong>{score.score ?? 'not scored'}</strong>
            {score.jurors && <span className="jurors"> ({score.jurors.map((j) => `${j.judge} ${j.score ?? 'not scored'}: ${j.reason}`).join(' · ')})</span>}
          </li>
        ))}
      </ul>
      {card.flags.map((flag) => (
        <p key={flag.kind + flag.reason} className="flag">
          ⚑ {flag.kind}: {flag.reason}
        </p>
      ))}
      {card.failed.map((failed) => (
        <p key={failed} className="failed">
          ✗ {failed}
        </p>
      ))}
      <blockquote className="excerpt model-text plain">{card.excerpt}</blockquote>
      {acceptOnly && (
        <div className="row card-actions" role="group" aria-label={`Decisions about ${card.candidateId}`}>
          <button type="button" onClick={() => onAction('accept')}>
            Accept
          </button>
        </div>
      )}
      {actionable && (
        <div className="row card-actions" role="group" aria-label={`Decisions about ${card.candidateId}`}>
          <button type="button" onClick={() => onAction('deepen')}>
            Deepen
          </button>
          <button type="button" onClick={() => onAction('prune')}>
            Prune
          </button>
          <button type="button" onClick={() => onAction('accept')}>
            Accept…
          </button>
          <label className="check">
            <input type="checkbox" checked={selectedForCombine} onChange={onToggleCombine} /> select to combine
          </label>
        </div>
      )}
    </li>
  );
}

function ShortcutHelp({ onClose }: { onClose: () => void }): ReactElement {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="help-dialog" role="dialog" aria-modal="true" aria-labelledby="shortcut-help-title" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div>
        <h2 id="shortcut-help-title">Keys on the board</h2>
        <dl>
          {BOARD_SHORTCUTS.map((shortcut) => (
            <div key={shortcut.what} style={{ display: 'contents' }}>
              <dt>
                {shortcut.keys.map((key, i) => (
                  <span key={key}>
                    {i > 0 && ' or '}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </dt>
              <dd>{shortcut.what}</dd>
            </div>
          ))}
        </dl>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
