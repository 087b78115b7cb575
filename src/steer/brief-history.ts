import type { Brief, Constraint } from '../brief/schema.js';
import type { Store } from '../store/store.js';
import { markdownInline } from '../util/sanitize/markdown.js';

/**
 * The brief's versions over an exploration, and what each redirect changed: for the export, so
 * the record of why says what the person asked for at each point, not only the last brief.
 */

export interface BriefHistoryEntry {
  version: number;
  briefId: string;
  createdAt: string;
  note: string | null;
  /** What changed from the version before, in words; empty for the first. */
  changes: string[];
}

/** The versions in force over an exploration: its first brief, then one per redirect. */
export async function briefHistory(store: Store, firstBriefId: string, redirectedTo: readonly string[]): Promise<BriefHistoryEntry[]> {
  const ids = [firstBriefId, ...redirectedTo.filter((id, i, all) => id !== firstBriefId && all.indexOf(id) === i)];
  const versions = (await Promise.all(ids.map((id) => store.getBrief(id)))).filter((v) => v !== undefined);
  return versions.map((version, i) => ({
    version: version.version,
    briefId: version.id,
    createdAt: version.createdAt,
    note: version.note,
    changes: i === 0 ? [] : briefChanges((versions[i - 1] as typeof version).brief, version.brief),
  }));
}

/** What changed between two versions of a brief, field by field, in words. */
export function briefChanges(before: Brief, after: Brief): string[] {
  const changes: string[] = [];
  const text = (label: string, a: string | undefined, b: string | undefined): void => {
    if ((a ?? '') !== (b ?? '')) changes.push(b ? `${label}: “${a ?? ''}” → “${b}”` : `${label} removed (was “${a ?? ''}”)`);
  };
  text('question', before.question, after.question);
  text('intent', before.intent, after.intent);
  text('context', before.context, after.context);
  const constraintText = (c: Constraint): string => c.text;
  listChange(changes, 'constraint', before.constraints.map(constraintText), after.constraints.map(constraintText));
  const criteria = (brief: Brief): Map<string, string> => new Map(brief.criteria.map((c) => [c.id, `${c.text ?? 'checked by code'} (weight ${c.weight})`]));
  const [was, now] = [criteria(before), criteria(after)];
  for (const [id, value] of now) {
    if (!was.has(id)) changes.push(`criterion \`${id}\` added: ${value}`);
    else if (was.get(id) !== value) changes.push(`criterion \`${id}\`: ${was.get(id) ?? ''} → ${value}`);
  }
  for (const id of was.keys()) if (!now.has(id)) changes.push(`criterion \`${id}\` removed`);
  const lensIds = (brief: Brief): string[] => (brief.lenses === 'auto' ? ['auto'] : brief.lenses.map((l) => l.id));
  listChange(changes, 'lens', lensIds(before), lensIds(after));
  if (JSON.stringify(before.budget) !== JSON.stringify(after.budget)) changes.push(`budget: ${JSON.stringify(before.budget)} → ${JSON.stringify(after.budget)}`);
  if (before.attention !== after.attention) changes.push(`attention: ${before.attention} → ${after.attention}`);
  if (changes.length === 0) changes.push('no change to the brief’s fields (the wording of its body only)');
  return changes;
}

function listChange(changes: string[], what: string, before: readonly string[], after: readonly string[]): void {
  for (const item of after) if (!before.includes(item)) changes.push(`${what} added: “${item}”`);
  for (const item of before) if (!after.includes(item)) changes.push(`${what} removed: “${item}”`);
}

/** The export's sections for the constraints and the brief's versions, as Markdown lines. */
export function renderBriefRecord(constraints: ReadonlyArray<{ kind: string; text: string }>, history: readonly BriefHistoryEntry[]): string[] {
  const out: string[] = ['### Constraints', ''];
  if (constraints.length === 0) out.push('_None._');
  for (const c of constraints) out.push(`- ${markdownInline(c.text)} (${c.kind === 'check' ? 'checked by code' : 'judged'})`);
  out.push('');
  if (history.length > 1) {
    out.push('### Versions of the brief', '');
    for (const entry of history) {
      const note = entry.note ? ` — ${markdownInline(entry.note)}` : '';
      out.push(`- **Version ${entry.version}** (${entry.createdAt})${note}${entry.changes.length === 0 ? ': the brief the exploration started from' : ':'}`);
      for (const change of entry.changes) out.push(`  - ${markdownInline(change)}`);
    }
    out.push('');
  }
  return out;
}
