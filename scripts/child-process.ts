/**
 * Child processes the project starts and must not leave behind: output collection, an orderly stop
 * (SIGTERM, then SIGKILL), and a watchdog that stops a child when we die without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Feeds each output line to `onOutput` and keeps the last 30 for error messages. */
export function collectOutput(child: ChildProcess, onOutput?: (line: string) => void): () => string[] {
  const tail: string[] = [];
  const onChunk = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onOutput?.(line);
    }
  };
  child.stdout?.on('data', onChunk);
  child.stderr?.on('data', onChunk);
  return () => tail;
}

/** SIGTERM, and SIGKILL when the process has not exited after `graceMs`. */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * A tiny process that outlives us if we are killed outright (SIGKILL, crash): its stdin is a pipe
 * from us, which the OS closes when we die; it then stops the child (with `signal`, SIGKILL 10 s
 * later) so nothing is left behind. kill() it once the child is stopped.
 */
const WATCHDOG = `
const pid = Number(process.argv[1]);
const signal = process.argv[2];
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
const stop = () => {
  try { process.kill(pid, signal); } catch {}
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, 10000);
  setInterval(() => { if (!alive()) process.exit(0); }, 100);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
setInterval(() => { if (!alive()) process.exit(0); }, 1000);
process.on('SIGINT', () => {});
`;

export function startWatchdog(pid: number, signal: NodeJS.Signals = 'SIGTERM'): ChildProcess {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(pid), signal], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
