/**
 * Starts a Temporal dev server (the CLI's `server start-dev`) for tests and `npm start`, from the
 * executable the resolver picked. Both callers go through here so flags, search attributes and
 * shutdown behave the same in tests and in the embedded default.
 */
import { spawn } from 'node:child_process';
import type { SearchAttributeType } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { collectOutput, startWatchdog, stopProcess } from './child-process.js';
import { freePort } from './provision/net.js';
import type { ServerExecutable } from './temporal-servers.js';

export interface DevServerOptions {
  executable: ServerExecutable;
  /** gRPC port; a free one when omitted. */
  port?: number;
  ip?: string;
  namespace?: string;
  /** Web UI port; no UI (`--headless`) when omitted. */
  uiPort?: number;
  /** The UI's remote codec (the API's /codec), so it can show encrypted payloads. */
  uiCodecEndpoint?: string;
  /** SQLite file for state that survives restarts; in memory when omitted. */
  dbFilename?: string;
  sqlitePragmas?: Record<string, string>;
  searchAttributes?: { name: string; type: SearchAttributeType }[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the server's own log lines go; they are dropped when omitted (a failed start still reports them). */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface DevServerHandle {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  /** The server process id (undefined when the SDK started it). */
  pid: number | undefined;
  stop(): Promise<void>;
}

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * The server's own worker that runs every Schedule (one per namespace, inside the server process).
 * Its defaults stall a payday: when a thousand Schedules fire in the same second, their workflow
 * tasks wait on the worker's sticky queue; those still waiting after 5 s move to the normal queue,
 * while the worker's pollers sit out a 60 s long poll on the emptied sticky queue (measured: a
 * minute with no scan started). With a single per-namespace worker there is nowhere else for a task
 * to go, so sticky tasks wait for it (5 min), and more pollers drain a burst faster.
 * scripts/compose/dynamicconfig/production-sql.yaml holds the same values for the SQL server.
 */
export const SCHEDULER_WORKER_OPTIONS = {
  MaxConcurrentWorkflowTaskPollers: 8,
  StickyScheduleToStartTimeout: '5m',
} as const;

/** Dynamic config the service needs beyond the SDK launcher's; production-sql.yaml holds the same. */
const SERVICE_DYNAMIC_CONFIG: Record<string, unknown> = {
  'worker.perNamespaceWorkerOptions': SCHEDULER_WORKER_OPTIONS,
  // Task priority (workers/task-queues.ts, ON_DEMAND_PRIORITY).
  'matching.useNewMatcher': true,
  // An activity scheduled on the worker's own task queue starts in the answer to the workflow task
  // that scheduled it, when the worker has a slot free, instead of going through matching: a fifth
  // less server CPU per payroll run at payday (docs/BENCHMARKS.md, "Eager activities").
  'system.enableActivityEagerExecution': true,
};

/**
 * The CLI re-reads the search attributes from its store on every use, so that one added while it runs
 * works at once; ours are all registered when it starts. The re-read made an upsert cost the server
 * nearly twice as much (bench:server-costs); SQL and Elasticsearch servers never force it.
 */
const DEV_SERVER_ONLY_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/** Ours, on top of the update switches the SDK's launcher sets itself. */
const OUR_DEV_SERVER_DYNAMIC_CONFIG = { ...SERVICE_DYNAMIC_CONFIG, ...DEV_SERVER_ONLY_DYNAMIC_CONFIG };

/** Dynamic config of the dev server, in every way it is started. */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  // The same switches the SDK's own launcher sets: updates are how people approve and edit runs.
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableServerVersionCheck': false,
  ...OUR_DEV_SERVER_DYNAMIC_CONFIG,
};

/** `--dynamic-config-value key=value` pairs; the CLI reads each value as JSON. */
export function dynamicConfigArgs(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]);
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port || (await freePort(ip));
  const namespace = opts.namespace ?? 'default';
  const common = { ...opts, ip, port, namespace };
  return opts.executable.type === 'existing-path'
    ? spawnServer(opts.executable.path, common)
    : startWithSdkDownload(common);
}

type Resolved = DevServerOptions & { ip: string; port: number; namespace: string };

export function devServerArgs(o: Resolved): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--namespace', o.namespace];
  args.push('--log-format', 'pretty', '--log-level', o.logLevel ?? 'warn');
  args.push(...dynamicConfigArgs(DEV_SERVER_DYNAMIC_CONFIG));
  if (o.dbFilename) args.push('--db-filename', o.dbFilename);
  for (const [k, v] of Object.entries(o.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${k}=${v}`);
  if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  if (o.uiPort && o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  for (const key of o.searchAttributes ?? ALL_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
  }
  return args;
}

async function spawnServer(path: string, o: Resolved): Promise<DevServerHandle> {
  // Own process group: a terminal Ctrl-C reaches only our process, which then stops things in order
  // (worker first, server last). The watchdog covers the case where we die without stopping it.
  const child = spawn(path, devServerArgs(o), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail = collectOutput(child, o.onOutput);
  const watchdog = startWatchdog(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${o.ip}:${o.port}`;
  const stop = () => stopProcess(child, exited).finally(() => watchdog.kill());
  try {
    await waitUntilServing(address, o.namespace, exited, o.startTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n${tail().join('\n')}`);
  }
  return { address, namespace: o.namespace, uiUrl: uiUrl(o), pid: child.pid, stop };
}

function uiUrl(o: Resolved): string | undefined {
  return o.uiPort ? `http://${o.ip === '0.0.0.0' ? 'localhost' : o.ip}:${o.uiPort}` : undefined;
}

/** Ready means the frontend answers and the namespace exists, not merely that the port is open. */
async function waitUntilServing(
  address: string,
  namespace: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !gone) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(
    gone ? 'the server process exited' : `not serving after ${timeoutMs} ms (${String(lastError)})`,
  );
}

/** On a machine with internet but no Go, the SDK downloads the CLI and runs it itself. */
async function startWithSdkDownload(o: Resolved): Promise<DevServerHandle> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: o.ip,
      port: o.port,
      namespace: o.namespace,
      ui: o.uiPort !== undefined,
      uiPort: o.uiPort,
      dbFilename: o.dbFilename,
      searchAttributes: o.searchAttributes ?? ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: o.logLevel ?? 'warn' },
      extraArgs: [
        ...Object.entries(o.sqlitePragmas ?? {}).flatMap(([k, v]) => ['--sqlite-pragma', `${k}=${v}`]),
        // The update switches are the SDK launcher's own; the rest are ours.
        ...dynamicConfigArgs(OUR_DEV_SERVER_DYNAMIC_CONFIG),
      ],
    },
  });
  return {
    address: env.address,
    namespace: o.namespace,
    uiUrl: uiUrl(o),
    pid: undefined,
    stop: () => env.teardown(),
  };
}
