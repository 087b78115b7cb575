import { useCallback, useEffect, useRef, useState } from 'react';
import { getJson, messageOf } from './api.js';
import type { ExplorationDetail, RunStatus } from './types.js';

/** The events that change what the UI shows (see src/explore/events.ts). */
const DOMAIN_EVENTS = ['candidate.added', 'candidate.judged', 'path.exhausted', 'checkpoint.raised', 'decision.made', 'brief.redirected', 'lens.added', 'exploration.ended'];

/** How long events are gathered before the exploration is fetched again: one refresh per batch. */
const REFRESH_BATCH_MS = 400;

/** How often an exploration another process is exploring is read again. */
const ELSEWHERE_POLL_MS = 3_000;

export interface LiveExploration {
  detail: ExplorationDetail | null;
  error: string | null;
  /** A background run is going (from the detail, kept current by `status` events). */
  running: boolean;
  /** Candidates added since the current run started, from the event stream. */
  progress: { candidates: number; judged: number };
  /** False while the event stream is down (the browser reconnects by itself). */
  connected: boolean;
  /** Bumped on every refresh, so views that fetch on their own (charts) know to refetch. */
  version: number;
  refresh: () => void;
  /** Called after a request that starts a run: actions are disabled before the first event. */
  markRunning: () => void;
}

/**
 * One exploration, kept live: fetched once, then refreshed after batches of server-sent events.
 * The EventSource reconnects by itself and sends `Last-Event-ID`, so no event is lost or doubled.
 */
export function useExploration(id: string | null, onStatus?: (status: RunStatus) => void): LiveExploration {
  const [detail, setDetail] = useState<ExplorationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState({ candidates: 0, judged: 0 });
  const [version, setVersion] = useState(0);
  const [connected, setConnected] = useState(true);
  const timer = useRef<number | undefined>(undefined);
  const onStatusRef = useRef(onStatus);
  onStatusRef.current = onStatus;

  // The exploration in view now: an answer about another one (a refresh that was under way when
  // the person moved on) is dropped rather than left in place of the one they opened.
  const shown = useRef(id);
  shown.current = id;
  // Loads can answer out of order (a slow one issued while Baton ran, a quick one after it
  // stopped): only an answer newer than the one shown replaces it, so a stale "running" never
  // comes back over the checkpoint.
  const issued = useRef(0);
  const applied = useRef(0);
  const load = useCallback(async (target: string): Promise<ExplorationDetail | null> => {
    const ticket = ++issued.current;
    try {
      const next = await getJson<ExplorationDetail>(`/api/explorations/${encodeURIComponent(target)}`);
      if (shown.current !== target || ticket < applied.current) return null;
      applied.current = ticket;
      setDetail(next);
      setRunning(next.running);
      setError(null);
      setVersion((v) => v + 1);
      return next;
    } catch (failure) {
      if (ticket >= applied.current) setError(messageOf(failure));
      return null;
    }
  }, []);

  const scheduleRefresh = useCallback(
    (target: string) => {
      if (timer.current !== undefined) return;
      timer.current = window.setTimeout(() => {
        timer.current = undefined;
        void load(target);
      }, REFRESH_BATCH_MS);
    },
    [load],
  );

  useEffect(() => {
    setDetail(null);
    setError(null);
    setProgress({ candidates: 0, judged: 0 });
    if (id === null) return;
    let source: EventSource | undefined;
    let closed = false;
    const openStream = (target: string, after: number | undefined): EventSource => {
      // Without a view (it failed to load) the stream starts from the beginning.
      const query = after !== undefined ? `?after=${after}` : '';
      const stream = new EventSource(`/api/explorations/${encodeURIComponent(target)}/events${query}`);
      stream.onopen = () => {
        setConnected(true);
        // Whatever happened while the stream was down is in the next fetch.
        scheduleRefresh(target);
      };
      stream.onerror = () => setConnected(false);
      const onDomainEvent = (event: MessageEvent<string>): void => {
        if (event.type === 'candidate.added') setProgress((p) => ({ ...p, candidates: p.candidates + 1 }));
        if (event.type === 'candidate.judged') setProgress((p) => ({ ...p, judged: p.judged + 1 }));
        scheduleRefresh(target);
      };
      for (const type of DOMAIN_EVENTS) stream.addEventListener(type, onDomainEvent);
      stream.addEventListener('status', (event: MessageEvent<string>) => {
        const status = parseStatus(event.data);
        if (!status) return;
        if (status.state === 'started') {
          setRunning(true);
          setProgress({ candidates: 0, judged: 0 });
        } else {
          setRunning(false);
          if (status.state === 'failed' && status.message) setError(status.message);
        }
        onStatusRef.current?.(status);
        scheduleRefresh(target);
      });
      return stream;
    };
    // The view first, then the events after it: the stream does not replay what the view holds.
    void load(id).then((first) => {
      if (closed) return;
      source = openStream(id, first?.lastSeq);
    });
    return () => {
      closed = true;
      source?.close();
      window.clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [id, load, scheduleRefresh]);

  const refresh = useCallback(() => {
    if (id !== null) void load(id);
  }, [id, load]);

  // Another process's run sends events through the store, but letting go of the lease does not:
  // while someone else explores, look again now and then.
  const elsewhere = detail?.record.id === id && detail?.live.state === 'running-elsewhere';
  useEffect(() => {
    if (!elsewhere || id === null) return;
    const poll = window.setInterval(() => void load(id), ELSEWHERE_POLL_MS);
    return () => window.clearInterval(poll);
  }, [elsewhere, id, load]);

  const markRunning = useCallback(() => {
    setRunning(true);
    setProgress({ candidates: 0, judged: 0 });
  }, []);

  return { detail: detail?.record.id === id ? detail : null, error, running, progress, connected, version, refresh, markRunning };
}

/** A `status` event's data; untrusted until checked. */
function parseStatus(data: string): RunStatus | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && typeof (value as RunStatus).state === 'string') return value as RunStatus;
  } catch {
    // Not JSON: ignore; the next refresh shows the truth.
  }
  return null;
}
