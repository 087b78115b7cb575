import { Command, CommanderError } from 'commander';
import type { BatonError } from '../errors.js';
import { formatLocation, isBatonError, EXIT } from '../errors.js';
import { registerBoard } from './commands/board.js';
import { registerDecide } from './commands/decide.js';
import { registerDemo } from './commands/demo.js';
import { registerWorker } from './commands/worker.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExport } from './commands/export.js';
import { registerFork } from './commands/fork.js';
import { registerInit } from './commands/init.js';
import { registerLint } from './commands/lint.js';
import { registerLs } from './commands/ls.js';
import { registerManage } from './commands/manage.js';
import { registerMcp } from './commands/mcp.js';
import { registerModels } from './commands/models.js';
import { registerPeople } from './commands/people.js';
import { registerReframe } from './commands/reframe.js';
import { registerReopen } from './commands/reopen.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerShow } from './commands/show.js';
import type { CliContext } from './context.js';
import type { Io } from './io.js';
import { processIo } from './io.js';
import { tracesEndpoint } from '../telemetry/env.js';
import { VERSION } from '../version.js';
import { sanitizeTerminal } from '../util/sanitize/terminal.js';
import { redactUrlCredentials } from '../util/sanitize/urls.js';

/**
 * The `baton` command: a thin shell over the library. One top-level catch turns a user's
 * mistake into a located message and an exit code, and anything else into "this is a bug".
 */
export async function main(argv: readonly string[], raw: Io = processIo()): Promise<number> {
  const io = terminalIo(raw);
  const ctx: CliContext = { io, exitCode: EXIT.ok };
  const program = new Command('baton')
    .description('Steer AI exploration: write a brief, let models explore, decide only where your judgment is needed.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const register of [registerInit, registerLint, registerReframe, registerRun, registerBoard, registerDecide, registerReopen, registerLs, registerShow, registerExport, registerFork, registerManage, registerServe, registerMcp, registerDemo, registerModels, registerDoctor, registerWorker, registerPeople]) {
    register(program, ctx);
  }
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  // OpenTelemetry, when the OTEL_* environment asks for it: spans flushed before the exit.
  const telemetry = tracesEndpoint(io.env) ? (await import('../telemetry/otel.js')).startTelemetry(io.env) : undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return report(error, io);
  } finally {
    await telemetry?.shutdown().catch((error: unknown) => io.err(`baton: could not export traces to ${telemetry.endpoint}: ${error instanceof Error ? error.message : String(error)}\n`));
  }
}

/**
 * The terminal edge: everything a command writes passes the terminal sanitizer (control
 * characters and bidi overrides made visible) and has credentials in URLs redacted. Only the
 * live progress line, which Baton draws itself, writes its own escapes (its text is sanitized).
 */
function terminalIo(raw: Io): Io {
  const safe = (text: string): string => sanitizeTerminal(redactUrlCredentials(text));
  return {
    ...raw,
    out: (text) => raw.out(safe(text)),
    err: (text) => raw.err(safe(text)),
    progress: (line) => raw.err(line === '' ? '\r\x1b[2K' : `\r\x1b[2K${safe(line)}`),
  };
}

/** `file:line:column: field: message`, without repeating what the message already says. */
export function describeError(error: BatonError): string {
  const where = formatLocation(error.location);
  const field = error.location?.field;
  const prefix: string[] = [];
  if (where && !error.message.includes(where)) prefix.push(where);
  if (where && field && !error.message.includes(field) && !where.includes(field)) prefix.push(field);
  return [...prefix, error.message].join(': ');
}

function report(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Asked-for help and the version are not errors; bare `baton` (help shown for want of a command) is.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    return EXIT.invalidInput;
  }
  if (isBatonError(error)) {
    io.err(`baton: ${describeError(error)}\n`);
    for (const detail of error.details.slice(1, 20)) io.err(`  ${detail}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`baton: internal error — this is a bug, please report it.\n${message}\n`);
  return EXIT.internal;
}
