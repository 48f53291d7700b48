/**
 * The child processes of `npm run cluster`: the Temporal server and the project's own Node services
 * (workers, API, sandbox). Each runs in its own process group, so a terminal's Ctrl-C reaches only the
 * cluster process, which stops them in order; a watchdog stops each one if that process dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { collectOutput, startWatchdog, stopProcess } from '../child-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  pid: number;
  /** Exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
  /** The last 30 lines it printed. */
  tail(): string[];
  /** Resolves with the first line (printed from now on) that matches. */
  line(pattern: RegExp): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, for tests. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  onOutput?: (line: string) => void;
}

export function spawnService(opts: SpawnOptions): ServiceProcess {
  const child = spawn(opts.command, opts.args, {
    cwd: REPO_ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const listeners = new Set<(line: string) => void>();
  const tail = collectOutput(child, (line) => {
    opts.onOutput?.(line);
    for (const listener of listeners) listener(line);
  });
  const watchdog = child.pid ? startWatchdog(child.pid) : undefined;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      watchdog?.kill();
      resolve(code ?? signal ?? 1);
    });
    // Could not start at all (e.g. the executable vanished): there is no 'exit', only this.
    child.once('error', () => {
      watchdog?.kill();
      resolve(127);
    });
  });
  return {
    name: opts.name,
    pid: child.pid ?? -1,
    exited,
    tail,
    line: (pattern) =>
      new Promise((resolve) => {
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
      }),
    stop: (graceMs = 10_000) => stopProcess(child, exited, graceMs),
    kill: async () => {
      if (isRunning(child)) child.kill('SIGKILL');
      await exited;
    },
  };
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** `node --import tsx <script>` (not npm or the tsx launcher): the pid is the service itself. */
export function spawnNodeService(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  onOutput?: (line: string) => void,
): ServiceProcess {
  return spawnService({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, script)],
    env,
    onOutput,
  });
}

/** Resolves when `ready` does; rejects with the process's last output when it exits or times out. */
export async function untilReady(service: ServiceProcess, ready: Promise<unknown>, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs / 1000} s`)), timeoutMs);
    void service.exited.then((code) => reject(new Error(`exited (${code}) before it was ready`)));
  });
  // Whichever loses the race settles later, unobserved: that must not count as an unhandled rejection.
  failed.catch(() => undefined);
  ready.catch(() => undefined);
  try {
    await Promise.race([ready, failed]);
  } catch (err) {
    await service.kill();
    throw new Error(`${service.name}: ${(err as Error).message}\n${service.tail().join('\n')}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The frontend's gRPC health check reports SERVING: what `temporal operator cluster health` asks.
 * An open port is not enough; the frontend accepts connections before the history shards are owned.
 */
export async function untilTemporalServing(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        const { status } = await connection.healthService.check({
          service: 'temporal.api.workflowservice.v1.WorkflowService',
        });
        if (status === 1) return; // SERVING
        last = `health status ${status}`;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal at ${address} not serving after ${timeoutMs / 1000} s (${String(last)})`);
}
