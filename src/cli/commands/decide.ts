import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import { DECISION_ACTIONS } from '../../steer/types.js';
import type { DecisionAction } from '../../steer/types.js';
import type { DecideOptions } from '../../baton.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import { printJson, progressReporter, shortId } from '../io.js';
import { exitCodeOf, interruptible, reportOutcome } from './run.js';
import { EXIT } from '../../errors.js';

interface Options extends CommonOptions {
  why?: string;
  feedback?: string;
  lens?: string;
  brief?: string;
  run: boolean;
  latency?: number;
  concurrency?: number;
  assumption?: string;
  checkpoint?: string;
  /** Commander's `--no-assume`. */
  assume: boolean;
}

/** Not a decision among candidates: the undoing of an assumption Baton made in your place. */
const REVERSE_WORDS = new Set(['reverse', 'revert']);

const ALIASES: Record<string, DecisionAction> = { 'try-lens': 'lens' };

export function registerDecide(program: Command, ctx: CliContext): void {
  common(
    program
      .command('decide')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .argument('<action>', `one of: ${DECISION_ACTIONS.join(', ')}, or reverse (an assumption)`)
      .argument('[candidates...]', 'candidate ids (c12 or the full id); for `lens`, the lens')
      .description('Record a decision with its reason, then explore on to the next checkpoint')
      .option('--why <text>', 'the reason for the decision (kept in the ledger)')
      .option('--feedback <text>', 'what to change (deepen, combine, lens)')
      .option('--lens <lens>', 'for `lens`: a built-in lens id or the text of a new lens')
      .option('--brief <file>', 'for `redirect`: the edited brief')
      .option('--assumption <a>', 'for `reverse`: the assumption to undo (a1, as the board shows it)')
      .option('--checkpoint <k>', 'the checkpoint you are answering (k2, as the board shows it): refused if it is no longer open')
      .option('--no-run', 'only record the decision; do not explore on')
      .option('--no-assume', 'never skip a checkpoint on the strength of your taste: always ask')
      .option('--concurrency <n>', 'moves run at once', integer('--concurrency', 1, 64))
      .option('--latency <ms>', 'simulated latency of the rehearsal model', integer('--latency', 0, 600_000))
      .addHelpText(
        'after',
        `
Actions:
  deepen <c...>     improve candidates (with --feedback)      prune <c...>    drop paths
  combine <a> <b>   merge two candidates                      accept <c>      take the result
  lens <lens>       try a lens (built-in id or new text)      redirect        a new brief version (--brief FILE)
  continue          let the exploration go on
  reverse           undo what Baton assumed at a skipped checkpoint (--assumption a1)

Example:
  baton decide x1a2b3 deepen c7 --feedback "make the ending quieter" --why "closest to the intent"`,
      ),
  ).action(async (exploration: string, actionWord: string, rest: string[], options: Options) => {
    if (REVERSE_WORDS.has(actionWord.toLowerCase())) {
      await reverseAssumption(ctx, exploration, rest, options);
      return;
    }
    const action = parseAction(actionWord);
    const input: DecideOptions = { action, run: options.assume === false && options.run ? { assume: false } : options.run };
    let candidates = rest;
    if (action === 'lens') {
      const lens = options.lens ?? rest.join(' ');
      if (lens.trim()) input.lens = lens;
      candidates = [];
    }
    if (candidates.length > 0) input.candidateIds = candidates;
    if (options.why !== undefined) input.reason = options.why;
    if (options.feedback !== undefined) input.feedback = options.feedback;
    if (options.brief !== undefined) input.briefPath = options.brief;
    if (options.checkpoint !== undefined) input.checkpointId = options.checkpoint;
    await withBaton(ctx, options, async (baton) => {
      const progress = progressReporter(ctx.io, !options.json && options.run);
      if (options.run && progress.onProgress) input.run = { onProgress: progress.onProgress, ...(options.assume === false ? { assume: false } : {}) };
      try {
        // Say "recorded" the moment it is durable: exploring on may take a while.
        input.onRecorded = (d) => {
          if (!options.json) ctx.io.err(`Recorded ${d.action}${d.reason ? ` — why: ${d.reason}` : ' (no reason given)'}\n`);
        };
        input.onWaiting = (lease) => {
          ctx.io.err(`Exploration ${lease.explorationId} is being explored by pid ${lease.pid} on ${lease.host} since ${lease.since}: waiting for its next safe point…\n`);
        };
        const { value, interrupted } = await interruptible(ctx, (signal) => baton.decide(exploration, { ...input, signal }));
        const { decision, outcome } = value;
        progress.done();
        if (options.json && !options.run) printJson(ctx.io, { decision, status: outcome.status });
        else reportOutcome(ctx, outcome, options, interrupted);
        ctx.exitCode = interrupted ? EXIT.interrupted : exitCodeOf(outcome);
      } finally {
        progress.done();
      }
    });
  });
}

async function reverseAssumption(ctx: CliContext, exploration: string, rest: string[], options: Options): Promise<void> {
  const assumption = options.assumption ?? rest[0];
  if (!assumption || rest.length > (options.assumption ? 0 : 1)) {
    throw new BatonError('invalid_input', 'reverse: name the one assumption to undo, e.g. --assumption a1 (the board lists them)', { location: { field: 'assumption' } });
  }
  await withBaton(ctx, options, async (baton) => {
    const progress = progressReporter(ctx.io, !options.json && options.run);
    try {
      const run = options.run ? { ...(progress.onProgress ? { onProgress: progress.onProgress } : {}), ...(options.assume === false ? { assume: false } : {}) } : false;
      const { reversal, outcome } = await baton.reverse(exploration, { assumption, ...(options.why !== undefined ? { reason: options.why } : {}), run });
      progress.done();
      if (!options.json) {
        const pruned = reversal.prunedIds.length > 0 ? `; pruned ${reversal.prunedIds.map(shortId).join(', ')}` : '';
        ctx.io.err(`Reversed ${shortId(reversal.assumptionId)}${pruned}${reversal.reason ? ` — why: ${reversal.reason}` : ' (no reason given)'}\n`);
      }
      if (options.json && !options.run) printJson(ctx.io, { reversal, status: outcome.status });
      else reportOutcome(ctx, outcome, options);
      ctx.exitCode = exitCodeOf(outcome);
    } finally {
      progress.done();
    }
  });
}

function parseAction(word: string): DecisionAction {
  const lower = word.toLowerCase();
  if ((DECISION_ACTIONS as readonly string[]).includes(lower)) return lower as DecisionAction;
  const alias = ALIASES[lower];
  if (alias) return alias;
  throw new BatonError('invalid_input', `unknown action "${word}": use one of ${DECISION_ACTIONS.join(', ')}`, { location: { field: 'action' } });
}
