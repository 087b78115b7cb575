import type { CandidateView, ExplorationView } from '../steer/views.js';
import type { RunOutcome } from '../steer/steering.js';
import type { Board, BoardCard } from '../steer/types.js';
import type { ExplorationRecord } from '../store/store.js';
import { shortId } from './io.js';
import { budgetAddedText } from '../steer/ledger.js';

/**
 * Plain-text views for the terminal. Model text is shown as text, indented under Baton's own
 * lines so it cannot pass for them.
 */

export function renderOutcome(outcome: RunOutcome): string {
  const lines: string[] = [];
  const id = outcome.explorationId;
  lines.push(`Exploration ${id} · ${outcome.status} · models: ${outcome.board.label}`);
  if (outcome.status === 'awaiting' && outcome.checkpoint) {
    lines.push('', `Checkpoint ${shortId(outcome.checkpoint.id)} — Baton stopped because:`);
    // The same reason for several candidates reads once, with all of them.
    const grouped = new Map<string, { kind: string; reason: string; ids: string[] }>();
    for (const r of outcome.checkpoint.reasons) {
      const key = `${r.kind}\u0000${r.reason}`;
      const entry = grouped.get(key) ?? { kind: r.kind, reason: r.reason, ids: [] };
      entry.ids.push(...r.candidateIds.map(shortId));
      grouped.set(key, entry);
    }
    for (const g of grouped.values()) lines.push(`  • ${g.kind}${g.ids.length > 0 ? ` (${[...new Set(g.ids)].join(', ')})` : ''}: ${g.reason}`);
  } else if (outcome.endReason) {
    lines.push('', `Ended: ${outcome.endReason}`);
  }
  lines.push('', renderBoard(outcome.board));
  if (outcome.status === 'awaiting') {
    lines.push(
      '',
      'Decide, with a reason:',
      `  baton decide ${id} deepen <candidate> --feedback "what to change" --why "…"`,
      `  baton decide ${id} accept <candidate> --why "…"`,
      `  baton decide ${id} prune|combine|lens|redirect|continue … --why "…"   (baton decide --help)`,
    );
  } else if (outcome.status === 'accepted') {
    lines.push('', `Export the result and its record: baton export ${id} --format md -o result.md`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderBoard(board: Board): string {
  const lines: string[] = [];
  const s = board.spend;
  const budget = (spent: number, limit: number | undefined): string => (limit ? `${spent}/${limit}` : `${spent}`);
  lines.push(
    `Board · ${board.candidates} candidates · calls ${budget(s.calls, s.budget.calls)} · tokens ${budget(s.tokens, s.budget.tokens)} · $${s.usd.toFixed(4)}${s.estimatedCalls ? ` (estimated: ${s.estimatedCalls} call(s) reported no usage)` : ''}${s.possiblyBilled ? ` · ${s.possiblyBilled} possibly billed` : ''}`,
  );
  if (board.pilot) lines.push('', ...renderPilot(board.pilot));
  if (board.cards.length === 0) lines.push('  (no judged candidates yet)');
  for (const card of board.cards) lines.push('', ...renderCard(card));
  if (board.pairwise) lines.push('', ...renderPairwise(board.pairwise));
  if (board.tradeOffs.length > 0) {
    lines.push('', 'Trade-offs:');
    for (const t of board.tradeOffs) {
      lines.push(`  ${shortId(t.a)} wins on ${t.aWins.join(', ')} · ${shortId(t.b)} wins on ${t.bWins.join(', ')}`);
    }
  }
  if (board.assumed && board.assumed.length > 0) {
    lines.push('', 'Assumed since you last looked (reverse one: baton decide <exploration> reverse --assumption <a> --why "…"):');
    for (const a of board.assumed) lines.push(`  ${shortId(a.assumptionId)}${a.reversed ? ' (reversed)' : ''}  ${a.summary.replace(/x[0-9a-z]+\.(c\d+)/gu, '$1')}`);
  }
  if (board.directions && board.directions.length > 0) {
    // Every direction in a compact row, card or not: nothing the person might want is hidden.
    lines.push('', 'Directions (lens · best · candidates · seen):');
    for (const d of board.directions) {
      const seen = d.onBoard ? 'on the board' : d.seen ? 'seen before' : 'not seen yet';
      lines.push(`  ${d.lensId.padEnd(18)} ${d.best === null ? '   —' : pct(d.best).padStart(4)}${d.bestId ? ` ${shortId(d.bestId)}` : ''} · ${d.candidates} · ${seen}`);
    }
  } else if (board.lenses.length > 0) {
    lines.push('', `Lens coverage: ${board.lenses.map((l) => `${l.lensId} ${l.candidates}${l.candidates ? ` (best ${pct(l.best)})` : ''}`).join(' · ')}`);
  }
  return lines.join('\n');
}

function renderPilot(pilot: NonNullable<Board['pilot']>): string[] {
  const lines = [`Pilot — how each criterion scored on ${pilot.candidates} candidates, and why (sharpen a criterion with: baton decide <exploration> redirect --brief FILE --why "…"):`];
  for (const c of pilot.criteria) {
    const range = c.mean === null ? 'not scored on any' : `mean ${c.mean} (${c.min}–${c.max}), ${c.met} of ${pilot.candidates} at its bar ${c.bar}`;
    lines.push(`  ${c.criterion}${c.by === 'check' ? ' (checked by code)' : ''}: ${range}${c.unscored > 0 ? ` · not scored on ${c.unscored}` : ''}`);
    for (const s of c.scores) lines.push(`      ${shortId(s.candidateId)} ${s.score ?? 'not scored'} — ${clip(s.reason, 110)}`);
  }
  return lines;
}

function renderPairwise(pairwise: NonNullable<Board['pairwise']>): string[] {
  const lines = [`Pairwise rank (contenders compared in pairs, both orders; Bradley–Terry): ${pairwise.note}`];
  for (const [i, r] of pairwise.ranking.entries()) {
    lines.push(`  ${i + 1}. ${shortId(r.candidateId)}  strength ${r.strength.toFixed(2)} · won ${r.wins} of ${r.comparisons} · rubric rank ${r.rubricRank}`);
  }
  return lines;
}

function renderCard(card: BoardCard): string[] {
  const lines = [
    `  ${shortId(card.candidateId)}  [${card.roles.join(', ')}]  ${card.kind} · lens ${card.lensName} · depth ${card.depth} · quality ${pct(card.quality)} · novelty ${card.novelty.toFixed(2)} · ${card.words} words${card.taste !== undefined ? ` · taste ${card.taste >= 0 ? '+' : ''}${card.taste.toFixed(2)}` : ''}`,
    `      scores: ${card.scores.map((s) => `${s.criterion} ${s.score ?? 'not scored'}`).join(' · ')}`,
    `      why on the board: ${card.why}`,
  ];
  for (const s of card.scores) {
    if (s.jurors) lines.push(`      jury on ${s.criterion}: ${s.jurors.map((j) => `${j.judge} ${j.score ?? 'not scored'} (${clip(j.reason, 90)})`).join(' · ')}`);
  }
  if (card.flags.length > 0) lines.push(`      flags: ${card.flags.map((f) => `${f.kind} (${f.reason})`).join('; ')}`);
  if (card.failed.length > 0) lines.push(`      failed: ${card.failed.join('; ')}`);
  if (card.exhausted) lines.push(`      exhausted: ${card.exhausted}`);
  lines.push(`      │ ${card.excerpt}`);
  return lines;
}

export function renderList(records: readonly ExplorationRecord[]): string {
  if (records.length === 0) return 'No explorations yet. Start one: baton run <brief.md>  (or try: baton demo)\n';
  const rows = records.map((r) => [r.id, r.status, r.model, r.updatedAt.slice(0, 19).replace('T', ' '), r.title]);
  const header = ['exploration', 'status', 'model', 'updated', 'question'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function renderExploration(view: ExplorationView): string {
  const r = view.record;
  const lines = [
    `Exploration ${r.id} · ${r.status} · models: ${view.label}`,
    `Question: ${view.brief.brief.question}`,
    `Brief version ${view.brief.version}${view.brief.path ? ` (${view.brief.path})` : ''} · seed ${r.seed} · started ${r.createdAt}`,
    '',
    'Tree:',
  ];
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const c of view.candidates) {
    const parent = c.parentIds[0];
    if (parent) children.set(parent, [...(children.get(parent) ?? []), c.id]);
    else roots.push(c.id);
  }
  const byId = new Map(view.candidates.map((c) => [c.id, c]));
  const walk = (id: string, depth: number): void => {
    const c = byId.get(id);
    if (!c) return;
    const marks = [c.duplicateOf ? `copy of ${shortId(c.duplicateOf)}` : '', c.pruned ? 'pruned' : '', c.exhausted ? `exhausted: ${c.exhausted}` : ''].filter(Boolean).join(' · ');
    const extra = c.parentIds.length > 1 ? ` (+ ${c.parentIds.slice(1).map(shortId).join(', ')})` : '';
    lines.push(`${'  '.repeat(depth + 1)}${shortId(id)} ${c.kind}${extra} · ${c.lensId} · ${c.quality === null ? 'unjudged' : pct(c.quality)}${marks ? ` · ${marks}` : ''}`);
    for (const child of children.get(id) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  if (view.candidates.length === 0) lines.push('  (no candidates yet)');
  lines.push('', 'Ledger:');
  if (view.ledger.length === 0) lines.push('  (no checkpoints yet)');
  for (const entry of view.ledger) {
    if (entry.assumption) {
      const a = entry.assumption;
      lines.push(`  ${shortId(a.id)} assumed for: ${entry.reasons.map((x) => x.kind).join(', ')}`);
      lines.push(`    → ${a.action} ${a.candidateIds.map(shortId).join(' ')} — confidence ${pct(a.confidence)}${a.reversedBy ? ` · reversed by ${shortId(a.reversedBy)}` : ''}`);
      continue;
    }
    if (entry.reversal) {
      const r = entry.reversal;
      lines.push(`  ${shortId(r.id)} reversed ${shortId(r.assumptionId)}${r.prunedIds.length ? ` (pruned ${r.prunedIds.map(shortId).join(' ')})` : ''} — why: ${r.reason ?? '(no reason given)'}`);
      continue;
    }
    if (entry.reopening) {
      const o = entry.reopening;
      lines.push(`  ${shortId(o.id)} reopened (had ended ${o.from}; ${budgetAddedText(o.budget)}) — why: ${o.reason ?? '(no reason given)'}`);
      continue;
    }
    if (entry.checkpointId && entry.raisedAt) {
      lines.push(`  ${shortId(entry.checkpointId)} raised for: ${entry.reasons.map((x) => x.kind).join(', ')}`);
    }
    const d = entry.decision;
    if (d) {
      const targets = d.candidateIds.map(shortId).join(' ');
      lines.push(`    → ${d.action}${targets ? ` ${targets}` : ''}${d.lens ? ` (${d.lens})` : ''} — why: ${d.reason ?? '(no reason given)'}`);
      if (d.feedback) lines.push(`      feedback: ${d.feedback}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderCandidate(view: CandidateView): string {
  const c = view.candidate;
  const j = view.judgment;
  const lines = [
    `Candidate ${c.id} · ${c.kind} · lens ${view.lens?.name ?? c.lensId} · depth ${c.depth} · model ${c.model}`,
    `Lineage: ${view.lineage.map(shortId).join(' → ')}${view.children.length ? ` · children: ${view.children.map(shortId).join(', ')}` : ''}`,
  ];
  if (j) {
    lines.push(`Quality ${pct(j.quality)} · novelty ${j.novelty.toFixed(2)}${j.parentSimilarity !== null ? ` · similarity to parent ${j.parentSimilarity.toFixed(2)}` : ''} · judged by ${j.judge}`);
    for (const s of j.scores) {
      lines.push(`  ${s.criterion.padEnd(18)} ${(s.score === null ? 'not scored' : String(s.score)).padStart(4)}  ${s.reason}`);
      for (const juror of s.jurors ?? []) lines.push(`  ${''.padEnd(18)}   · ${juror.judge}: ${juror.score ?? 'not scored'} — ${juror.reason}`);
    }
    for (const f of j.failed) lines.push(`  FAILED ${f.constraint}: ${f.reason}`);
    for (const f of j.flags) lines.push(`  flag ${f.kind}: ${f.reason}`);
    if (j.critique) lines.push(`Critique: ${j.critique}`);
  } else {
    lines.push('Not judged yet.');
  }
  if (view.exhausted) lines.push(`Path exhausted: ${view.exhausted}`);
  if (view.pruned) lines.push('Pruned.');
  lines.push('', ...c.text.split('\n').map((line) => `  │ ${line}`));
  return `${lines.join('\n')}\n`;
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
