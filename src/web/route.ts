import { useEffect, useState } from 'react';

/** Where the person is, kept in the URL hash so a reload (or a shared link) lands in the same place. */

export const TABS = ['board', 'tree', 'candidate', 'compare', 'brief', 'charts', 'ledger'] as const;
export type Tab = (typeof TABS)[number];

export interface Route {
  explorationId: string | null;
  tab: Tab;
  /** The candidate shown (candidate tab) or the pair compared (compare tab). */
  candidateId: string | null;
  otherId: string | null;
}

export function parseRoute(hash: string): Route {
  const [id, tab, candidateId, otherId] = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const knownTab = (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : id ? 'board' : 'brief';
  return { explorationId: id || null, tab: knownTab, candidateId: candidateId || null, otherId: otherId || null };
}

export function routeHash(route: Route): string {
  const parts = [route.explorationId ?? '', route.tab];
  if (route.candidateId) parts.push(route.candidateId);
  if (route.otherId) parts.push(route.otherId);
  return `#/${parts.map((part) => encodeURIComponent(part)).join('/')}`;
}

/**
 * `baton demo` and `baton serve` may open `/?exploration=ID`: that becomes `#/ID/board`, and the
 * query is dropped so a reload keeps whatever the person navigated to since.
 */
function initialRoute(): Route {
  const params = new URLSearchParams(window.location.search);
  const named = params.get('exploration');
  if (named && !window.location.hash) {
    const route: Route = { explorationId: named, tab: 'board', candidateId: null, otherId: null };
    window.history.replaceState(null, '', `/${routeHash(route)}`);
    return route;
  }
  return parseRoute(window.location.hash);
}

export function useRoute(): [Route, (next: Partial<Route>) => void] {
  const [route, setRoute] = useState(initialRoute);
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = (next: Partial<Route>): void => {
    const merged = { ...parseRoute(window.location.hash), ...next };
    window.location.hash = routeHash(merged);
  };
  return [route, navigate];
}
