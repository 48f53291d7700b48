import type { Command } from 'commander';
import { ServiceError, toServiceError } from '../errors.js';
import type { CliContext } from './context.js';

/** Option flags by the input field they fill, so an error about `end_date` can point at `--date`. */
export type FlagMap = Record<string, string>;

/**
 * Wraps a command's action: runs it, prints its result (JSON with --json, else the human lines) and
 * turns failures into a ServiceError whose message names the flag the user typed.
 */
export function action<O extends object>(
  ctx: CliContext,
  flags: FlagMap,
  run: (opts: O, cmd: Command) => Promise<Printable>,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as O & { json?: boolean };
    try {
      const result = await run(opts, cmd);
      print(ctx, result, opts.json === true);
    } catch (err) {
      throw withFlag(toServiceError(err), flags);
    }
  };
}

/** What an action returns: the value for --json and how a person reads it. */
export interface Printable {
  value: unknown;
  human: string[];
}

function print(ctx: CliContext, result: Printable, json: boolean): void {
  if (json) ctx.io.out(`${JSON.stringify(result.value, null, 2)}\n`);
  else if (result.human.length) ctx.io.out(`${result.human.join('\n')}\n`);
}

function withFlag(err: ServiceError, flags: FlagMap): ServiceError {
  const root = err.field?.split(/[.[]/)[0];
  const flag = (err.field && flags[err.field]) ?? (root ? flags[root] : undefined);
  if (!flag) return err;
  const rule = err.message.startsWith(`${err.field}: `)
    ? err.message.slice(err.field!.length + 2)
    : err.message;
  return new ServiceError(err.code, `${flag} (${err.field}): ${rule}`, err.field, err.details);
}

/** One line for people, or the error object for scripts. Never a stack trace. */
export function printError(ctx: CliContext, err: ServiceError, json: boolean): void {
  if (json) ctx.io.out(`${JSON.stringify({ error: errorJson(err) }, null, 2)}\n`);
  ctx.io.err(`error: ${err.message.split('\n')[0]}\n`);
}

function errorJson(err: ServiceError) {
  return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
}

/** Key/value lines, aligned, skipping empty values. */
export function table(rows: Array<[string, unknown]>): string[] {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(
    ([k, v]) => `${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
}

/** Sum of a per-endpoint call count map, or the number itself. */
export function callCount(calls: number | Record<string, number> | undefined): number {
  if (typeof calls === 'number') return calls;
  return Object.values(calls ?? {}).reduce((a, b) => a + b, 0);
}
