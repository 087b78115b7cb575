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

  return (
    <section className="charts" aria-label="Charts">
      <figure>
        <figcaption>Best quality over moves</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart data={points} margin={{ top: 8, right: 24, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="#eceff2" />
            <XAxis dataKey="move" type="number" domain={['dataMin', 'dataMax']} />
            <YAxis domain={[0, 1]} />
            <ZAxis range={[14, 14]} />
            <Tooltip />
            <Legend />
            <Scatter dataKey="quality" name="quality of each candidate" fill="#9aa5b1" isAnimationActive={false} />
            <Line type="stepAfter" dataKey="bestQuality" name="best quality" stroke="#2f4b7c" strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>Novelty against quality, by lens</figcaption>
        <ResponsiveContainer width="100%" height={280}>
          <ScatterChart margin={{ top: 8, right: 24, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="#eceff2" />
            <XAxis dataKey="novelty" type="number" name="novelty" domain={[0, 1]} />
            <YAxis dataKey="quality" type="number" name="quality" domain={[0, 1]} />
            <ZAxis range={[18, 18]} />
            <Tooltip />
            <Legend />
            {byLens.map(([lensId, data]) => (
              <Scatter key={lensId} name={lensNames.get(lensId) ?? lensId} data={data} fill={lensColour(lensId)} isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>Spend over time (since the first judged candidate; pauses are time at checkpoints)</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={overTime} margin={{ top: 8, right: 24, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="#eceff2" />
            <XAxis dataKey="elapsed" type="number" domain={['dataMin', 'dataMax']} tickFormatter={formatElapsed} />
            <YAxis yAxisId="calls" />
            <YAxis yAxisId="usd" orientation="right" />
            <Tooltip />
            <Legend />
            <Line yAxisId="calls" dataKey="calls" name="calls" stroke="#59a14f" dot={false} isAnimationActive={false} />
            <Line yAxisId="usd" dataKey="spendUsd" name="US$" stroke="#e15759" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </section>
  );
}

/** Seconds as `4.5 s` under a minute, else m:ss (or h:mm:ss). */
function formatElapsed(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
