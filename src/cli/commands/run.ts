import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Baton, LeasedOutcome } from '../../baton.js';
import { BatonError, EXIT, isBatonError } from '../../errors.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer, withBaton } from '../context.js';
import type { Io } from '../io.js';
import { printJson, progressReporter } from '../io.js';
import { renderOutcome } from '../render.js';

interface RunOptions extends CommonOptions {
  seed?: number;
  model?: string;
  judge?: string[];
  embed?: string;
  concurrency?: number;
  latency?: number;
  /** Commander's `--no-assume`: false to be asked at every checkpoint. */
  assume: boolean;
}

export function registerRun(program: Command, ctx: CliContext): void {
  common(
    program
      .command('run')
      .argument('<brief-or-exploration>', 'a brief file to start a new exploration, or an exploration id to resume')
      .description('Explore until human judgment is needed (exit 10 at a checkpoint), or resume an exploration')
      .option('--seed <n>', 'seed for a reproducible exploration', integer('--seed', 0))
      .option('--model <provider:model>', 'writer model (overrides the brief)')
      .option('--judge <provider:model>', 'judge model (overrides the brief); repeat it, or give a comma list, for a jury', (value: string, previous: string[] = []) => [...previous, value])
      .option('--embed <provider:model>', 'embedding model for novelty (e.g. openai:text-embedding-3-small); default: local')
      .option('--concurrency <n>', 'moves run at once', integer('--concurrency', 1, 64))
      .option('--latency <ms>', 'simulated latency of the rehearsal model', integer('--latency', 0, 600_000))
      .option('--no-assume', 'never skip a checkpoint on the strength of your taste: always ask'),
  ).action(async (target: string, options: RunOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const id = await startOrResume(baton, ctx.io, target, options);
      ctx.exitCode = await runAndReport(baton, ctx, id, options);
    });
  });
}

async function startOrResume(baton: Baton, io: Io, target: string, options: RunOptions): Promise<string> {
  const path = resolve(io.cwd, target);
  const info = await stat(path).catch(() => undefined);
  if (info) {
    const start: Parameters<Baton['start']>[1] = {};
    if (options.seed !== undefined) start.seed = options.seed;
    if (options.model !== undefined) start.model = options.model;
    if (options.judge !== undefined) start.judge = options.judge;
    if (options.embed !== undefined) start.embed = options.embed;
    const id = await baton.start(path, start);
    io.err(`Started exploration ${id}\n`);
    return id;
  }
  if (/\.(md|markdown|txt)$/iu.test(target) || target.includes('/')) {
    throw new BatonError('invalid_input', `${target}: no such file`, { location: { file: target } });
  }
  const id = await baton.resolveId(target);
  const ignored = (['seed', 'model', 'judge', 'embed'] as const).filter((name) => options[name] !== undefined);
  if (ignored.length > 0) {
    io.err(`Note: ${ignored.map((n) => `--${n}`).join(', ')} only apply when starting from a brief; exploration ${id} keeps its own.\n`);
  }
  return id;
}

/**
 * Runs `work` with Ctrl-C wired to `signal`: the first Ctrl-C stops after the moves in flight
 * (the store stays consistent, the lease is given up, `baton run ID` resumes), a second quits at
 * once. Returns whether the person interrupted.
 */
export async function interruptible<T>(ctx: CliContext, work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; interrupted: boolean }> {
  const abort = new AbortController();
  const onSigint = (): void => {
    ctx.io.err('\nStopping after the moves in flight… (Ctrl-C again to quit at once)\n');
    abort.abort();
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  try {
    return { value: await work(abort.signal), interrupted: abort.signal.aborted };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Runs to the next checkpoint (or the end) and prints the outcome; returns the exit code (130 after Ctrl-C). */
export async function runAndReport(baton: Baton, ctx: CliContext, id: string, options: CommonOptions & { assume?: boolean }): Promise<number> {
  const progress = progressReporter(ctx.io, !options.json);
  let outcome: LeasedOutcome;
  let interrupted: boolean;
  try {
    ({ value: outcome, interrupted } = await interruptible(ctx, (signal) =>
      baton.run(id, {
        signal,
        ...(options.assume === false ? { assume: false } : {}),
        ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      }),
    ));
  } catch (error) {
    // A provider outage: say how to resume this exploration (running the brief again would start another).
    if (isBatonError(error) && error.code === 'provider_failure') ctx.io.err(`Resume with: baton run ${id}\n`);
    throw error;
  } finally {
    progress.done();
  }
  reportOutcome(ctx, outcome, options, interrupted);
  return interrupted ? EXIT.interrupted : exitCodeOf(outcome);
}

export function reportOutcome(ctx: CliContext, outcome: LeasedOutcome, options: CommonOptions, interrupted = false): void {
  if (options.json) {
    printJson(ctx.io, {
      exploration: outcome.explorationId,
      status: outcome.status === 'running' ? 'stopped' : outcome.status,
      interrupted,
      ...(outcome.handedOver !== undefined ? { handedOver: outcome.handedOver } : {}),
      label: outcome.board.label,
      checkpoint: outcome.checkpoint ? { id: outcome.checkpoint.id, reasons: outcome.checkpoint.reasons } : null,
      endReason: outcome.endReason,
      board: outcome.board,
    });
    return;
  }
  ctx.io.out(renderOutcome(outcome));
  if (outcome.handedOver !== undefined) ctx.io.err(`Stopped: ${outcome.handedOver}.\n`);
  else if (outcome.status === 'running') ctx.io.err(`Paused. Resume with: baton run ${outcome.explorationId}\n`);
}

export function exitCodeOf(outcome: LeasedOutcome): number {
  if (outcome.status === 'awaiting') return EXIT.awaiting;
  if (outcome.budgetExhausted) return EXIT.budget;
  return EXIT.ok;
}
