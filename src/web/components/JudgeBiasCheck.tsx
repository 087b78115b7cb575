import { useId, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { messageOf, postJson } from '../api.js';
import type { JudgeBiasEstimateResponse, JudgeBiasResponse } from '../types.js';

/**
 * The judge bias check (`baton doctor --judge`) from the browser. It makes real model calls, so
 * it takes two clicks: the first shows how many calls and the most they can cost, the second
 * runs them. The result is Baton's own sentences and numbers, shown as text.
 */
export function JudgeBiasCheck({ initialJudge }: { initialJudge: string }): ReactElement {
  const id = useId();
  const [judge, setJudge] = useState(initialJudge);
  const [estimate, setEstimate] = useState<JudgeBiasEstimateResponse | null>(null);
  const [report, setReport] = useState<JudgeBiasResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'estimating' | 'running' | null>(null);

  const ask = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy('estimating');
    setError(null);
    setReport(null);
    setEstimate(null);
    try {
      setEstimate(await postJson<JudgeBiasEstimateResponse>('/api/judge-bias', { judge, estimateOnly: true }));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  const run = async (): Promise<void> => {
    if (!estimate) return;
    setBusy('running');
    setError(null);
    try {
      // The cap is the estimate the person saw: the check can never cost more than that.
      setReport(await postJson<JudgeBiasResponse>('/api/judge-bias', { judge: estimate.judge, maxUsd: Math.max(estimate.worstCaseUsd, 0.000001) }));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="judge-bias" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Check a judge for bias</h2>
      <p className="muted">
        Measures whether a judge rewards length (the same text, padded) or favours the text it reads first (the same pair, swapped), on a small built-in set.
      </p>
      <form className="row" onSubmit={(event) => void ask(event)}>
        <label htmlFor={`${id}-judge`}>Judge</label>
        <input
          id={`${id}-judge`}
          value={judge}
          onChange={(e) => {
            setJudge(e.target.value);
            setEstimate(null);
          }}
          placeholder="openai:gpt-4o-mini"
        />
        <button type="submit" disabled={busy !== null || judge.trim() === ''}>
          {busy === 'estimating' ? 'Estimating…' : 'Estimate the cost'}
        </button>
      </form>
      {estimate && (
        <div className="row" role="status">
          <p>
            {estimate.calls} calls to {estimate.judge}
            {estimate.rehearsal ? ' (rehearsal, offline: free)' : `, at most $${estimate.worstCaseUsd.toFixed(4)}`}.
          </p>
          <button type="button" className="primary" disabled={busy !== null} onClick={() => void run()}>
            {busy === 'running' ? 'Checking…' : `Run the check (${estimate.calls} calls)`}
          </button>
        </div>
      )}
      {report && (
        <div className="judge-bias-report" role="status" aria-label="Judge bias result">
          <p>
            <strong>Length.</strong> {report.length}
          </p>
          <p>
            <strong>Position.</strong> {report.position}
          </p>
          <p className="muted">
            Spent {report.spend.calls} calls, {report.spend.inputTokens + report.spend.outputTokens} tokens, ${report.spend.usd.toFixed(4)}
            {report.spend.estimated ? ' (estimated: the provider reported no usage)' : ''}.
          </p>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
