import type { Brief } from '../brief/schema.js';
import type { CandidateNode, ExplorationState } from '../explore/state.js';
import { pathTo } from '../explore/state.js';
import type { BriefHistoryEntry } from './brief-history.js';
import { renderBriefRecord } from './brief-history.js';
import type { LedgerEntry } from './ledger.js';
import { budgetAddedText, buildLedger } from './ledger.js';
import type { Spend } from './types.js';
import { markdownCell, markdownInline as md, markdownQuote } from '../util/sanitize/markdown.js';

/**
 * The export: the result with the record of why — the accepted candidate (or, clearly marked,
 * the best so far), the path that led to it, the ledger with every reason, and the spend.
 */

export interface ExportInput {
  state: ExplorationState;
  brief: Brief;
  briefVersion: number;
  spend: Spend;
  label: string;
  title: string;
  /** The brief's versions over the exploration, with what each redirect changed. */
  history?: BriefHistoryEntry[];
}

export interface ExportDocument {
  exploration: string;
  title: string;
  status: string;
  label: string;
  accepted: boolean;
  brief: { version: number; intent: string | null; question: string; criteria: Array<{ id: string; text: string | null; weight: number }> };
  result: ExportStep | null;
  path: ExportStep[];
  ledger: LedgerEntry[];
  spend: Spend;
  candidates: number;
  /** The brief's hard limits in force at the end. */
  constraints: Array<{ kind: 'judged' | 'check'; text: string }>;
  /** Every version of the brief the exploration ran under, oldest first. */
  briefVersions: BriefHistoryEntry[];
}

export interface ExportStep {
  candidateId: string;
  parentIds: string[];
  kind: string;
  lensId: string;
  depth: number;
  quality: number | null;
  novelty: number | null;
  /** `score: null`: not scored (the judge gave no valid score), never the same as 0. */
  scores: Array<{ criterion: string; score: number | null; reason: string }>;
  failed: string[];
  feedback: string | null;
  text: string;
}

export function buildExport(input: ExportInput): ExportDocument {
  const { state } = input;
  const resultId = state.acceptedId ?? state.indexes.bestId;
  const path = resultId ? pathTo(state, resultId).map(step) : [];
  return {
    exploration: state.id,
    title: input.title,
    status: state.status,
    label: input.label,
    accepted: state.acceptedId !== null,
    brief: {
      version: input.briefVersion,
      intent: input.brief.intent ?? null,
      question: input.brief.question,
      criteria: input.brief.criteria.map((c) => ({ id: c.id, text: c.text ?? null, weight: c.weight })),
    },
    result: path[path.length - 1] ?? null,
    path,
    ledger: buildLedger(state),
    spend: input.spend,
    candidates: state.order.length,
    constraints: input.brief.constraints.map((c) => ({ kind: c.kind, text: c.text })),
    briefVersions: input.history ?? [],
  };
}

function step(node: CandidateNode): ExportStep {
  return {
    candidateId: node.candidate.id,
    parentIds: node.candidate.parentIds,
    kind: node.candidate.kind,
    lensId: node.candidate.lensId,
    depth: node.candidate.depth,
    quality: node.judgment?.quality ?? null,
    novelty: node.judgment?.novelty ?? null,
    scores: (node.judgment?.scores ?? []).map((s) => ({ criterion: s.criterion, score: s.score, reason: s.reason })),
    failed: (node.judgment?.failed ?? []).map((f) => `${f.constraint}: ${f.reason}`),
    feedback: node.feedback ?? null,
    text: node.candidate.text,
  };
}

/**
 * Markdown for people. Model text is quoted as a block so it cannot pass for Baton's own words;
 * every untrusted text (model, judge, brief, decision) passes the Markdown sanitizer, so viewing
 * the file runs no HTML and fetches no image.
 */
export function renderExportMarkdown(doc: ExportDocument): string {
  const out: string[] = [];
  out.push(`# ${md(doc.title)}`, '');
  out.push(`Exploration \`${doc.exploration}\` · status **${doc.status}** · models: ${md(doc.label)}`, '');
  if (doc.label.startsWith('rehearsal')) {
    out.push('> **Rehearsal:** produced by Baton\'s offline rehearsal model, not a real model.', '');
  }
  out.push('## Brief', '');
  if (doc.brief.intent) out.push(`- **Why:** ${md(doc.brief.intent)}`);
  out.push(`- **Question:** ${md(doc.brief.question)}`, `- **Version:** ${doc.brief.version}`);
  for (const c of doc.brief.criteria) out.push(`- **Criterion \`${c.id}\`** (weight ${c.weight}): ${c.text !== null ? md(c.text) : 'checked by code'}`);
  out.push('');
  out.push(...renderBriefRecord(doc.constraints, doc.briefVersions));
  out.push(doc.accepted ? '## Accepted result' : '## Best so far (not accepted yet)', '');
  if (doc.result) {
    out.push(`Candidate \`${doc.result.candidateId}\` · lens ${md(doc.result.lensId)} · quality ${pct(doc.result.quality)}`, '');
    out.push(markdownQuote(doc.result.text), '');
    out.push('| criterion | score | reason |', '|---|---|---|');
    for (const s of doc.result.scores) out.push(`| ${markdownCell(s.criterion)} | ${s.score ?? 'not scored'} | ${markdownCell(s.reason)} |`);
    out.push('');
  } else {
    out.push('_No candidate yet._', '');
  }
  out.push('## The path that led here', '');
  doc.path.forEach((s, i) => {
    const feedback = s.feedback ? ` · feedback: “${md(s.feedback)}”` : '';
    const also = s.parentIds.slice(1).map((id) => `\`${id}\``);
    const kind = also.length > 0 ? `${s.kind} (with ${also.join(', ')})` : s.kind;
    out.push(`${i + 1}. \`${s.candidateId}\` — ${kind} through ${md(s.lensId)}, quality ${pct(s.quality)}${feedback}`);
  });
  out.push('', '## Ledger', '');
  if (doc.ledger.length === 0) out.push('_No checkpoints or decisions._');
  for (const entry of doc.ledger) {
    const assumed = entry.assumption;
    if (assumed) {
      out.push(`### Assumed \`${assumed.id}\` (${entry.raisedAt ?? ''})`, '');
      for (const r of entry.reasons) out.push(`- **${r.kind}** — ${md(r.reason)}`);
      out.push(
        `- **Assumed:** ${assumed.action} ${assumed.candidateIds.map((id) => `\`${id}\``).join(', ')} — confidence ${pct(assumed.confidence)}, borne out by ${pct(assumed.backing.accuracy)} of ${assumed.backing.count} past predictions about as confident`,
      );
      if (assumed.reversedBy) out.push(`- Reversed by \`${assumed.reversedBy}\``);
      out.push('');
      continue;
    }
    const reversal = entry.reversal;
    if (reversal) {
      const pruned = reversal.prunedIds.length > 0 ? `; pruned ${reversal.prunedIds.map((id) => `\`${id}\``).join(', ')}` : '';
      out.push(`- **Reversed** \`${reversal.assumptionId}\`${pruned}`, `  - Why: ${reversal.reason !== undefined && reversal.reason !== null ? md(reversal.reason) : '_no reason given_'}`, '');
      continue;
    }
    const reopening = entry.reopening;
    if (reopening) {
      out.push(`- **Reopened** \`${reopening.id}\` (had ended ${reopening.from}; ${budgetAddedText(reopening.budget)})`, `  - Why: ${reopening.reason ?? '_no reason given_'}`, '');
      continue;
    }
    if (entry.checkpointId && entry.raisedAt) {
      out.push(`### Checkpoint \`${entry.checkpointId}\` (${entry.raisedAt})`, '');
      for (const r of entry.reasons) out.push(`- **${r.kind}** — ${md(r.reason)}`);
      if (entry.shown.length > 0) out.push(`- Shown: ${entry.shown.map((id) => `\`${id}\``).join(', ')}`);
    }
    const d = entry.decision;
    if (d) {
      const targets = d.candidateIds.length > 0 ? ` ${d.candidateIds.map((id) => `\`${id}\``).join(', ')}` : '';
      out.push(`- **Decision:** ${d.action}${targets}${d.lens ? ` (lens ${md(d.lens)})` : ''}`);
      out.push(`  - By: ${d.by !== null ? md(d.by) : 'the owner'}`);
      out.push(`  - Why: ${d.reason !== undefined && d.reason !== null ? md(d.reason) : '_no reason given_'}`);
      if (d.feedback) out.push(`  - Feedback: ${md(d.feedback)}`);
    }
    out.push('');
  }
  out.push('## Spend', '');
  const s = doc.spend;
  out.push(`- Model calls: ${s.calls}${s.budget.calls ? ` of ${s.budget.calls}` : ''}`);
  out.push(`- Tokens: ${s.tokens}${s.budget.tokens ? ` of ${s.budget.tokens}` : ''}`);
  out.push(`- Cost: $${s.usd.toFixed(4)}${s.budget.usd ? ` of $${s.budget.usd}` : ''}${s.estimatedCalls ? ` (estimated for ${s.estimatedCalls} call(s) whose provider reported no usage)` : ''}`);
  if (s.possiblyBilled > 0) out.push(`- Possibly billed (cut off by a crash): ${s.possiblyBilled} call(s)`);
  out.push(`- Candidates explored: ${doc.candidates}`, '');
  return out.join('\n');
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 100)}%`;
}
