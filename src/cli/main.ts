import { Command, CommanderError } from 'commander';
import { formatLocation, isBatonError, EXIT } from '../errors.js';
import { registerBoard } from './commands/board.js';
import { registerDecide } from './commands/decide.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerInit } from './commands/init.js';
import { registerLint } from './commands/lint.js';
import { registerLs } from './commands/ls.js';
import { registerReframe } from './commands/reframe.js';
import { registerRun } from './commands/run.js';
import { registerShow } from './commands/show.js';
import type { CliContext } from './context.js';
import type { Io } from './io.js';
import { processIo } from './io.js';
import { VERSION } from '../version.js';

/**
 * The `baton` command: a thin shell over the library. One top-level catch turns a user's
 * mistake into a located message and an exit code, and anything else into "this is a bug".
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT.ok };
  const program = new Command('baton')
    .description('Steer AI exploration: write a brief, let models explore, decide only where your judgment is needed.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const register of [registerInit, registerLint, registerReframe, registerRun, registerBoard, registerDecide, registerLs, registerShow, registerExport, registerDemo]) {
    register(program, ctx);
  }
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Help and version are not errors; commander has already printed its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.invalidInput;
  }
  if (isBatonError(error)) {
    const where = formatLocation(error.location);
    const field = error.location?.field && !where.includes(error.location.field) ? `${error.location.field}: ` : '';
    io.err(`baton: ${where ? `${where}: ` : ''}${where ? field : ''}${error.message}\n`);
    for (const detail of error.details.slice(1, 20)) io.err(`  ${detail}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`baton: internal error — this is a bug, please report it.\n${message}\n`);
  return EXIT.internal;
}
