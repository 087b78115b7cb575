import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent, MouseEvent, PointerEvent, ReactElement } from 'react';
import { lensColour, MUTED } from '../lenses.js';
import type { TreeLayout } from '../tree-layout.js';
import { layoutTree, pathToRoot } from '../tree-layout.js';
import type { TreeEntry } from '../types.js';
import { formatQuality, formatScore } from '../format.js';
import { useStableEntries } from '../stable-entries.js';

interface TreeViewProps {
  entries: readonly TreeEntry[];
  lensNames: ReadonlyMap<string, string>;
  selectedId: string | null;
  /** The accepted candidate, whose path is highlighted (else the selected one's). */
  chosenId: string | null;
  /** The candidates on the board now: ringed in the tree. */
  boardIds?: readonly string[];
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  onCompare: (id: string) => void;
}

/**
 * The exploration as one SVG: simple shapes, one element per candidate, laid out once per data
 * change. The big layer is memoised, so selecting a node re-renders only the highlight layer.
 * Keyboard: ↑/↓ walk the rows, ← goes to the parent, → to the first child, Enter opens.
 */
export function TreeView({ entries, lensNames, selectedId, chosenId, boardIds = [], onSelect, onOpen, onCompare }: TreeViewProps): ReactElement {
  const stable = useStableEntries(entries);
  const layout = useMemo(() => layoutTree(stable), [stable]);
  const scroller = useRef<HTMLDivElement>(null);
  const selected = selectedId === null ? undefined : layout.nodes.get(selectedId);
  const [scale, setScale] = useState<number | null>(null);
  const [hoveredId, setHoveredId] = useState<string | null>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(null);

  /** The scale at which the whole tree fills the panel (never blown up past 3×). */
  const fitScale = useCallback((): number => {
    const box = scroller.current;
    if (!box || layout.width === 0 || layout.height === 0) return 1;
    return clampScale(Math.min((box.clientWidth - 8) / layout.width, (box.clientHeight - 8) / layout.height, MAX_FIT_SCALE));
  }, [layout]);
  // First drawn fitted to its panel; then the person's zoom is kept while candidates arrive.
  useLayoutEffect(() => {
    // A large tree starts legible (not shrunk to dots); "Fit to screen" shows all of it.
    if (scale === null) setScale(Math.max(1, fitScale()));
  }, [scale, fitScale]);
  const zoom = scale ?? 1;
  const zoomBy = (factor: number): void => setScale((current) => clampScale((current ?? 1) * factor));

  useEffect(() => {
    const box = scroller.current;
    if (!box || !selected) return;
    const [x, y] = [selected.x * zoom, selected.y * zoom];
    const inView = x >= box.scrollLeft && x <= box.scrollLeft + box.clientWidth && y >= box.scrollTop && y <= box.scrollTop + box.clientHeight;
    if (!inView) box.scrollTo({ left: Math.max(0, x - box.clientWidth / 2), top: Math.max(0, y - box.clientHeight / 2) });
  }, [selected, zoom]);

  const onClick = (event: MouseEvent<SVGSVGElement>): void => {
    if (drag.current?.moved) return;
    const id = (event.target as Element).closest('[data-candidate]')?.getAttribute('data-candidate');
    if (id) onSelect(id);
  };
  const onHover = (event: MouseEvent<SVGSVGElement>): void => {
    setHoveredId((event.target as Element).closest('[data-candidate]')?.getAttribute('data-candidate') ?? null);
  };
  // Drag to pan (the panel scrolls; wheel and touch scroll it natively).
  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    const box = scroller.current;
    if (!box || event.pointerType === 'touch' || event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop, moved: false };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const box = scroller.current;
    const start = drag.current;
    if (!box || !start) return;
    const [dx, dy] = [event.clientX - start.x, event.clientY - start.y];
    if (Math.abs(dx) + Math.abs(dy) > 4) start.moved = true;
    box.scrollLeft = start.left - dx;
    box.scrollTop = start.top - dy;
  };
  const onPointerUp = (): void => {
    // The click that ends a drag comes after pointerup: forget the drag once it has passed.
    window.setTimeout(() => (drag.current = null), 0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const zoomKeys: Record<string, () => void> = { '+': () => zoomBy(1.25), '=': () => zoomBy(1.25), '-': () => zoomBy(0.8), '0': () => setScale(fitScale()) };
    const zoomKey = zoomKeys[event.key];
    if (zoomKey) {
      zoomKey();
      event.preventDefault();
      return;
    }
    const next = keyboardMove(layout, selectedId, event.key);
    if (next === 'open') {
      if (selectedId) onOpen(selectedId);
    } else if (next) onSelect(next);
    else return;
    event.preventDefault();
  };

  const lenses = useMemo(() => [...new Set(stable.map((entry) => entry.lensId))], [stable]);

  return (
    <section className="tree-view" aria-label="Exploration tree">
      <div className="tree-toolbar">
        <ul className="legend" aria-label="Lenses">
          {lenses.map((lensId) => (
            <li key={lensId}>
              <span className="swatch" style={{ background: lensColour(lensId) }} aria-hidden="true" />
              {lensNames.get(lensId) ?? lensId}
            </li>
          ))}
          <li>
            <span className="swatch" style={{ background: MUTED }} aria-hidden="true" />
            exhausted or pruned
          </li>
          <li>
            <span className="swatch hollow" style={{ borderColor: MUTED }} aria-hidden="true" />
            copy of an earlier candidate
          </li>
        </ul>
        <div className="row tree-zoom" role="group" aria-label="Zoom">
          <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
            −
          </button>
          <span className="muted" aria-live="polite">
            {Math.round(zoom * 100)}%
          </span>
          <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={() => setScale(fitScale())}>
            Fit to screen
          </button>
          <span className="muted">{entries.length} candidates</span>
        </div>
      </div>
      <div className="tree-body">
        <div
          className="tree-scroll"
          // The panel takes the drawing's proportions (within limits), not an empty box, and is
          // never wider than the drawing at its largest fitted scale (3×): a small tree fills it.
          style={
            {
              '--tree-aspect': `${Math.max(1, layout.width)} / ${Math.max(1, layout.height)}`,
              maxWidth: `${Math.ceil(Math.max(1, layout.width) * MAX_FIT_SCALE) + 12}px`,
            } as CSSProperties
          }
          ref={scroller}
          tabIndex={0}
          role="application"
          aria-label="Tree of candidates: arrow keys move, Enter opens, + and − zoom, 0 fits"
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={onPointerUp}
        >
          <svg width={Math.ceil(layout.width * zoom)} height={Math.ceil(layout.height * zoom)} viewBox={`0 0 ${layout.width} ${layout.height}`} onClick={onClick} onMouseOver={onHover} onMouseLeave={() => setHoveredId(null)} data-testid="tree-svg">
            <TreeLayer layout={layout} />
            <Highlight layout={layout} selectedId={selectedId} chosenId={chosenId} boardIds={boardIds} />
            <NodeLabel layout={layout} id={hoveredId ?? selectedId} lensNames={lensNames} zoom={zoom} />
          </svg>
        </div>
        <aside className="tree-selection" aria-live="polite">
          {selected ? (
            <>
              <h3>{selected.entry.id}</h3>
              <dl>
                <dt>lens</dt>
                <dd>
                  <span className="swatch" style={{ background: lensColour(selected.entry.lensId) }} aria-hidden="true" /> {lensNames.get(selected.entry.lensId) ?? selected.entry.lensId}
                </dd>
                <dt>move</dt>
                <dd>
                  {selected.entry.kind}, depth {selected.entry.depth}
                </dd>
                <dt>quality</dt>
                <dd>{formatQuality(selected.entry.quality)}</dd>
                <dt>novelty</dt>
                <dd>{formatScore(selected.entry.novelty)}</dd>
                {selected.entry.exhausted && (
                  <>
                    <dt>exhausted</dt>
                    <dd>{selected.entry.exhausted}</dd>
                  </>
                )}
                {selected.entry.duplicateOf && (
                  <>
                    <dt>copy of</dt>
                    <dd>{selected.entry.duplicateOf} (same text: judged once, novelty 0)</dd>
                  </>
                )}
                {selected.entry.pruned && (
                  <>
                    <dt>pruned</dt>
                    <dd>yes</dd>
                  </>
                )}
              </dl>
              <div className="row">
                <button type="button" onClick={() => onOpen(selected.entry.id)}>
                  Open
                </button>
                <button type="button" onClick={() => onCompare(selected.entry.id)}>
                  Compare
                </button>
              </div>
            </>
          ) : (
            <p className="muted">Click a candidate (or focus the tree and use the arrow keys).</p>
          )}
        </aside>
      </div>
    </section>
  );
}

/** Every link and node; re-rendered only when the layout changes. */
const TreeLayer = memo(function TreeLayer({ layout }: { layout: TreeLayout }): ReactElement {
  const { linksByColour, nodes } = useMemo(() => {
    const byColour = new Map<string, string[]>();
    const shapes: ReactElement[] = [];
    for (const node of layout.nodes.values()) {
      const muted = node.entry.pruned || node.entry.exhausted !== null;
      const colour = muted ? MUTED : lensColour(node.entry.lensId);
      const parent = node.parentId === null ? undefined : layout.nodes.get(node.parentId);
      if (parent) push(byColour, colour, linkPath(parent, node));
      shapes.push(
        <circle
          key={node.entry.id}
          data-candidate={node.entry.id}
          cx={node.x}
          cy={node.y}
          r={3 + 3 * (node.entry.quality ?? 0)}
          fill={node.entry.duplicateOf ? 'none' : colour}
          stroke={node.entry.duplicateOf ? colour : undefined}
          className={`${muted ? 'node muted' : 'node'}${node.entry.duplicateOf ? ' duplicate' : ''}`}
        >
          <title>{`${node.entry.id} · ${node.entry.lensId} · quality ${formatQuality(node.entry.quality)}${node.entry.duplicateOf ? ` · copy of ${node.entry.duplicateOf}` : ''}`}</title>
        </circle>,
      );
    }
    for (const [from, to] of layout.extraLinks) {
      const a = layout.nodes.get(from);
      const b = layout.nodes.get(to);
      if (a && b) push(byColour, 'combine', linkPath(a, b));
    }
    return { linksByColour: [...byColour.entries()], nodes: shapes };
  }, [layout]);
  return (
    <g>
      {linksByColour.map(([colour, segments]) => (
        <path key={colour} d={segments.join('')} className={colour === 'combine' ? 'link combine' : 'link'} stroke={colour === 'combine' ? undefined : colour} fill="none" />
      ))}
      {nodes}
    </g>
  );
});

/** Fitting never blows a small tree up past this scale. */
const MAX_FIT_SCALE = 3;

function clampScale(value: number): number {
  return Math.min(4, Math.max(0.1, Number.isFinite(value) ? value : 1));
}

/** The label of the node under the pointer (else the selected one): id, quality and lens. */
function NodeLabel({ layout, id, lensNames, zoom }: { layout: TreeLayout; id: string | null; lensNames: ReadonlyMap<string, string>; zoom: number }): ReactElement | null {
  const node = id === null ? undefined : layout.nodes.get(id);
  if (!node) return null;
  const text = `${node.entry.id.slice(node.entry.id.lastIndexOf('.') + 1)} · ${formatQuality(node.entry.quality)} · ${lensNames.get(node.entry.lensId) ?? node.entry.lensId}`;
  // The same size on screen whatever the zoom.
  const size = 12 / zoom;
  const flip = node.x > layout.width * 0.6;
  return (
    <text x={node.x + (flip ? -12 : 12) / zoom} y={node.y - 10 / zoom} fontSize={size} textAnchor={flip ? 'end' : 'start'} className="node-label" pointerEvents="none">
      {text}
    </text>
  );
}

function Highlight({ layout, selectedId, chosenId, boardIds }: { layout: TreeLayout; selectedId: string | null; chosenId: string | null; boardIds: readonly string[] }): ReactElement | null {
  const path = pathToRoot(layout, chosenId ?? selectedId);
  const segments: string[] = [];
  for (let i = 1; i < path.length; i += 1) {
    const a = layout.nodes.get(path[i - 1] as string);
    const b = layout.nodes.get(path[i] as string);
    if (a && b) segments.push(linkPath(a, b));
  }
  const selected = selectedId === null ? undefined : layout.nodes.get(selectedId);
  const chosen = chosenId === null ? undefined : layout.nodes.get(chosenId);
  return (
    <g pointerEvents="none">
      {segments.length > 0 && <path d={segments.join('')} className={chosen ? 'chosen-path accepted' : 'chosen-path'} fill="none" />}
      {boardIds.map((id) => {
        const node = layout.nodes.get(id);
        return node ? <circle key={id} cx={node.x} cy={node.y} r={11} className="board-ring" /> : null;
      })}
      {chosen && <circle cx={chosen.x} cy={chosen.y} r={9} className="chosen-ring" />}
      {selected && <circle cx={selected.x} cy={selected.y} r={8} className="selected-ring" />}
    </g>
  );
}

function linkPath(a: { x: number; y: number }, b: { x: number; y: number }): string {
  const mid = (a.x + b.x) / 2;
  return `M${a.x},${a.y}C${mid},${a.y} ${mid},${b.y} ${b.x},${b.y}`;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function keyboardMove(layout: TreeLayout, selectedId: string | null, key: string): string | 'open' | null {
  if (key === 'Enter') return 'open';
  const node = selectedId === null ? undefined : layout.nodes.get(selectedId);
  if (!node) return ['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight'].includes(key) ? (layout.order[0] ?? null) : null;
  const at = layout.order.indexOf(node.entry.id);
  switch (key) {
    case 'ArrowDown':
      return layout.order[at + 1] ?? null;
    case 'ArrowUp':
      return at > 0 ? (layout.order[at - 1] ?? null) : null;
    case 'ArrowLeft':
      return node.parentId;
    case 'ArrowRight':
      return node.childIds[0] ?? null;
    default:
      return null;
  }
}
