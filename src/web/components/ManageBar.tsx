import { useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { deleteResource, messageOf, patchJson, postJson } from '../api.js';
import type { ExplorationDetail, StartedResponse } from '../types.js';

type Open = null | 'rename' | 'fork' | 'delete';

interface ManageBarProps {
  detail: ExplorationDetail;
  archived: boolean;
  /** A checkpoint to fork from, chosen elsewhere (the ledger's "Fork from here"). */
  forkAt: string | null;
  onForkAtChange: (checkpointId: string | null) => void;
  onChanged: () => void;
  onForked: (id: string) => void;
  onDeleted: () => void;
}

/** Rename, fork, archive, delete the exploration in view; the irreversible ones ask first. */
export function ManageBar({ detail, archived, forkAt, onForkAtChange, onChanged, onForked, onDeleted }: ManageBarProps): ReactElement {
  const id = detail.record.id;
  const path = `/api/explorations/${encodeURIComponent(id)}`;
  const [open, setOpen] = useState<Open>(null);
  const [title, setTitle] = useState(detail.record.title);
  const [forkTitle, setForkTitle] = useState(`${detail.record.title} (fork)`);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const showing: Open = forkAt !== null ? 'fork' : open;
  const checkpoints = detail.checkpoints;
  const chosen = forkAt ?? checkpoints.at(-1)?.id ?? '';
  const exploring = detail.live.state === 'running-here' || detail.live.state === 'running-elsewhere';

  const act = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setOpen(null);
      onForkAtChange(null);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  const rename = (event: FormEvent): void => {
    event.preventDefault();
    void act(async () => {
      await patchJson(path, { title });
      onChanged();
    });
  };
  const fork = (event: FormEvent): void => {
    event.preventDefault();
    void act(async () => {
      const started = await postJson<StartedResponse>(`${path}/fork`, { at: chosen, title: forkTitle });
      onForked(started.id);
    });
  };
  const close = (): void => {
    setOpen(null);
    setError(null);
    onForkAtChange(null);
  };

  return (
    <div className="manage-area">
      <div className="manage" role="group" aria-label="Manage this exploration">
        <button type="button" onClick={() => setOpen(showing === 'rename' ? null : 'rename')} aria-expanded={showing === 'rename'}>
          Rename
        </button>
        <button type="button" onClick={() => (showing === 'fork' ? close() : setOpen('fork'))} aria-expanded={showing === 'fork'} disabled={checkpoints.length === 0}>
          Fork
        </button>
        <button type="button" disabled={busy} onClick={() => void act(async () => { await patchJson(path, { archived: !archived }); onChanged(); })}>
          {archived ? 'Unarchive' : 'Archive'}
        </button>
        <button type="button" className="danger" onClick={() => setOpen(showing === 'delete' ? null : 'delete')} aria-expanded={showing === 'delete'} disabled={exploring}>
          Delete…
        </button>
      </div>
      {showing === 'rename' && (
        <form className="dialog" aria-label="Rename the exploration" onSubmit={rename}>
          <label htmlFor="rename-title">Title</label>
          <input id="rename-title" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} autoFocus />
          <div className="row">
            <button type="submit" className="primary" disabled={busy || title.trim() === ''}>
              Save the title
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {showing === 'fork' && (
        <form className="dialog" aria-label="Fork the exploration" onSubmit={fork}>
          <p>A fork is a new exploration that starts from a checkpoint of this one with its candidates already there: nothing is asked of a model again, and this exploration is left as it is.</p>
          <label htmlFor="fork-at">Start from the checkpoint</label>
          <select id="fork-at" value={chosen} onChange={(event) => onForkAtChange(event.target.value)}>
            {checkpoints.map((c) => (
              <option key={c.id} value={c.id}>
                {`#${c.number} · ${new Date(c.createdAt).toLocaleString()} · ${c.reasons.join(', ')}`}
              </option>
            ))}
          </select>
          <label htmlFor="fork-title">Title of the fork</label>
          <input id="fork-title" value={forkTitle} maxLength={200} onChange={(event) => setForkTitle(event.target.value)} />
          <div className="row">
            <button type="submit" className="primary" disabled={busy || forkTitle.trim() === '' || chosen === ''}>
              Fork here
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {showing === 'delete' && (
        <div className="dialog danger" role="alertdialog" aria-label="Delete the exploration" aria-describedby="delete-what">
          <p id="delete-what">
            Delete <strong>{detail.record.title}</strong> ({id}) for good? Its candidates, decisions, ledger and spend record are removed from the database. Archive it instead to only hide it.
          </p>
          <div className="row">
            <button type="button" className="danger primary" disabled={busy} onClick={() => void act(async () => { await deleteResource(`${path}?confirm=${encodeURIComponent(id)}`); onDeleted(); })}>
              Delete for good
            </button>
            <button type="button" onClick={close} autoFocus>
              Keep it
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
