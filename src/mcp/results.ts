import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { formatLocation, isBatonError } from '../errors.js';
import type { RunOutcome } from '../steer/steering.js';

/**
 * How Baton's answers and failures become MCP tool results. A user's mistake (a `BatonError`)
 * is a tool error carrying its located message, so the assistant can fix the call; anything else
 * is a bug: logged with its stack for the operator, and reported to the client without it.
 */

/** Text content for the assistant plus the same data as structured content. */
export function dataResult(summary: string, data: object): CallToolResult {
  return { content: [{ type: 'text', text: `${summary}\n\n${JSON.stringify(data, null, 2)}` }], structuredContent: data as Record<string, unknown> };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** A located, stack-free message for a failure; bugs are logged in full. */
export function describeFailure(error: unknown, log: (line: string) => void, where: string): string {
  if (isBatonError(error)) {
    const location = formatLocation(error.location);
    const field = error.location?.field;
    const prefix: string[] = [];
    if (location && !error.message.includes(location)) prefix.push(location);
    if (field && !error.message.includes(field) && !location.includes(field)) prefix.push(field);
    const details = error.details.slice(1, 20).map((d) => `\n  ${d}`).join('');
    return `${error.code}: ${[...prefix, error.message].join(': ')}${details}`;
  }
  log(`baton mcp: ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 'internal error — this is a bug; the server log has the details';
}

/** Runs a tool's work, turning any failure into a tool error (never a protocol crash). */
export async function toolCall(log: (line: string) => void, name: string, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return errorResult(describeFailure(error, log, name));
  }
}

/**
 * Model output and brief text shown to a person through a client (e.g. in an elicitation
 * message): control characters (terminal escapes) removed, lines kept.
 */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/gu, '');
}

/** A run's outcome as a tool result: what happened, and the board. */
export function outcomeResult(outcome: RunOutcome, prefix?: string, extra: object = {}): CallToolResult {
  const what =
    outcome.status === 'awaiting'
      ? `Checkpoint: ${outcome.board.reasons.map((r) => r.kind).join(', ') || 'a decision is needed'}. Decide with the decide tool (every action takes a reason).`
      : outcome.status !== 'running'
        ? `The exploration is ${outcome.status}${outcome.endReason ? `: ${outcome.endReason}` : ''}. export_result gives the result and its ledger.`
        : outcome.budgetExhausted
          ? 'The budget is spent.'
          : 'The exploration is running (call run_to_checkpoint to explore on).';
  const spend = outcome.board.spend;
  const summary = `${prefix ? `${prefix} ` : ''}${what} ${outcome.board.candidates} candidate(s); spent ${spend.calls} call(s), ${spend.tokens} tokens, $${spend.usd.toFixed(4)}${outcome.board.label ? ` (${outcome.board.label})` : ''}.`;
  return dataResult(summary, { ...extra, explorationId: outcome.explorationId, status: outcome.status, checkpoint: outcome.checkpoint, endReason: outcome.endReason, budgetExhausted: outcome.budgetExhausted, board: outcome.board });
}
