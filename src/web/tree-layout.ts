import { stratify, tree } from 'd3-hierarchy';
import type { TreeEntry } from './types.js';

/**
 * The exploration as a tree of paths, laid out once per data change. A candidate hangs under its
 * first parent; a combine's other parents are drawn as extra links. Pure, so it can be memoised.
 */

export const ROW = 14;
export const COLUMN = 96;
export const MARGIN = 24;

export interface LaidOutNode {
  entry: TreeEntry;
  x: number;
  y: number;
  parentId: string | null;
  childIds: string[];
}

export interface TreeLayout {
  nodes: Map<string, LaidOutNode>;
  /** Nodes in reading order (top to bottom, then left to right), for keyboard moves. */
  order: string[];
  width: number;
  height: number;
  /** Extra parent links of combines: [from, to]. */
  extraLinks: Array<[string, string]>;
}

const ROOT = '\u0000brief';

export function layoutTree(entries: readonly TreeEntry[]): TreeLayout {
  const known = new Set(entries.map((entry) => entry.id));
  const rows = [{ id: ROOT, parentId: null as string | null, entry: null as TreeEntry | null }];
  const extraLinks: Array<[string, string]> = [];
  for (const entry of entries) {
    const parents = entry.parentIds.filter((id) => known.has(id));
    rows.push({ id: entry.id, parentId: parents[0] ?? ROOT, entry });
    for (const other of parents.slice(1)) extraLinks.push([other, entry.id]);
  }
  const root = stratify<(typeof rows)[number]>()
    .id((row) => row.id)
    .parentId((row) => row.parentId)(rows);
  tree<(typeof rows)[number]>().nodeSize([ROW, COLUMN])(root);

  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = 0;
  root.each((node) => {
    if (node.data.entry === null) return;
    minX = Math.min(minX, node.x ?? 0);
    maxX = Math.max(maxX, node.x ?? 0);
    maxY = Math.max(maxY, node.y ?? 0);
  });
  if (!Number.isFinite(minX)) minX = maxX = 0;

  const nodes = new Map<string, LaidOutNode>();
  const order: Array<{ id: string; x: number; y: number }> = [];
  root.each((node) => {
    const entry = node.data.entry;
    if (entry === null) return;
    const x = (node.y ?? 0) - COLUMN + MARGIN;
    const y = (node.x ?? 0) - minX + MARGIN;
    nodes.set(entry.id, {
      entry,
      x,
      y,
      parentId: node.parent && node.parent.data.entry ? node.parent.data.id : null,
      childIds: (node.children ?? []).map((child) => child.data.id),
    });
    order.push({ id: entry.id, x, y });
  });
  order.sort((a, b) => a.y - b.y || a.x - b.x);
  return {
    nodes,
    order: order.map((node) => node.id),
    width: Math.max(0, maxY - COLUMN) + 2 * MARGIN + 8,
    height: maxX - minX + 2 * MARGIN,
    extraLinks,
  };
}

/** The path from an opening down to `id`, as ids. */
export function pathToRoot(layout: TreeLayout, id: string | null): string[] {
  const path: string[] = [];
  let current = id === null ? undefined : layout.nodes.get(id);
  while (current) {
    path.unshift(current.entry.id);
    current = current.parentId === null ? undefined : layout.nodes.get(current.parentId);
  }
  return path;
}
