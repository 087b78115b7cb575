import type { Command } from 'commander';
import { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import type { Io } from './io.js';

/** What every command gets: the io, and a way to open Baton on the chosen database. */
export interface CliContext {
  io: Io;
  /** Set by a command to the process exit code it wants. */
  exitCode: number;
}

export interface CommonOptions {
  db?: string;
  json?: boolean;
}

/** Adds the options every command shares. */
export function common(command: Command): Command {
  return command
    .option('--db <file|url>', 'SQLite database file, or a postgres:// URL for a team store (default: $BATON_DB or ./.baton/baton.db)')
    .option('--json', 'print machine-readable JSON on stdout');
}

export function openBaton(ctx: CliContext, options: CommonOptions & { latency?: number; concurrency?: number; allowModules?: boolean }): Baton {
  const batonOptions: Parameters<typeof Baton.open>[0] = { cwd: ctx.io.cwd, env: ctx.io.env };
  if (options.allowModules !== undefined) batonOptions.allowModules = options.allowModules;
  const db = options.db ?? ctx.io.env.BATON_DB;
  if (db) batonOptions.db = db;
  if (options.latency !== undefined) batonOptions.latencyMs = options.latency;
  if (options.concurrency !== undefined) batonOptions.concurrency = options.concurrency;
  return Baton.open(batonOptions);
}

/** Runs `fn` with an open Baton and always closes it. */
export async function withBaton<T>(ctx: CliContext, options: CommonOptions & { latency?: number; concurrency?: number }, fn: (baton: Baton) => Promise<T>): Promise<T> {
  const baton = openBaton(ctx, options);
  try {
    return await fn(baton);
  } finally {
    await baton.close();
  }
}

/** Commander option parsers that turn bad numbers into located input errors. */
export function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new BatonError('invalid_input', `${name} must be a whole number from ${min} to ${max}, got "${value}"`, { location: { field: name } });
    }
    return n;
  };
}
