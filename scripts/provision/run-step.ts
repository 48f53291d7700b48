import { spawn } from 'node:child_process';

export type Log = (line: string) => void;

/** A build step failed: `message` says what failed, `hint` how to fix it, `output` the tool's last words. */
export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly output = '',
  ) {
    super(message);
    this.name = 'ProvisionError';
  }

  /** The text a person reads: what, how to fix, then the tool output that shows why. */
  report(): string {
    const tail = this.output.trim() ? `\n--- last output ---\n${this.output.trim()}` : '';
    return `${this.message}\nFix: ${this.hint}${tail}`;
  }
}

export interface StepOptions {
  label: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log: Log;
  hint: string;
  /** Called for each output line, e.g. to count compiled packages for the progress line. */
  onLine?: (line: string) => void;
  /** Extra text for the progress line (counts gathered by onLine). */
  progress?: () => string;
  intervalMs?: number;
}

const TAIL_LINES = 40;

/**
 * Runs one long build step. Builds take minutes on a cold machine, so it prints elapsed time every
 * ~10 s instead of staying silent, and keeps the output's tail for the error report.
 */
export async function runStep(opts: StepOptions): Promise<number> {
  const started = Date.now();
  const tail: string[] = [];
  opts.log(`${opts.label}: started`);
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = lineSplitter((line) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    opts.onLine?.(line);
  });
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const ticker = setInterval(() => {
    const extra = opts.progress?.();
    opts.log(`${opts.label}: ${elapsed(started)} elapsed${extra ? `, ${extra}` : ''}`);
  }, opts.intervalMs ?? 10_000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      throw new ProvisionError(`${opts.label} failed (exit ${code})`, opts.hint, tail.join('\n'));
    }
  } catch (err) {
    if (err instanceof ProvisionError) throw err;
    throw new ProvisionError(`${opts.label} could not start ${opts.command}: ${String(err)}`, opts.hint);
  } finally {
    clearInterval(ticker);
  }
  const ms = Date.now() - started;
  opts.log(`${opts.label}: done in ${elapsed(started)}`);
  return ms;
}

export function elapsed(startedMs: number): string {
  return `${Math.round((Date.now() - startedMs) / 1000)} s`;
}

function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  };
}
