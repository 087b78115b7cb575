import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { DecideOptions, ReopenOptions, RunOptions } from '../baton.js';
import type { Progress } from '../explore/engine.js';
import { DECISION_ACTIONS } from '../steer/types.js';
import { askAtCheckpoint } from './checkpoint.js';
import type { McpContext } from './context.js';
import { refuseModuleChecks } from './context.js';
import { dataResult, outcomeResult, toolCall } from './results.js';

/**
 * Baton's tools: a thin shell over the library. Each parses its input (the SDK validates the
 * schema; a bad value is a tool error naming the field), calls `Baton`, and shapes the answer as
 * text plus structured content.
 */

/** Briefs are at most 1 MiB, as over HTTP. */
const briefText = z.string().min(1, 'the brief is empty').max(1024 * 1024, 'a brief is at most 1 MiB');
const explorationId = z.string().min(1).max(200).describe('The exploration id (x…) or a unique prefix of it.');

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function registerTools(server: McpServer, ctx: McpContext): void {
  const { baton, log } = ctx;

  server.registerTool(
    'list_explorations',
    {
      title: 'List explorations',
      description: 'Every exploration in this Baton database, newest first: id, title, status (running, awaiting a decision, done).',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    () =>
      toolCall(log, 'list_explorations', async () => {
        const explorations = (await baton.list()).map((r) => ({ id: r.id, title: r.title, status: r.status, model: r.model, createdAt: r.createdAt, updatedAt: r.updatedAt }));
        return dataResult(`${explorations.length} exploration(s).`, { explorations });
      }),
  );

  server.registerTool(
    'lint_brief',
    {
      title: 'Lint a brief',
      description:
        'Checks a brief (Markdown with YAML front matter: intent, question, constraints, criteria, budget…) and returns the coach\'s findings, each located by line and column with a suggestion. Writes nothing.',
      inputSchema: { briefText, name: z.string().min(1).max(200).optional().describe('A file name to locate findings with (default brief.md).') },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ briefText: source, name }) =>
      toolCall(log, 'lint_brief', async () => {
        const findings = await baton.lintSource(source, name ?? 'brief.md');
        const errors = findings.filter((f) => f.severity === 'error').length;
        const summary = findings.length === 0 ? 'No findings: the brief is ready to explore.' : `${findings.length} finding(s), ${errors} error(s).`;
        return dataResult(summary, { findings });
      }),
  );

  server.registerTool(
    'check_judge_bias',
    {
      title: 'Check a judge for bias',
      description:
        "Measures a judge model's length bias (the same text padded with empty words) and position bias (the same pair in both orders) on a small built-in set, and says what it found in plain words. Makes 12 real calls to that model, not part of any exploration: with estimateOnly it makes none and returns the calls and their worst-case cost; otherwise it refuses up front when that worst case could pass maxUsd (default $0.50) and returns what it spent.",
      inputSchema: {
        judge: z.string().trim().min(1).max(200).describe('The judge to check, provider:model (e.g. openai:gpt-4o-mini, or rehearsal offline).'),
        maxUsd: z.number().positive().max(1_000).optional().describe('The most the check may cost, USD (default 0.50).'),
        estimateOnly: z.boolean().optional().describe('Only say how many calls it makes and what they may cost; call no model.'),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    ({ judge, maxUsd, estimateOnly }, extra) =>
      toolCall(log, 'check_judge_bias', async () => {
        if (estimateOnly === true) {
          const estimate = await baton.estimateJudgeBias(judge);
          const cost = estimate.rehearsal ? 'free (rehearsal, offline)' : `at most $${estimate.worstCaseUsd.toFixed(4)}`;
          return dataResult(`The check makes ${estimate.calls} calls to ${estimate.judge}: ${cost}.`, estimate);
        }
        const report = await baton.checkJudgeBias(judge, { signal: extra.signal, ...(maxUsd !== undefined ? { maxUsd } : {}) });
        const spent = `Spent ${report.spend.calls} calls, $${report.spend.usd.toFixed(4)}${report.spend.estimated ? ' (estimated)' : ''}.`;
        return dataResult(`Judge ${report.judge}${report.rehearsal ? ' (rehearsal)' : ''}\n${report.length}\n${report.position}\n${spent}`, report);
      }),
  );

  server.registerTool(
    'start_exploration',
    {
      title: 'Start an exploration',
      description:
        'Stores the brief and starts an exploration of it; returns its id. Nothing is explored (and nothing spent) until run_to_checkpoint. The brief\'s model and judge must be usable here (their keys in the server\'s environment).',
      inputSchema: {
        briefText,
        seed: z.number().int().min(1).max(2 ** 31 - 1).optional().describe('Seed for a reproducible exploration.'),
        model: z.string().min(1).max(200).optional().describe('Override the brief\'s model (provider:model, e.g. rehearsal).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ briefText: source, seed, model }) =>
      toolCall(log, 'start_exploration', async () => {
        await refuseModuleChecks(baton, source, 'brief.md', ctx.allowModules);
        const id = await baton.startFromSource(source, { ...(seed !== undefined ? { seed } : {}), ...(model !== undefined ? { model } : {}) });
        return dataResult(`Started exploration ${id}. Call run_to_checkpoint with this id to explore.`, { explorationId: id });
      }),
  );

  server.registerTool(
    'run_to_checkpoint',
    {
      title: 'Explore to the next checkpoint',
      description:
        'Lets the models explore until Baton needs the person (a checkpoint), the exploration ends, or the budget is spent. Long: sends progress notifications per candidate when given a progressToken, and stops cleanly when the request is cancelled. At a checkpoint, asks the person through elicitation when the client supports it; otherwise returns the board for a decide call.',
      inputSchema: {
        explorationId,
        assume: z.boolean().optional().describe('Let Baton skip a checkpoint your taste predicts confidently (default true).'),
        ask: z.boolean().optional().describe('At a checkpoint, ask the person through elicitation if the client can (default true).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    ({ explorationId: ref, assume, ask }, extra) =>
      toolCall(log, 'run_to_checkpoint', async () => {
        const id = await baton.resolveId(ref);
        const progress = progressSender(extra);
        const options: RunOptions = { signal: extra.signal, onProgress: progress.send };
        if (assume !== undefined) options.assume = assume;
        const result = await ctx.runs.with(id, () => baton.run(id, options)).finally(() => ctx.changed(id));
        await progress.flush();
        if (result.status === 'awaiting' && ask !== false && !extra.signal.aborted) {
          const answered = await askAtCheckpoint(server, ctx, result, extra.signal);
          if (answered) return answered;
        }
        return outcomeResult(result);
      }),
  );

  server.registerTool(
    'get_board',
    {
      title: 'The board',
      description: 'What the person sees: the open checkpoint\'s reasons, the best candidates and different directions, trade-offs, flags, lens coverage and the spend; `running` says whether it is being explored right now.',
      inputSchema: { explorationId },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ explorationId: ref }) =>
      toolCall(log, 'get_board', async () => {
        const outcome = await baton.board(ref);
        const running = ctx.runs.isRunning(outcome.explorationId);
        return outcomeResult(outcome, running ? 'Exploring now.' : undefined, { running });
      }),
  );

  server.registerTool(
    'show_candidate',
    {
      title: 'Show a candidate',
      description: 'One candidate in full: its text, lens, lineage, per-criterion scores with reasons, flags and whether its path is exhausted.',
      inputSchema: { explorationId, candidate: z.string().min(1).max(300).describe('The candidate: c12 as the board shows it, or its full id.') },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ explorationId: ref, candidate }) =>
      toolCall(log, 'show_candidate', async () => {
        const view = await baton.candidate(ref, candidate);
        return dataResult(`Candidate ${view.candidate.id} (${view.candidate.kind} through ${view.lens?.name ?? view.candidate.lensId}).`, view);
      }),
  );

  server.registerTool(
    'decide',
    {
      title: 'Decide',
      description: [
        'Records the person\'s decision at a checkpoint, with its reason (kept in the ledger), then by default stops; set run=true to explore on to the next checkpoint.',
        'Actions: deepen <candidates> (improve, with feedback) · prune <candidates> (drop those paths) · combine <two candidates> · accept <candidate> (take the result: the exploration ends) · lens (try a lens: a built-in id or new text) · redirect (a new brief version: briefText) · continue.',
      ].join('\n'),
      inputSchema: {
        explorationId,
        action: z.enum(DECISION_ACTIONS),
        candidates: z.array(z.string().min(1).max(300)).max(20).optional().describe('Candidate ids (c12 or full) the action is about.'),
        reason: z.string().trim().min(1, 'say why: the reason is the record of meaning').max(4000).describe('Why: kept in the ledger with the decision.'),
        feedback: z.string().max(4000).optional().describe('What to change (deepen, combine, lens).'),
        lens: z.string().min(1).max(2000).optional().describe('For lens: a built-in lens id or the text of a new lens.'),
        briefText: briefText.optional().describe('For redirect: the edited brief, in full.'),
        run: z.boolean().optional().describe('Explore on to the next checkpoint after recording (default false).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input, extra) =>
      toolCall(log, 'decide', async () => {
        const id = await baton.resolveId(input.explorationId);
        if (input.briefText !== undefined) await refuseModuleChecks(baton, input.briefText, 'brief.md', ctx.allowModules);
        const options: DecideOptions = { action: input.action, reason: input.reason };
        if (input.candidates) options.candidateIds = input.candidates;
        if (input.feedback !== undefined) options.feedback = input.feedback;
        if (input.lens !== undefined) options.lens = input.lens;
        if (input.briefText !== undefined) options.briefSource = input.briefText;
        const progress = progressSender(extra);
        options.run = input.run === true ? { signal: extra.signal, onProgress: progress.send } : false;
        const { decision, outcome } = await ctx.runs.with(id, () => baton.decide(id, options)).finally(() => ctx.changed(id));
        await progress.flush();
        return outcomeResult(outcome, `Decision ${decision.id} recorded: ${decision.action}.`, { decision });
      }),
  );

  server.registerTool(
    'reopen',
    {
      title: 'Reopen an ended exploration',
      description:
        'Continues an exploration that has ended (accepted, exhausted, or stopped on its budget), with budget added to what the brief allows; the reopening and its reason go in the ledger. A spent budget needs some added. By default it then explores on to the next checkpoint (run=false only records).',
      inputSchema: {
        explorationId,
        calls: z.number().int().positive().max(1_000_000).optional().describe('Model calls to add to the budget.'),
        tokens: z.number().int().positive().max(1_000_000_000).optional().describe('Tokens to add to the budget.'),
        usd: z.number().positive().max(1_000_000).optional().describe('US dollars to add to the budget.'),
        reason: z.string().trim().min(1, 'say why: the reason is the record of meaning').max(4000).describe('Why: kept in the ledger with the reopening.'),
        run: z.boolean().optional().describe('Explore on to the next checkpoint after reopening (default true).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (input, extra) =>
      toolCall(log, 'reopen', async () => {
        const id = await baton.resolveId(input.explorationId);
        const budget: NonNullable<ReopenOptions['budget']> = {};
        if (input.calls !== undefined) budget.calls = input.calls;
        if (input.tokens !== undefined) budget.tokens = input.tokens;
        if (input.usd !== undefined) budget.usd = input.usd;
        const progress = progressSender(extra);
        const options: ReopenOptions = { reason: input.reason, run: input.run === false ? false : { signal: extra.signal, onProgress: progress.send } };
        if (Object.keys(budget).length > 0) options.budget = budget;
        const { reopening, outcome } = await ctx.runs.with(id, () => baton.reopen(id, options)).finally(() => ctx.changed(id));
        await progress.flush();
        return outcomeResult(outcome, `Reopened ${id} (it had ended ${reopening.from}).`, { reopening });
      }),
  );

  server.registerTool(
    'export_result',
    {
      title: 'Export the result',
      description: 'The exploration\'s result with the ledger of decisions and their reasons, the spend and the brief: Markdown (md) or JSON.',
      inputSchema: { explorationId, format: z.enum(['md', 'json']).optional().describe('md (default) or json.') },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ explorationId: ref, format }) =>
      toolCall(log, 'export_result', async () => {
        const text = await baton.export(ref, format ?? 'md');
        return { content: [{ type: 'text', text }] } satisfies CallToolResult;
      }),
  );
}

/**
 * Progress notifications, one per judged candidate, when the client asked for them. `flush` waits
 * for those sent so far: the tool's result must not overtake them, or the client (which stops
 * listening for a request's progress once it has its answer) drops the last ones.
 */
function progressSender(extra: Extra): { send: (progress: Progress) => void; flush: () => Promise<void> } {
  const token = extra._meta?.progressToken;
  const pending: Array<Promise<void>> = [];
  let done = 0;
  return {
    send: (progress) => {
      if (token === undefined || progress.type !== 'candidate') return;
      done += 1;
      const message = `candidate ${progress.candidateId} (${progress.kind} through ${progress.lensId}): quality ${progress.quality.toFixed(1)}`;
      pending.push(extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, message } }).catch(() => undefined));
    },
    flush: async () => {
      await Promise.all(pending.splice(0));
    },
  };
}
