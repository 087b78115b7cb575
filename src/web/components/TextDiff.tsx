import { diffWords } from 'diff';
import type { ChangeObject } from 'diff';
import { useMemo } from 'react';
import type { ReactElement } from 'react';

/** Word-level differences between two texts, as text (model output is never HTML here). */
export function useWordDiff(before: string, after: string): ChangeObject<string>[] {
  return useMemo(() => diffWords(before, after), [before, after]);
}

/** Before and after in one flow: removed words struck through, added words marked. */
export function InlineDiff({ before, after }: { before: string; after: string }): ReactElement {
  const changes = useWordDiff(before, after);
  return (
    <div className="diff model-text plain" aria-label="Differences">
      {changes.map((change, index) =>
        change.added ? (
          <ins key={index}>{change.value}</ins>
        ) : change.removed ? (
          <del key={index}>{change.value}</del>
        ) : (
          <span key={index}>{change.value}</span>
        ),
      )}
    </div>
  );
}

/** One side of a side-by-side comparison: this side's words, its own changes marked. */
export function DiffSide({ changes, side, onlyDifferences }: { changes: ChangeObject<string>[]; side: 'left' | 'right'; onlyDifferences: boolean }): ReactElement {
  const parts: ReactElement[] = [];
  changes.forEach((change, index) => {
    if (side === 'left' && change.added) return;
    if (side === 'right' && change.removed) return;
    if (change.added || change.removed) {
      parts.push(side === 'left' ? <del key={index}>{change.value}</del> : <ins key={index}>{change.value}</ins>);
    } else if (onlyDifferences) {
      parts.push(
        <span key={index} className="elided">
          {elide(change.value)}
        </span>,
      );
    } else {
      parts.push(<span key={index}>{change.value}</span>);
    }
  });
  return <div className="diff model-text plain">{parts}</div>;
}

/** Shared text between differences, cut down to a few words of context either side. */
function elide(text: string): string {
  const words = text.split(/(\s+)/);
  if (words.length <= 13) return text;
  return `${words.slice(0, 6).join('')} … ${words.slice(-6).join('')}`;
}
