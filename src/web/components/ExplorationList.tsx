import type { ReactElement } from 'react';
import { plural } from '../format.js';
import type { ExplorationSummary } from '../types.js';

/** The explorations on this database, newest first; the selected one is marked. */
export function ExplorationList({ explorations, selectedId, onSelect, onNew }: { explorations: ExplorationSummary[] | null; selectedId: string | null; onSelect: (id: string) => void; onNew: () => void }): ReactElement {
  return (
    <nav className="explorations" aria-label="Explorations">
      <div className="row">
        <h2>Explorations</h2>
        <button type="button" onClick={onNew}>
          New brief
        </button>
      </div>
      {explorations === null ? (
        <p className="muted">Loading…</p>
      ) : explorations.length === 0 ? (
        <p className="muted">None yet. Write a brief to start one, or run `baton demo`.</p>
      ) : (
        <ul>
          {[...explorations]
            .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
            .map((exploration) => (
              <li key={exploration.id}>
                <button type="button" className={exploration.id === selectedId ? 'exploration current' : 'exploration'} aria-current={exploration.id === selectedId ? 'true' : undefined} onClick={() => onSelect(exploration.id)}>
                  <span className="question">{exploration.question}</span>
                  <span className="meta">
                    <span className={`status-badge ${exploration.running ? 'running' : exploration.status}`}>{exploration.running ? 'running' : exploration.status}</span> {exploration.id} · {plural(exploration.candidates, 'candidate')} · <span className="label">{exploration.label}</span>
                  </span>
                </button>
              </li>
            ))}
        </ul>
      )}
    </nav>
  );
}
