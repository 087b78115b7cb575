import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import { isPostgresUrl } from '../../store/postgres/connection.js';
import { startWorker } from '../../team/worker.js';
import type { WorkerOptions } from '../../team/worker.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, integer } from '../context.js';
import { stopRequested } from './serve.js';

interface Options extends CommonOptions {
  slots: number;
  lease: number;
  latency?: number;
  concurrency?: number;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  common(
    program
      .command('worker')
      .description('Take explorations to run from a team store\'s queue (--db postgres://…); any number of workers, on any machines. Ctrl-C stops after the waves in hand.')
      .option('--slots <n>', 'explorations this worker advances at once', integer('--slots', 1, 256), 8)
      .option('--lease <seconds>', 'how long a wave may take before another worker takes it over (a killed worker\'s exploration waits this long)', integer('--lease', 2, 86_400), 60)
      .option('--concurrency <n>', 'moves run at once in an exploration', integer('--concurrency', 1, 64))
      .option('--latency <ms>', 'simulated latency of the rehearsal model', integer('--latency', 0, 600_000)),
  ).action(async (options: Options) => {
    const db = options.db ?? ctx.io.env.BATON_DB;
    if (db === undefined || !isPostgresUrl(db)) {
      throw new BatonError('invalid_input', 'baton worker needs a team store: --db postgres://… (or BATON_DB). The local SQLite store runs explorations in the process that asks.', {
        location: { field: '--db' },
      });
    }
    const controller = new AbortController();
    const stopped = stopRequested();
    const worker: WorkerOptions = {
      db,
      slots: options.slots,
      leaseSeconds: options.lease,
      signal: controller.signal,
      log: (line) => ctx.io.err(`${line}\n`),
      baton: {
        cwd: ctx.io.cwd,
        env: ctx.io.env,
        ...(options.latency !== undefined ? { latencyMs: options.latency } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      },
    };
    const running = await startWorker(worker);
    await stopped;
    ctx.io.err('Stopping: finishing the waves in hand…\n');
    controller.abort();
    await running.done;
  });
}
