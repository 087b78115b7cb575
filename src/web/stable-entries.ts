import { useRef } from 'react';
import type { TreeEntry } from './types.js';

/**
 * The same array as last time when nothing the tree draws has changed, so a refresh after a
 * batch of events that did not touch the tree (a decision, a judgment of the same value) does
 * not lay out and redraw thousands of nodes.
 */
export function useStableEntries(entries: readonly TreeEntry[]): readonly TreeEntry[] {
  const last = useRef<{ key: string; entries: readonly TreeEntry[] } | null>(null);
  const key = entries.map((e) => `${e.id}|${e.parentIds.join(',')}|${e.lensId}|${e.quality ?? ''}|${e.exhausted ?? ''}|${e.pruned ? 1 : 0}`).join('\n');
  if (last.current?.key !== key) last.current = { key, entries };
  return last.current.entries;
}
