/**
 * What the benchmarks share: a dev server with its clients, the Gusto client a bench worker uses, the
 * no-op yardstick, ending runs, counting Gusto calls, percentiles and writing results.
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createGustoClient } from '../gusto/client.js';
import type { RateLimiter } from '../gusto/rate-limit.js';
import { staticTokenProvider } from '../gusto/tokens.js';
import { startDevServer, type DevServerHandle } from '../scripts/dev-server.js';
import { resolveDevServerExecutable } from '../scripts/temporal-servers.js';
import type { Sandbox, SandboxCounters, SeededCompany } from '../sim/server.js';
import { prebuiltWorkflowBundle } from '../test/harness/bundle.js';
import { payrollRunId } from '../workflows/ids.js';

export const log = (line: string) => console.log(`[bench] ${line}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Busy CPU milliseconds of the whole machine so far, all cores. A side's work per run is the
 * difference over its run divided by its runs: steadier than runs/s, which moves with scheduling (the
 * benchmarks run on an otherwise idle machine, so the machine's busy time is theirs).
 */
export const machineBusyMs = () =>
  cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);

/** CPU milliseconds a child process has used so far (Linux /proc; USER_HZ is 100 there). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU milliseconds this process has used so far, all threads. */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
export { mean, percentile, ratePerWindow, round } from './stats.js';

export interface Temporal {
  address: string;
  namespace: string;
  client: Client;
  native: NativeConnection;
  bundlePath: string;
  /** The server process, when it is a dev server of its own (its CPU can be read from /proc). */
  serverPid?: number;
  close(): Promise<void>;
}

/** Worker lifecycle lines would bury the report; warnings (or only errors) still show. */
export function quietRuntime(level: 'WARN' | 'ERROR' = 'WARN'): void {
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
}

/** Clients and the prebuilt workflow bundle for a server at `address`. */
export async function connectTemporal(
  address: string,
  namespace: string,
  onClose: () => Promise<void> = async () => {},
): Promise<Temporal> {
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  return {
    address,
    namespace,
    client: new Client({ connection, namespace }),
    native,
    bundlePath: await prebuiltWorkflowBundle(log),
    close: async () => {
      await native.close();
      await connection.close();
      await onClose();
    },
  };
}

/** A fresh dev server of the project's build, with clients. */
export async function devTemporal(): Promise<Temporal> {
  const server: DevServerHandle = await startDevServer({
    executable: await resolveDevServerExecutable(),
    logLevel: 'error',
  });
  const t = await connectTemporal(server.address, server.namespace, () => server.stop());
  return { ...t, serverPid: server.pid };
}

/** The Gusto client of a bench worker; without a limiter unless one is given (production has one). */
export function gustoFor(
  sandbox: Sandbox,
  companies: SeededCompany[],
  rateLimiter: RateLimiter | false = false,
) {
  const tokens = Object.fromEntries(companies.map((c) => [c.uuid, c.access_token]));
  return createGustoClient({
    baseUrl: sandbox.url,
    tokens: staticTokenProvider({ companies: tokens, system: sandbox.systemToken }),
    rateLimiter,
  });
}

/**
 * The yardstick: `runs` finder + run pairs whose `activities` activities do nothing, all at once, on
 * the same server and worker settings. Returns the wall time and runs per second.
 */
export async function noopThroughput(
  t: Temporal,
  runs: number,
  activities: number,
  workerOptions: Partial<WorkerOptions> = {},
) {
  const taskQueue = `bench-noop-${Date.now()}`;
  const worker = await Worker.create({
    ...workerOptions,
    connection: t.native,
    namespace: t.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
    activities: { noop: async (step: number) => step },
  });
  return worker.runUntil(async () => {
    const one = async (i: number | string) => {
      await t.client.workflow.execute('noopFinderWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-find-${i}`,
      });
      await t.client.workflow.execute('noopRunWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-run-${i}`,
        args: [activities],
      });
    };
    await one('warm-up');
    const t0 = performance.now();
    await Promise.all(Array.from({ length: runs }, (_, i) => one(i)));
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, perSecond: runs / seconds };
  });
}

/** Processed runs hold open until the cancel cutoff (days away); the benchmark ends them. */
export async function terminate(t: Temporal, refs: Array<{ companyId: string; payrollId: string }>) {
  const handles: WorkflowHandle[] = refs.map((r) =>
    t.client.workflow.getHandle(payrollRunId(r.companyId, r.payrollId)),
  );
  await Promise.all(handles.map((h) => h.terminate('benchmark over').catch(() => undefined)));
}

/** Calls to Gusto's API (not the sandbox's own routes, not webhook subscription set-up). */
export function totalGustoCalls(counters: SandboxCounters): number {
  return Object.entries(counters.calls)
    .filter(([endpoint]) => endpoint.includes(' /v1/') && !endpoint.includes('webhook_subscriptions'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      out[i] = await fn(items[i]!).catch((err: unknown) => {
        failed = true; // the other lanes stop too
        throw err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Writes bench/results/<name>.json. */
export async function saveResults(name: string, results: object): Promise<string> {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}${name}.json`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${file}`);
  return file;
}
