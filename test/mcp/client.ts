import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { EXAMPLES } from '../support/cli.js';

/** Helpers shared by the MCP tests: the example brief, and tool calls that return structured content. */

export const STORY = readFileSync(join(EXAMPLES, 'lighthouse-story.md'), 'utf8');

export interface OutcomeContent {
  explorationId: string;
  status: string;
  checkpoint: { id: string; reasons: Array<{ kind: string }> } | null;
  board: { cards: Array<{ candidateId: string; quality: number }>; spend: { calls: number; usd: number }; label: string; candidates: number };
  decision?: { id: string; action: string; reason?: string };
}

export async function call(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, CallToolResultSchema, options)) as CallToolResult;
}

/** Calls a tool that must succeed; returns its structured content. */
export async function ok<T>(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}): Promise<T> {
  const result = await call(client, name, args, options);
  expect(result.isError ?? false, textOf(result)).toBe(false);
  return result.structuredContent as T;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Calls a tool that must fail as a tool error (not a protocol error); returns its message. */
export async function toolError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError, textOf(result)).toBe(true);
  return textOf(result);
}

export const shortId = (id: string): string => id.slice(id.lastIndexOf('.') + 1);
