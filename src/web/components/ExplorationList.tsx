import { useMemo, useState } from 'react';
import type { ReactElement } from 'react';
import { formatDate, plural } from '../format.js';
import type { ExplorationSummary, LiveState } from '../types.js';

/** What the person can filter the list by. */
type Filter = 'all' | 'active' | LiveState | 'archived';

const FILTERS: ReadonlyArray<{ value: Filter; label: string }> = [
  { value: 'active', label: 'All but archived' },
  { value: 'awaiting', label: 'Awaiting a decision' },
  { value: 'running-here', label: 'Running here' },
  { value: 'running-elsewhere', label: 'Running elsewhere' },
  { value: 'paused', label: 'Paused' },
  { value: 'ended', label: 'Ended' },
  { value: 'archived', label: 'Archived' },
  { value: 'all', label: 'Everything' },
];

export const LIVE_LABEL: Record<LiveState, string> = {
  'running-here': 'running',
  'running-elsewhere': 'running elsewhere',
  awaiting: 'awaiting',
  paused: 'paused',
  ended: 'ended',
};

interface ListProps {
  explorations: ExplorationSummary[] | null;
  selectedId: string | null;
  open: boolean;
  onSelect: (id: string) => void;
  onNew: () => void;
  onClose: () => void;
}

/** The explorations on this database, most recently updated first; searchable and filterable. */
export function ExplorationList({ explorations, selectedId, open, onSelect, onNew, onClose }: ListProps): ReactElement {
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>('active');
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/u).filter(Boolean);
    return [...(explorations ?? [])]
      .filter((e) => matchesFilter(e, filter))
      .filter((e) => words.every((word) => `${e.title} ${e.question} ${e.id} ${e.label}`.toLowerCase().includes(word)))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }, [explorations, query, filter]);

  return (
    <nav className={open ? 'explorations open' : 'explorations'} aria-label="Explorations" id="explorations" onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <div className="row">
        <h2>Explorations</h2>
        <button type="button" onClick={onNew}>
          New brief
        </button>
        <button type="button" className="drawer-toggle" onClick={onClose} aria-label="Close the list of explorations">
          Close
        </button>
      </div>
      <div className="list-tools">
        <label htmlFor="exploration-search" className="visually-hidden">
          Search explorations
        </label>
        <input id="exploration-search" type="search" placeholder="Search by title, question or id" value={query} onChange={(event) => setQuery(event.target.value)} />
        <label htmlFor="exploration-filter" className="visually-hidden">
          Show
        </label>
        <select id="exploration-filter" value={filter} onChange={(event) => setFilter(event.target.value as Filter)}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
              {explorations ? ` (${explorations.filter((e) => matchesFilter(e, f.value)).length})` : ''}
            </option>
          ))}
        </select>
      </div>
      {explorations === null ? (
        <p className="muted">Loading…</p>
      ) : explorations.length === 0 ? (
        <p className="muted">None yet. Write a brief to start one, or run `baton demo`.</p>
      ) : shown.length === 0 ? (
        <p className="muted">No exploration matches.</p>
      ) : (
        <ul>
          {shown.map((exploration) => (
            <li key={exploration.id}>
              <button type="button" className={exploration.id === selectedId ? 'exploration current' : 'exploration'} aria-current={exploration.id === selectedId ? 'true' : undefined} onClick={() => onSelect(exploration.id)}>
                <span className="question">{exploration.title}</span>
                <span className="meta">
                  <span className={`status-badge ${exploration.live.state}`}>{LIVE_LABEL[exploration.live.state]}</span>
                  {exploration.archivedAt !== null && <span className="status-badge">archived</span>} {exploration.id} · {plural(exploration.candidates, 'candidate')} · <span className="label">{exploration.label}</span>
                  {exploration.forkOf !== null && ` · fork of ${exploration.forkOf.explorationId}`}
                </span>
                <span className="dates">
                  created {formatDate(exploration.createdAt)} · updated {formatDate(exploration.updatedAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}

function matchesFilter(exploration: ExplorationSummary, filter: Filter): boolean {
  const archived = exploration.archivedAt !== null;
  if (filter === 'all') return true;
  if (filter === 'archived') return archived;
  if (archived) return false;
  return filter === 'active' || exploration.live.state === filter;
}
