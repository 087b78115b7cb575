import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ElicitRequestFormParams } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { DecideOptions } from '../baton.js';
import type { RunOutcome } from '../steer/steering.js';
import type { Board } from '../steer/types.js';
import type { McpContext } from './context.js';
import { outcomeResult, plainText } from './results.js';

/**
 * A checkpoint reaching the person through the client: `elicitation/create` (form mode) with the
 * board as the message and the decision as the form. Clients without the capability — or a person
 * who declines — get the board as the tool result, to decide with the `decide` tool.
 */

/** Actions that fit a form; `redirect` needs a whole brief and stays with the decide tool. */
const FORM_ACTIONS = ['continue', 'deepen', 'prune', 'combine', 'accept', 'lens'] as const;

const Answer = z.object({
  action: z.enum(FORM_ACTIONS),
  candidates: z.string().max(2000).optional(),
  reason: z.string().trim().min(1).max(4000),
  feedback: z.string().max(4000).optional(),
  lens: z.string().max(2000).optional(),
});

export async function askAtCheckpoint(server: McpServer, ctx: McpContext, result: RunOutcome, signal: AbortSignal): Promise<CallToolResult | null> {
  if (!server.server.getClientCapabilities()?.elicitation?.form) return null;
  const params: ElicitRequestFormParams = {
    mode: 'form',
    message: boardMessage(result.board),
    requestedSchema: {
      type: 'object',
      properties: {
        action: {
          type: 'string',
          title: 'Decision',
          enum: [...FORM_ACTIONS],
          enumNames: ['Continue exploring', 'Deepen candidates', 'Prune candidates', 'Combine two candidates', 'Accept a candidate', 'Try a lens'],
        },
        candidates: { type: 'string', title: 'Candidates', description: 'Ids as shown (c3, c7), separated by spaces or commas' },
        reason: { type: 'string', title: 'Why', description: 'Kept in the ledger with the decision', minLength: 1 },
        feedback: { type: 'string', title: 'Feedback', description: 'What to change (deepen, combine, lens)' },
        lens: { type: 'string', title: 'Lens', description: 'For "Try a lens": a built-in lens id or the text of a new lens' },
      },
      required: ['action', 'reason'],
    },
  };
  const answer = await server.server.elicitInput(params, { signal });
  if (answer.action !== 'accept') return null;
  const parsed = Answer.safeParse(answer.content ?? {});
  if (!parsed.success) return null;
  const { action, candidates, reason, feedback, lens } = parsed.data;
  const input: DecideOptions = { action, reason, run: false };
  const ids = (candidates ?? '').split(/[\s,]+/u).filter((s) => s.length > 0);
  if (ids.length > 0) input.candidateIds = ids;
  if (feedback?.trim()) input.feedback = feedback;
  if (lens?.trim()) input.lens = lens;
  const { decision, outcome } = await ctx.runs.with(result.explorationId, () => ctx.baton.decide(result.explorationId, input)).finally(() => ctx.changed(result.explorationId));
  const next = outcome.status === 'running' ? 'Call run_to_checkpoint to explore on.' : '';
  return outcomeResult(outcome, `The person decided: ${decision.action} (${decision.reason ?? ''}). ${next}`, { decision });
}

/** The board as a short plain-text message for the person (model text stripped of control characters). */
export function boardMessage(board: Board): string {
  const lines = [`Baton needs your judgment on exploration ${board.explorationId}${board.label ? ` (${board.label})` : ''}.`];
  for (const reason of board.reasons) lines.push(`• ${reason.kind}: ${plainText(reason.reason)}`);
  lines.push('');
  for (const card of board.cards.slice(0, 8)) {
    const short = card.candidateId.slice(card.candidateId.lastIndexOf('.') + 1);
    lines.push(`${short} — quality ${card.quality.toFixed(1)}, ${card.roles.join(', ')}, lens ${plainText(card.lensName)}${card.flags.length ? `, flags: ${card.flags.map((f) => f.kind).join(', ')}` : ''}`);
    lines.push(`   ${plainText(card.excerpt).replace(/\s+/gu, ' ').slice(0, 300)}`);
  }
  const s = board.spend;
  lines.push('', `Spent ${s.calls} calls, ${s.tokens} tokens, $${s.usd.toFixed(4)}.`);
  return lines.join('\n');
}
