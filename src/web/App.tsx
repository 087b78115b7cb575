import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { KeyboardEvent, ReactElement } from 'react';
import { getJson, getSession, messageOf, postJson } from './api.js';
import { BoardView } from './components/BoardView.js';
import { BriefEditor } from './components/BriefEditor.js';
import { JudgeBiasCheck } from './components/JudgeBiasCheck.js';
import { CandidateDetail } from './components/CandidateDetail.js';
import { CompareView } from './components/CompareView.js';
import { ExplorationList } from './components/ExplorationList.js';
import { LedgerView } from './components/LedgerView.js';
import { ManageBar } from './components/ManageBar.js';
import { TreeView } from './components/TreeView.js';
import type { Tab } from './route.js';
import { TABS, useRoute } from './route.js';
import type { ExplorationDetail, ExplorationSummary, ExplorationsResponse } from './types.js';
import { useExploration } from './use-exploration.js';

/** The charts library is most of the bundle: it loads (as a file of its own) when Charts opens. */
const ChartsView = lazy(() => import('./components/ChartsView.js').then((module) => ({ default: module.ChartsView })));

const TAB_NAMES: Record<Tab, string> = {
  board: 'Board',
  tree: 'Tree',
  candidate: 'Candidate',
  compare: 'Compare',
  brief: 'Brief',
  charts: 'Charts',
  ledger: 'Ledger',
};

/**
 * How often the list of explorations is read again: an exploration started or changed by another
 * process (the CLI, another server) appears within this time. Views in the open refresh it too.
 */
const LIST_REFRESH_MS = 3_000;

export function App(): ReactElement {
  const [route, navigate] = useRoute();
  const [version, setVersion] = useState<string | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [explorations, setExplorations] = useState<ExplorationSummary[] | null>(null);

  const [listError, setListError] = useState<string | null>(null);
  const loadList = useCallback(() => {
    getJson<ExplorationsResponse>('/api/explorations')
      .then((list) => {
        setExplorations(list.explorations);
        setListError(null);
      })
      .catch((failure: unknown) => setListError(messageOf(failure)));
  }, []);

  useEffect(() => {
    getSession()
      .then((session) => {
        setVersion(session.version);
        loadList();
      })
      .catch((failure: unknown) => setFatal(messageOf(failure)));
    const timer = window.setInterval(loadList, LIST_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [loadList]);

  const live = useExploration(route.explorationId, loadList);
  const detail = live.detail;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [forkAt, setForkAt] = useState<string | null>(null);
  // Every refresh of the exploration in view refreshes the list: the counts agree.
  useEffect(() => {
    if (live.version > 0) loadList();
  }, [live.version, loadList]);
  const summary = explorations?.find((e) => e.id === route.explorationId) ?? null;

  if (fatal && version === null) {
    return (
      <main className="fatal">
        <h1>Baton</h1>
        <p role="alert">{fatal}</p>
      </main>
    );
  }

  return (
    <div className="app">
      <header className="topbar">
        <button type="button" className="drawer-toggle" aria-controls="explorations" aria-expanded={drawerOpen} onClick={() => setDrawerOpen((open) => !open)}>
          ☰ Explorations
        </button>
        <h1>Baton</h1>
        {detail && <ExplorationHeading detail={detail} />}
        <span className="version">{version ? `v${version}` : ''}</span>
      </header>
      <ExplorationList
        explorations={explorations}
        selectedId={route.explorationId}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        onSelect={(id) => {
          setDrawerOpen(false);
          navigate({ explorationId: id, tab: 'board', candidateId: null, otherId: null });
        }}
        onNew={() => {
          setDrawerOpen(false);
          navigate({ explorationId: null, tab: 'brief', candidateId: null, otherId: null });
        }}
      />
      <main className="main">
        {detail && route.tab !== 'brief' && (
          <ManageBar
            key={detail.record.id}
            detail={detail}
            archived={summary?.archivedAt != null}
            forkAt={forkAt}
            onForkAtChange={setForkAt}
            onChanged={() => {
              loadList();
              live.refresh();
            }}
            onForked={(id) => {
              loadList();
              navigate({ explorationId: id, tab: 'board', candidateId: null, otherId: null });
            }}
            onDeleted={() => {
              loadList();
              navigate({ explorationId: null, tab: 'brief', candidateId: null, otherId: null });
            }}
          />
        )}
        {route.explorationId !== null && (
          <div role="tablist" aria-label="Views" className="tabs" onKeyDown={(event) => moveBetweenTabs(event, route.tab, (tab) => navigate({ tab }))}>
            {TABS.map((tab) => (
              <button key={tab} type="button" role="tab" data-tab={tab} aria-selected={route.tab === tab} tabIndex={route.tab === tab ? 0 : -1} className={route.tab === tab ? 'tab current' : 'tab'} onClick={() => navigate({ tab })}>
                {TAB_NAMES[tab]}
              </button>
            ))}
          </div>
        )}
        {listError && (
          <p className="error banner" role="alert">
            {listError}
          </p>
        )}
        {!live.connected && route.explorationId !== null && (
          <p className="error banner" role="status">
            Live updates are interrupted; reconnecting…
          </p>
        )}
        {live.error && (
          <p className="error banner" role="alert">
            {live.error}
          </p>
        )}
        <div role="tabpanel" aria-label={`${TAB_NAMES[route.tab]} view`} className="panel">
          <Panel route={route} navigate={navigate} live={live} onFork={(checkpointId) => {
            setForkAt(checkpointId);
            window.scrollTo({ top: 0 });
          }} onStarted={(id) => {
            loadList();
            navigate({ explorationId: id, tab: 'board', candidateId: null, otherId: null });
          }} />
        </div>
      </main>
    </div>
  );
}

/** "rehearsal (rehearsal, rehearsal:default)" says one thing twice: the rehearsal model writes and judges. */
function shownModels(label: string): string {
  const inner = /^rehearsal \((.*)\)$/u.exec(label)?.[1];
  const onlyRehearsal = label === 'rehearsal' || (inner !== undefined && inner.split(', ').every((model) => model.startsWith('rehearsal')));
  return onlyRehearsal ? 'rehearsal model' : label;
}

function ExplorationHeading({ detail }: { detail: ExplorationDetail }): ReactElement {
  return (
    <div className="heading">
      <span className="question" title={detail.brief.brief.question}>
        {detail.record.title}
      </span>
      <span className={detail.label.includes('rehearsal') ? 'model-label rehearsal' : 'model-label'} title={`The models in play: ${detail.label}`}>
        {shownModels(detail.label)}
      </span>
    </div>
  );
}

interface PanelProps {
  route: ReturnType<typeof useRoute>[0];
  navigate: ReturnType<typeof useRoute>[1];
  live: ReturnType<typeof useExploration>;
  onStarted: (id: string) => void;
  onFork: (checkpointId: string) => void;
}

function Panel({ route, navigate, live, onStarted, onFork }: PanelProps): ReactElement {
  const { detail } = live;
  const lensNames = useMemo(() => new Map((detail?.board.lenses ?? []).map((lens) => [lens.lensId, lens.lensName])), [detail]);
  const chosenId = useMemo(() => acceptedCandidate(detail), [detail]);
  const open = (id: string): void => navigate({ tab: 'candidate', candidateId: id, otherId: null });
  const compare = (id: string): void => navigate({ tab: 'compare', candidateId: id, otherId: route.otherId });

  if (route.tab === 'brief' || route.explorationId === null) {
    return (
      <>
        <BriefEditor key={route.explorationId ?? 'new'} explorationId={route.explorationId} onStarted={onStarted} />
        <JudgeBiasCheck key={`bias-${route.explorationId ?? 'new'}`} initialJudge={detail?.record.judge ?? 'rehearsal'} />
      </>
    );
  }
  if (!detail) return <p className="muted">{live.error ? '' : 'Loading…'}</p>;
  const id = detail.record.id;

  switch (route.tab) {
    case 'board':
      return (
        <BoardView
          key={detail.checkpoint?.id ?? 'no-checkpoint'}
          detail={detail}
          running={live.running}
          progress={live.progress}
          onOpen={open}
          onCompare={(a, b) => navigate({ tab: 'compare', candidateId: a, otherId: b })}
          onDecided={() => {
            live.markRunning();
            live.refresh();
          }}
          onRun={() => {
            live.markRunning();
            postJson(`/api/explorations/${encodeURIComponent(id)}/run`, {})
              .catch(() => undefined)
              .finally(live.refresh);
          }}
        />
      );
    case 'tree':
      return <TreeView entries={detail.candidates} lensNames={lensNames} selectedId={route.candidateId} chosenId={chosenId} boardIds={detail.board.cards.map((card) => card.candidateId)} onSelect={(candidateId) => navigate({ candidateId })} onOpen={open} onCompare={compare} />;
    case 'candidate': {
      const candidateId = route.candidateId ?? detail.board.cards[0]?.candidateId ?? null;
      return candidateId === null ? <p className="muted">No candidates yet.</p> : <CandidateDetail explorationId={id} candidateId={candidateId} onOpen={open} onCompare={compare} />;
    }
    case 'compare':
      return <CompareView explorationId={id} entries={detail.candidates} leftId={route.candidateId} rightId={route.otherId} onChange={(left, right) => navigate({ candidateId: left, otherId: right })} />;
    case 'charts':
      return (
        <Suspense fallback={<p className="muted">Loading the charts…</p>}>
          <ChartsView explorationId={id} version={live.version} lensNames={lensNames} />
        </Suspense>
      );
    case 'ledger':
      return <LedgerView detail={detail} onFork={onFork} />;
  }
}

/** The accepted candidate, whose path the tree highlights. */
function acceptedCandidate(detail: ExplorationDetail | null): string | null {
  const accepted = detail?.ledger.filter((entry) => entry.decision?.action === 'accept').at(-1);
  return accepted?.decision?.candidateIds[0] ?? null;
}

/** ← and → move between tabs (the usual tablist keys); Home and End go to the first and last. */
function moveBetweenTabs(event: KeyboardEvent<HTMLDivElement>, current: Tab, go: (tab: Tab) => void): void {
  const at = TABS.indexOf(current);
  const next = { ArrowRight: TABS[(at + 1) % TABS.length], ArrowLeft: TABS[(at - 1 + TABS.length) % TABS.length], Home: TABS[0], End: TABS[TABS.length - 1] }[event.key];
  if (!next) return;
  event.preventDefault();
  go(next);
  event.currentTarget.querySelector<HTMLButtonElement>(`[data-tab="${next}"]`)?.focus();
}
