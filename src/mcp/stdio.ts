import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ExclusiveRuns } from './context.js';
import type { McpServerOptions } from './server.js';
import { createMcpServer } from './server.js';

/**
 * `baton mcp`: the MCP server over stdio (stdout carries only the protocol; logs go to stderr).
 * Resolves when the client closes the connection (stdin ends) or `stop` resolves.
 */
export async function serveStdio(options: McpServerOptions, stop: Promise<void>): Promise<void> {
  const runs = options.runs ?? new ExclusiveRuns();
  const mcp = createMcpServer({ ...options, runs });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await mcp.server.connect(transport);
  await Promise.race([closed, stop]);
  // Closing aborts the runs in progress; they end after the moves in flight, before the store closes.
  await mcp.close();
  await runs.idle();
}
