/**
 * The test harness: what test files use to get Temporal servers, sandboxes and workers. See
 * docs/INTERFACES.md; globalSetup (global-setup.ts) has already started the run's dev server and built
 * the workflow bundle by the time a test file runs.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogLevel,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Sandbox, SandboxOptions } from '../../sim/server.js';
import type { EventActivityDeps } from '../../activities/events.js';
import type { GustoClient } from '../../gusto/client.js';
import { startDevServer } from '../../scripts/dev-server.js';
import { addSearchAttributes } from '../../scripts/setup-temporal.js';
import { resolveDevServerExecutable, resolveTestServerExecutable } from '../../scripts/temporal-servers.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { tracingWorkerOptions } from '../../observability/tracing.js';
import { withWorkerMemorySettings } from '../../workers/process-memory.js';
import { prebuiltWorkflowBundle } from './bundle.js';
import { HARNESS_ENV, REPO_ROOT } from './shared.js';

export type { Sandbox, SandboxOptions };
export { TestWorkflowEnvironment };

/**
 * SDK chatter (worker state changes, poll errors at teardown, the Java test server's missing
 * capabilities) would bury test output: the SDK logs warnings and up, core only errors (a failing
 * test says why anyway). TEST_LOG_LEVEL=debug turns both up when a test needs investigating.
 */
function ensureRuntime(): void {
  if (ensureRuntime.done) return;
  ensureRuntime.done = true;
  const level = process.env.TEST_LOG_LEVEL?.toUpperCase() as LogLevel | undefined;
  try {
    Runtime.install({
      logger: new DefaultLogger(level ?? 'WARN'),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: level ?? 'ERROR' }), forward: {} },
      },
    });
  } catch {
    // Already created by an earlier call in this test file: keep it.
  }
}
ensureRuntime.done = false;

/**
 * A time-skipping environment for this test file. Time skipping is global to a test server, so test
 * files running in parallel jest workers must not share one: a file awaiting a result would fast-
 * forward another file's timers and sandbox clock. Each call starts its own server (~0.3 s with the
 * class-data archive); call it in beforeAll and `teardown()` in afterAll.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  ensureRuntime();
  const executable = await resolveTestServerExecutable();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await registerSearchAttributes(env);
  return env;
}

/**
 * The test server starts without custom search attributes and fails a workflow that upserts an
 * unknown one; it implements AddSearchAttributes (not List), so ours are registered on every env.
 */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await addSearchAttributes(env.connection, env.namespace ?? 'default', ALL_SEARCH_ATTRIBUTES);
}

/**
 * The run's shared dev server (full server: Schedules, visibility queries, search attributes).
 * `teardown()` only closes this file's connections. Without globalSetup (a single file run some other
 * way) it starts a private dev server, which `teardown()` stops.
 */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  ensureRuntime();
  const address = process.env[HARNESS_ENV.address];
  const namespace = process.env[HARNESS_ENV.namespace] ?? 'default';
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address, namespace });
  const server = await startDevServer({ executable: await resolveDevServerExecutable(), logLevel: 'error' });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace });
  const closeConnections = env.teardown.bind(env);
  env.teardown = async () => {
    await closeConnections();
    await server.stop();
  };
  return env;
}

/** Task queues isolate tests sharing one server: a worker only sees its own test's workflows. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface StartSandboxOptions extends SandboxOptions {
  /** A time-skipping env: the sandbox clock then follows the env's (skipped) time. */
  env?: TestWorkflowEnvironment;
}

/** A fresh Gusto sandbox on a random port. Close it in afterEach/afterAll. */
export async function startSandbox(opts: StartSandboxOptions = {}): Promise<Sandbox> {
  const { env, ...options } = opts;
  // Imported on use, so test files that need no sandbox do not load it.
  const { createSandbox } = await import('../../sim/server.js');
  if (!env?.supportsTimeSkipping) return createSandbox({ port: 0, quiet: true, ...options });
  const clock = envClock(env);
  const sandbox = await createSandbox({ port: 0, quiet: true, ...options, clock: clock.now });
  const closeServer = sandbox.close;
  // Closed only once no clock read is on the wire, so the env's teardown that follows finds none.
  sandbox.close = async () => {
    try {
      await closeServer();
    } finally {
      await clock.close();
    }
  };
  return sandbox;
}

/** Calls a /sandbox/ admin route (faults, clock, config, ...); throws with the body on a non-2xx answer. */
export async function sandboxAdmin<T = unknown>(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * The test env's (skipped) time, read over the env's connection. A read still on the wire when the
 * env is torn down fails as the server stops, and the client's gRPC retry then calls the closed
 * channel from a timer: an uncaught "Channel has been shut down" that jest charges to whichever test
 * runs next. So `close()` waits for the reads under way, and later reads (the sandbox's background
 * tick may still ask once) get the last reading without calling the env.
 */
function envClock(env: TestWorkflowEnvironment): { now: () => Promise<Date>; close: () => Promise<void> } {
  let last: Date | undefined;
  let closed = false;
  const reading = new Set<Promise<number>>();
  const now = async () => {
    if (closed) {
      if (last) return last;
      throw new Error('the env clock was closed before its first reading');
    }
    const read = env.currentTimeMs();
    reading.add(read);
    try {
      last = new Date(await read);
    } catch (err) {
      if (!last) throw err;
    } finally {
      reading.delete(read);
    }
    return last;
  };
  const close = async () => {
    closed = true;
    await Promise.allSettled([...reading]);
  };
  return { now, close };
}

/** A Gusto client that talks to the sandbox with its seeded company tokens. */
export async function gustoClientFor(
  sandbox: Sandbox,
  opts: { clock?: () => Date } = {},
): Promise<GustoClient> {
  const { createGustoClient } = await import('../../gusto/client.js');
  const { staticTokenProvider } = await import('../../gusto/tokens.js');
  const companies = Object.fromEntries(sandbox.companies.map((c) => [c.uuid, c.access_token]));
  return createGustoClient({
    baseUrl: sandbox.url,
    tokens: staticTokenProvider({ companies, system: sandbox.systemToken }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}

/** What the client functions (client/*.ts) need: a Temporal client and the task queue of their runs. */
export interface ClientDeps {
  temporal: Client;
  taskQueue: string;
}

/** A Temporal env, a sandbox and a Gusto client at that sandbox: where a workflow test runs. */
export interface SandboxWorld {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  gusto: GustoClient;
  /**
   * Runs `fn` while a worker polls a fresh task queue named after `queuePrefix` (see runWorker); `fn`
   * gets the client deps bound to that queue.
   */
  withWorker<T>(queuePrefix: string, fn: (deps: ClientDeps) => Promise<T>): Promise<T>;
  /** Closes the sandbox, then tears the env down. */
  close(): Promise<void>;
}

/**
 * This file's own time-skipping env (see timeSkippingEnv) with a sandbox on its clock. Call it in
 * beforeAll and `close()` in afterAll.
 */
export async function timeSkippingWorld(options: SandboxOptions = {}): Promise<SandboxWorld> {
  return worldOn(await timeSkippingEnv(), options);
}

/** The run's shared dev server (see devServerEnv) with a sandbox on real time. */
export async function devServerWorld(options: SandboxOptions = {}): Promise<SandboxWorld> {
  return worldOn(await devServerEnv(), options);
}

async function worldOn(env: TestWorkflowEnvironment, options: SandboxOptions): Promise<SandboxWorld> {
  const sandbox = await startSandbox({ ...options, env }).catch(async (err: unknown) => {
    await env.teardown();
    throw err;
  });
  const close = async () => {
    await sandbox.close();
    await env.teardown();
  };
  const gusto = await gustoClientFor(sandbox).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  return {
    env,
    sandbox,
    gusto,
    withWorker: (queuePrefix, fn) => {
      const taskQueue = uniqueTaskQueue(queuePrefix);
      return runWorker(env, { taskQueue, sandbox }, () => fn({ temporal: env.client, taskQueue }));
    },
    close,
  };
}

export interface RunWorkerOptions {
  taskQueue: string;
  sandbox: Sandbox;
  /** Merged over the real activities: replace one activity (e.g. to inject a failure) and keep the rest. */
  activities?: Record<string, (...args: never[]) => unknown>;
  /** Outbound events: subscriptions and delivery retry (default: none, events go nowhere). */
  events?: EventActivityDeps;
  /** Another workflow bundle (test-only workflows); default the prebuilt workflows/index.ts. */
  workflowBundle?: { codePath: string } | { code: string };
  /**
   * "Now" for the Gusto client's own date rules. The client needs a synchronous clock, which a
   * time-skipping env cannot give; pass one when a test depends on it (default: real time).
   */
  gustoClock?: () => Date;
  /**
   * Anything else Worker.create takes (e.g. maxCachedWorkflows: 0 to force replay on every task), for
   * the batch queue's worker: the interactive queue's keeps its own limits.
   */
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * Runs `fn` while a worker polls `taskQueue` and its interactive queue (workers/task-queues.ts): the
 * prebuilt workflow bundle plus the real activities on a Gusto client pointed at the sandbox. The
 * worker shuts down when `fn` settles.
 */
export async function runWorker<T>(
  env: TestWorkflowEnvironment,
  opts: RunWorkerOptions,
  fn: () => Promise<T>,
): Promise<T> {
  ensureRuntime();
  const { createActivities } = await import('../../activities/index.js');
  const { createQueueWorkers } = await import('../../workers/worker.js');
  const gusto = await gustoClientFor(opts.sandbox, { clock: opts.gustoClock });
  // Both task queues, as the service's worker polls them (workers/task-queues.ts).
  const workers = await createQueueWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...(await workflowCode(opts)),
    activities: { ...createActivities({ gusto, events: opts.events }), ...opts.activities },
    // The bundle's workflow interceptors export through a sink (a no-op unless a test turned tracing on).
    ...tracingWorkerOptions(),
    ...opts.workerOptions,
  });
  return workers.runUntil(fn);
}

export interface BackgroundWorker {
  /** Shuts the worker down; resolves once it has (or rejects with what made it fail). */
  stop(): Promise<void>;
}

/** A worker polling in the background (see runWorker) until `stop()`. */
export function startWorker(env: TestWorkflowEnvironment, opts: RunWorkerOptions): BackgroundWorker {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const running = runWorker(env, opts, () => held);
  return {
    stop: () => {
      release();
      return running;
    },
  };
}

/** The prebuilt bundle of workflows/index.ts (built by globalSetup, or here when it did not run). */
export async function workflowBundlePath(): Promise<string> {
  return process.env[HARNESS_ENV.bundlePath] ?? (await prebuiltWorkflowBundle());
}

async function workflowCode(
  opts: RunWorkerOptions,
): Promise<{ workflowBundle: { codePath: string } | { code: string } }> {
  if (opts.workflowBundle) return { workflowBundle: opts.workflowBundle };
  return { workflowBundle: { codePath: await workflowBundlePath() } };
}

export interface SpawnWorkerOptions {
  address: string;
  taskQueue: string;
  sandboxUrl: string;
  namespace?: string;
  /** Extra environment for the worker (any workers/config.ts variable). */
  env?: Record<string, string>;
  /** How long to wait for the worker's ready line (default 30 s). */
  readyTimeoutMs?: number;
}

export interface WorkerProcess {
  pid: number;
  /** SIGKILL by default: the point of a separate process is to die without cleaning up. */
  kill(signal?: NodeJS.Signals): void;
  /** Exit code, or 128 + signal number when killed by a signal. */
  exited: Promise<number>;
  /** Everything the process printed so far (for assertions and failure messages). */
  output(): string;
}

const READY_LINE = /worker ready/;

/**
 * A real worker process (`node --import tsx workers/main.ts`, configured through its environment) for
 * crash tests. Resolves once the worker reports it is polling. Node runs the file directly (no `tsx`
 * launcher in between), so the pid is the worker itself and SIGKILL kills the worker, not a wrapper.
 */
export async function spawnWorkerProcess(opts: SpawnWorkerOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')], {
    cwd: REPO_ROOT,
    env: workerEnv(opts),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal))),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (READY_LINE.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`worker process exited (${code}) before ready:\n${output}`)));
  });
  const handle: WorkerProcess = {
    pid: child.pid!,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
    exited,
    output: () => output,
  };
  await withTimeout(ready, opts.readyTimeoutMs ?? 30_000, () => {
    handle.kill();
    return `worker process not ready after ${opts.readyTimeoutMs ?? 30_000} ms:\n${output}`;
  });
  return handle;
}

function workerEnv(opts: SpawnWorkerOptions): NodeJS.ProcessEnv {
  const bundle = process.env[HARNESS_ENV.bundlePath];
  return withWorkerMemorySettings({
    ...process.env,
    TEMPORAL_ADDRESS: opts.address,
    TEMPORAL_NAMESPACE: opts.namespace ?? 'default',
    TASK_QUEUE: opts.taskQueue,
    GUSTO_BASE_URL: opts.sandboxUrl,
    GUSTO_TOKEN_SOURCE: 'sandbox',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '',
    SHUTDOWN_GRACE_MS: '2000',
    // Tests time their runs with the net reading at once, as in-process test workers do; the
    // production hold-back is covered by test/payroll/polling-net.test.ts.
    POLL_FIRST_READ_MS: '0',
    ...(bundle ? { WORKFLOW_BUNDLE_PATH: bundle } : {}),
    ...opts.env,
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 0;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(onTimeout())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
