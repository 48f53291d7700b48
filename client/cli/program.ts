import { Command, CommanderError } from 'commander';
import { ServiceError, toServiceError } from '../errors.js';
import { contractorGroupCommand, contractorPayCommand } from './commands/contractor-payments.js';
import { contractorCommand } from './commands/contractors.js';
import { offCycleCommand } from './commands/off-cycle.js';
import { credentialsCommand } from './commands/credentials.js';
import { eventsCommand } from './commands/events.js';
import { payrollCommands } from './commands/payroll.js';
import { scheduleCommand } from './commands/schedules.js';
import { CliContext, type CliIo } from './context.js';
import { printError } from './output.js';

/**
 * The `payroll` program. Commands call the same typed client functions as the HTTP API, straight on
 * Temporal (TEMPORAL_ADDRESS through the config loader): an operator's tool keeps working when the
 * API is down, and there is one code path per operation.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('payroll')
    .description('Run payrolls, pay contractors and manage contractor dismissals on Temporal + Gusto')
    .option('--json', 'print results as JSON (for scripts)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
    })
    .exitOverride();
  const commands = [
    ...payrollCommands(ctx),
    scheduleCommand(ctx),
    contractorPayCommand(ctx),
    contractorGroupCommand(ctx),
    contractorCommand(ctx),
    offCycleCommand(ctx),
    credentialsCommand(ctx),
    eventsCommand(ctx),
  ];
  for (const cmd of commands) program.addCommand(cmd);
  // Every sub-command reports usage errors the same way instead of calling process.exit itself.
  const configure = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
    cmd.showHelpAfterError('(run with --help for usage)');
    cmd.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the CLI and returns the exit code (ServiceError.exitCode; usage errors are bad input, 2). */
export async function runCli(
  argv: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const ctx = new CliContext(io, env);
  const json = argv.includes('--json');
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; commander already printed its one-line usage error.
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return new ServiceError('invalid_input', err.message).exitCode;
    }
    const se = toServiceError(err);
    printError(ctx, se, json);
    return se.exitCode;
  } finally {
    await ctx.close();
  }
}
