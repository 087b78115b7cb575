import { useEffect, useMemo, useState } from 'react';
import type { ReactElement } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { getJson, messageOf } from '../api.js';
import { lensColour } from '../lenses.js';
import type { SeriesPoint, SeriesResponse } from '../types.js';

/** Best quality over moves, novelty against quality (by lens), spend over the exploration. */
export function ChartsView({ explorationId, version, lensNames }: { explorationId: string; version: number; lensNames: ReadonlyMap<string, string> }): ReactElement {
  const [points, setPoints] = useState<SeriesPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    getJson<SeriesResponse>(`/api/explorations/${encodeURIComponent(explorationId)}/series`)
      .then((series) => live && setPoints(series.points))
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [explorationId, version]);

  const byLens = useMemo(() => {
    const groups = new Map<string, SeriesPoint[]>();
    for (const point of points ?? []) groups.set(point.lensId, [...(groups.get(point.lensId) ?? []), point]);
    return [...groups.entries()];
  }, [points]);

  const overTime = useMemo(() => {
    const start = Date.parse(points?.[0]?.at ?? '');
    return (points ?? []).map((point) => ({ ...point, elapsed: Number.isNaN(start) ? point.move : (Date.parse(point.at) - start) / 1000 }));
  }, [points]);

  if (error) return <p className="error" role="alert">{error}</p>;
  if (points === null) return <p className="muted">Loading…</p>;
  if (points.length === 0) return <p className="muted">Nothing judged yet.</p>;

  const qualityTicks = [0, 0.25, 0.5, 0.75, 1];
  const pct = (value: number): string => `${Math.round(value * 100)}%`;
  const span = (overTime.at(-1)?.elapsed ?? 0) - (overTime[0]?.elapsed ?? 0);
  const elapsedLabel = (seconds: number): string => formatElapsed(seconds, span);
  return (
    <section className="charts" aria-label="Charts">
      <figure aria-labelledby="chart-quality-title">
        <figcaption id="chart-quality-title">Best quality over moves</figcaption>
        <div role="img" aria-label={`Quality of each of ${points.length} judged candidates in the order they were judged, and the best quality so far: ${pct(points.at(-1)?.bestQuality ?? 0)} at the end.`}>
          <ResponsiveContainer width="100%" height={260}>
            <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 20 }}>
              <CartesianGrid stroke="#eceff2" />
              <XAxis dataKey="move" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} label={{ value: 'judged candidates (count)', position: 'insideBottom', offset: -14 }} />
              <YAxis domain={[0, 1]} ticks={qualityTicks} tickFormatter={pct} width={48} label={{ value: 'quality (%)', angle: -90, position: 'left', offset: 12 }} />
              <ZAxis range={[14, 14]} />
              <Tooltip formatter={(value) => (typeof value === 'number' ? pct(value) : String(value))} />
              <Legend verticalAlign="top" />
              <Scatter dataKey="quality" name="quality of each candidate" fill="#6B7785" isAnimationActive={false} />
              <Line type="stepAfter" dataKey="bestQuality" name="best quality so far" stroke="#0072B2" strokeWidth={2} dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
        <DataTable caption="Quality by move" headers={['move', 'candidate', 'quality', 'best so far']} rows={points.map((p) => [String(p.move), p.candidateId, pct(p.quality), pct(p.bestQuality)])} />
      </figure>
      <figure aria-labelledby="chart-novelty-title">
        <figcaption id="chart-novelty-title">Novelty (0 = like the rest, 1 = far from it) against quality, by lens</figcaption>
        <div role="img" aria-label={`Each judged candidate placed by its novelty and its quality, coloured by its lens (${byLens.map(([lensId, data]) => `${lensNames.get(lensId) ?? lensId}: ${data.length}`).join(', ')}).`}>
          {/* The lenses as an HTML list: on a phone it wraps onto lines of its own instead of over the plot. */}
          <ul className="chart-legend" aria-hidden="true">
            {byLens.map(([lensId]) => (
              <li key={lensId}>
                <span className="swatch" style={{ background: lensColour(lensId) }} />
                {lensNames.get(lensId) ?? lensId}
              </li>
            ))}
          </ul>
          <ResponsiveContainer width="100%" height={300}>
            <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 20 }}>
              <CartesianGrid stroke="#eceff2" />
              <XAxis dataKey="novelty" type="number" name="novelty" domain={[0, 1]} ticks={qualityTicks} label={{ value: 'novelty (0 to 1)', position: 'insideBottom', offset: -14 }} />
              <YAxis dataKey="quality" type="number" name="quality" domain={[0, 1]} ticks={qualityTicks} tickFormatter={pct} width={48} label={{ value: 'quality (%)', angle: -90, position: 'left', offset: 12 }} />
              <ZAxis range={[22, 22]} />
              <Tooltip formatter={(value, name) => (typeof value === 'number' ? (name === 'quality' ? pct(value) : value.toFixed(2)) : String(value))} />
              {byLens.map(([lensId, data]) => (
                <Scatter key={lensId} name={lensNames.get(lensId) ?? lensId} data={data} fill={lensColour(lensId)} isAnimationActive={false} />
              ))}
            </ScatterChart>
          </ResponsiveContainer>
        </div>
        <DataTable caption="Novelty and quality" headers={['candidate', 'lens', 'novelty', 'quality']} rows={points.map((p) => [p.candidateId, lensNames.get(p.lensId) ?? p.lensId, p.novelty.toFixed(2), pct(p.quality)])} />
      </figure>
      <figure aria-labelledby="chart-spend-title">
        <figcaption id="chart-spend-title">Spend over time (since the first judged candidate; pauses are time at checkpoints)</figcaption>
        <div role="img" aria-label={`Model calls and dollars spent over the exploration: ${points.at(-1)?.calls ?? 0} calls and US$${(points.at(-1)?.spendUsd ?? 0).toFixed(4)} by the last judged candidate.`}>
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={overTime} margin={{ top: 8, right: 44, bottom: 24, left: 20 }}>
              <CartesianGrid stroke="#eceff2" />
              <XAxis dataKey="elapsed" type="number" domain={['dataMin', 'dataMax']} tickFormatter={elapsedLabel} tickCount={6} label={{ value: 'time since the first judgment', position: 'insideBottom', offset: -14 }} />
              <YAxis yAxisId="calls" allowDecimals={false} width={48} label={{ value: 'calls (count)', angle: -90, position: 'left', offset: 12 }} />
              <YAxis yAxisId="usd" orientation="right" width={64} tickFormatter={(value: number) => `$${value < 0.1 ? value.toFixed(4) : value.toFixed(2)}`} domain={[0, (dataMax: number) => (dataMax > 0 ? dataMax : 0.01)]} label={{ value: 'spend (US$)', angle: 90, position: 'right', offset: 22 }} />
              <Tooltip />
              <Legend verticalAlign="top" />
              <Line yAxisId="calls" dataKey="calls" name="calls" stroke="#009E73" dot={false} isAnimationActive={false} />
              <Line yAxisId="usd" dataKey="spendUsd" name="US$" stroke="#D55E00" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <DataTable caption="Spend by move" headers={['move', 'time', 'calls', 'US$']} rows={overTime.map((p) => [String(p.move), elapsedLabel(p.elapsed), String(p.calls), `$${p.spendUsd.toFixed(4)}`])} />
      </figure>
    </section>
  );
}

/** The chart's data as a table, for screen readers and for reading exact values. */
function DataTable({ caption, headers, rows }: { caption: string; headers: string[]; rows: string[][] }): ReactElement {
  return (
    <details className="table-fallback">
      <summary>{caption}: the data as a table</summary>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {headers.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Seconds as `4.5 s` under a minute, else m:ss (or h:mm:ss); with as many decimals as the
 * chart's span needs for its ticks to differ (a run of 0.3 s reads 0.05 s, 0.10 s…).
 */
function formatElapsed(seconds: number, span: number): string {
  const step = span / 5;
  const decimals = step > 0 && step < 1 ? Math.min(3, Math.ceil(-Math.log10(step)) + 1) : seconds < 10 ? 1 : 0;
  if (seconds < 60) return `${seconds.toFixed(decimals)} s`;
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
