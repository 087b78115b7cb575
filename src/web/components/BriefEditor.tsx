import { useEffect, useId, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { getJson, messageOf, postJson } from '../api.js';
import type { BriefResponse, StartedResponse } from '../types.js';
import { BriefField } from './BriefField.js';

/** A starting point that lints clean, for a person with no brief yet. */
const STARTER = `---
intent: Colleagues new to the topic should come away knowing why this matters to them.
question: What should this become?
constraints:
  - max_words: 300
criteria:
  - id: clear
    text: A reader new to the topic gets the point on first reading.
    weight: 2
lenses: auto
model: rehearsal
judge: rehearsal
---
Context the models should know: who asked, what exists already, what was tried.
`;

/**
 * The brief editor: write (or start from the selected exploration's brief), see lint findings
 * live, and start a new exploration.
 */
export function BriefEditor({ explorationId, onStarted }: { explorationId: string | null; onStarted: (id: string) => void }): ReactElement {
  const id = useId();
  const [text, setText] = useState<string | null>(explorationId === null ? STARTER : null);
  const [seed, setSeed] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (explorationId === null) return;
    let live = true;
    getJson<BriefResponse>(`/api/explorations/${encodeURIComponent(explorationId)}/brief`)
      .then((brief) => live && setText((current) => current ?? brief.source))
      .catch((failure: unknown) => {
        if (!live) return;
        setText((current) => current ?? STARTER);
        setError(messageOf(failure));
      });
    return () => {
      live = false;
    };
  }, [explorationId]);

  const start = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (text === null) return;
    const body: Record<string, unknown> = { briefText: text };
    if (seed.trim() !== '') {
      const n = Number(seed);
      if (!Number.isInteger(n) || n < 0) return setError('The seed is a whole number, 0 or more.');
      body.seed = n;
    }
    setSending(true);
    setError(null);
    try {
      const started = await postJson<StartedResponse>('/api/explorations', body);
      onStarted(started.id);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="brief-editor" aria-label="Brief editor" onSubmit={(event) => void start(event)}>
      <p className="muted">
        A brief is Markdown with YAML front matter: intent, question, constraints, weighted criteria, lenses, budget.
        {explorationId !== null && ' This one starts from the selected exploration’s brief; starting makes a new exploration.'}
      </p>
      {text === null ? <p className="muted">Loading the brief…</p> : <BriefField value={text} onChange={setText} label="Brief" />}
      <div className="row">
        <label htmlFor={`${id}-seed`}>Seed (optional)</label>
        <input id={`${id}-seed`} inputMode="numeric" className="short" value={seed} onChange={(e) => setSeed(e.target.value)} />
        <button type="submit" className="primary" disabled={sending || text === null}>
          {sending ? 'Starting…' : 'Start exploration'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
