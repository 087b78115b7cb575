import { useEffect, useId, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { messageOf, postJson } from '../api.js';
import type { ApiLintFinding, LintResponse } from '../types.js';

/** How long typing must pause before the brief is linted again. */
const LINT_DEBOUNCE_MS = 350;

/**
 * A brief's Markdown in a plain textarea, linted as the person types (debounced): findings are
 * listed with their line; clicking one puts the cursor on that line.
 */
export function BriefField({ value, onChange, label, rows = 18 }: { value: string; onChange: (text: string) => void; label: string; rows?: number }): ReactElement {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [findings, setFindings] = useState<ApiLintFinding[] | null>(null);
  const [lintError, setLintError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      postJson<LintResponse>('/api/lint', { text: value })
        .then((result) => {
          if (!live) return;
          setFindings(result.findings);
          setLintError(null);
        })
        .catch((failure: unknown) => live && setLintError(messageOf(failure)));
    }, LINT_DEBOUNCE_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [value]);

  const goToLine = (line: number | undefined): void => {
    const textarea = area.current;
    if (!textarea || line === undefined) return;
    const lines = value.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };

  return (
    <div className="brief-field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} ref={area} rows={rows} spellCheck={false} className="code" value={value} onChange={(e) => onChange(e.target.value)} />
      <div className="lint" aria-live="polite">
        <h3>Lint</h3>
        {lintError && <p className="error">{lintError}</p>}
        {findings === null ? (
          <p className="muted">Checking…</p>
        ) : findings.length === 0 ? (
          <p className="ok">No findings: the brief reads well.</p>
        ) : (
          <ul className="findings" aria-label="Lint findings">
            {findings.map((finding, index) => (
              <li key={index} className={`finding ${finding.severity}`}>
                <button type="button" className="link" onClick={() => goToLine(finding.line)} disabled={finding.line === undefined}>
                  {finding.line !== undefined ? `line ${finding.line}` : (finding.field ?? 'brief')}
                </button>{' '}
                <span className="severity">{finding.severity}</span> {finding.message}
                {finding.suggestion && <div className="suggestion">suggestion: {finding.suggestion}</div>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
