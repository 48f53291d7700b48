import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type Logger, type WorkerOptions } from '@temporalio/worker';
import type { EventActivityDeps } from '../activities/events.js';
import { createActivities } from '../activities/index.js';
import { gustoStoresFromConfig, subscriptionStoreFromConfig, type GustoStores } from './stores.js';
import { createGustoClient, type GustoClient } from '../gusto/client.js';
import {
  oauthTokenProvider,
  sandboxTokenProvider,
  staticTokenProvider,
  type TokenProvider,
} from '../gusto/tokens.js';
import { dataConverterFromConfig } from './codec.js';
import { DEFAULT_GUSTO_BASE_URL, DEFAULT_TEMPORAL_ADDRESS, type Config } from './config.js';
import { flushTracing, installTracing, tracingWorkerOptions } from '../observability/tracing.js';
import { workerOptionsFrom } from './config-worker.js';
import { bundleSourceHash, bundleWorkflows, workflowSourceHash, WORKFLOWS_ENTRY } from './workflow-bundle.js';
import { INTERACTIVE_WORKER_OPTIONS, interactiveTaskQueue } from './task-queues.js';

const DEFAULT_BUNDLE = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

export interface WorkerOverrides {
  /** Reuse a connection (npm start, tests) instead of connecting to config.temporal.address. */
  connection?: NativeConnection;
  gusto?: GustoClient;
  tokens?: TokenProvider;
  /** Outbound events (default: the subscription store config chooses, default retry). */
  events?: EventActivityDeps;
  /** Credential store and rate budget; default from the config (workers/stores.ts). */
  stores?: GustoStores;
  /** Merged over the real activities. */
  activities?: Record<string, (...args: never[]) => unknown>;
  workflowBundle?: { codePath: string } | { code: string };
  logger?: Logger;
  workerOptions?: Partial<WorkerOptions>;
}

export interface PayrollWorker {
  connection: NativeConnection;
  /** The batch queue; the worker polls its interactive queue too (workers/task-queues.ts). */
  taskQueue: string;
  /** Where the workflow code came from (bundle path, or the source entry bundled at start). */
  workflowSource: string;
  /** Polls until shutdown; resolves once in-flight work finished or the grace time ran out. */
  run(): Promise<void>;
  /** Asks the worker to stop and waits for `run` to settle. Safe to call twice. */
  shutdown(): Promise<void>;
  isRunning(): boolean;
}

/**
 * The worker: connects to Temporal, registers every activity on a Gusto client whose token provider
 * the config chose, and runs the prebuilt workflow bundle when there is one (starting a worker from
 * source would run webpack on every deploy).
 */
export async function createWorker(config: Config, overrides: WorkerOverrides = {}): Promise<PayrollWorker> {
  // Workflow code first: a bundling error should not leave a connection open behind it.
  const code = await workflowCode(config, overrides);
  installTracing(config);
  const ownStores = !overrides.stores;
  const stores = overrides.stores ?? gustoStoresFromConfig(config);
  // Before polling: a store that is unreachable or sealed with another key is a start-up error.
  await stores.check().catch(async (err: unknown) => {
    if (ownStores) await stores.close();
    throw err;
  });
  const gusto = overrides.gusto ?? gustoClientFromConfig(config, { ...overrides, stores });
  const dataConverter = dataConverterFromConfig(config);
  const ownConnection = !overrides.connection;
  const connection =
    overrides.connection ??
    (await connect(config).catch(async (err: unknown) => {
      if (ownStores) await stores.close();
      throw err;
    }));
  const stopping = new AbortController();
  // Every waiting poll listens on it (and removes its listener after): hundreds at payday, no leak.
  setMaxListeners(0, stopping.signal);
  const workers = await createQueueWorkers(
    {
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: {
        ...createActivities({
          gusto,
          shutdown: stopping.signal,
          pollFirstReadMs: config.worker.pollFirstReadMs,
          events: overrides.events ?? { subscriptions: subscriptionStoreFromConfig(config) },
        }),
        ...overrides.activities,
      },
      ...code.options,
      ...workerOptionsFrom(config.worker),
      // A deploy's SIGTERM lets running activities finish (or heartbeat-cancel) within this window.
      shutdownGraceTime: config.shutdownGraceMs,
      ...(dataConverter ? { dataConverter } : {}),
      ...tracingWorkerOptions(),
      ...overrides.workerOptions,
    },
    () => stopping.abort(),
  ).catch(async (err: unknown) => {
    if (ownConnection) await connection.close();
    if (ownStores) await stores.close();
    throw err;
  });
  const release = async () => {
    await flushTracing().catch(() => undefined);
    if (ownConnection) await connection.close();
    if (ownStores) await stores.close();
  };
  return wrap(workers, connection, release, config.temporal.taskQueue, code.source);
}

/** The SDK workers of both task queues (workers/task-queues.ts), run and stopped as one. */
export interface QueueWorkers {
  /** Polls both queues until shutdown; either one stopping (or failing) stops the other. */
  run(): Promise<void>;
  /** Runs both while `fn` runs, then shuts them down (tests). */
  runUntil<T>(fn: () => Promise<T>): Promise<T>;
  shutdown(): void;
  isRunning(): boolean;
}

/**
 * One SDK worker per task queue, from the same options: the batch side with them as given, the
 * interactive side on its own queue with its own small limits (whatever the options say).
 * `onStopping` runs once either side starts to stop, before both are asked to (the activities'
 * shutdown signal: a long Gusto poll must not hold the drain for the whole grace time).
 */
export async function createQueueWorkers(
  options: WorkerOptions,
  onStopping: () => void = () => {},
): Promise<QueueWorkers> {
  const batch = await Worker.create(options);
  const interactive = await Worker.create({
    ...options,
    taskQueue: interactiveTaskQueue(options.taskQueue),
    ...INTERACTIVE_WORKER_OPTIONS,
  }).catch(async (err: unknown) => {
    // The batch worker holds a native worker until it has run: run it to a stop.
    const stopped = batch.run();
    batch.shutdown();
    await stopped.catch(() => undefined);
    throw err;
  });
  const both = [batch, interactive];
  const shutdown = () => {
    onStopping();
    for (const w of both) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const run = async () => {
    const ended = await Promise.allSettled(both.map((w) => w.run().finally(shutdown)));
    const failed = ended.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const runUntil = async <T>(fn: () => Promise<T>): Promise<T> => {
    const running = run();
    const stoppedEarly = running.then(() => {
      throw new Error('the workers stopped before the work they ran for was done');
    });
    try {
      return await Promise.race([fn(), stoppedEarly]);
    } finally {
      shutdown();
      await running;
    }
  };
  return { run, runUntil, shutdown, isRunning: () => both.every((w) => w.getState() === 'RUNNING') };
}

function wrap(
  workers: QueueWorkers,
  connection: NativeConnection,
  release: () => Promise<void>,
  taskQueue: string,
  workflowSource: string,
): PayrollWorker {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= workers.run().finally(release);
    return running;
  };
  const shutdown = async () => {
    workers.shutdown();
    await running?.catch(() => undefined);
  };
  return { connection, taskQueue, workflowSource, run, shutdown, isRunning: workers.isRunning };
}

export async function connect(config: Config): Promise<NativeConnection> {
  const address = config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  try {
    return await NativeConnection.connect({
      address,
      tls: config.temporal.tls,
      ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
    });
  } catch (err) {
    throw new Error(`cannot connect to Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}`);
  }
}

/** The one place a token source name becomes a token provider. */
export function tokenProviderFromConfig(config: Config, baseUrl: string, stores: GustoStores): TokenProvider {
  const g = config.gusto;
  switch (g.tokenSource) {
    case 'sandbox':
      return sandboxTokenProvider(baseUrl);
    case 'static':
      return staticTokenProvider({
        companies: g.accessTokens,
        ...(g.systemToken ? { system: g.systemToken } : {}),
      });
    case 'oauth':
      // loadConfig guarantees these are present for oauth.
      return oauthTokenProvider({
        baseUrl,
        clientId: g.clientId!,
        clientSecret: g.clientSecret!,
        refreshTokens: g.refreshTokens,
        store: stores.credentials,
        apiVersion: g.apiVersion,
      });
  }
}

/**
 * The Gusto client every process uses. Without `stores` it makes its own from the config (lazily: a
 * CLI command that never calls Gusto opens nothing).
 */
export function gustoClientFromConfig(
  config: Config,
  overrides: Pick<WorkerOverrides, 'tokens' | 'logger' | 'stores'> = {},
) {
  const baseUrl = config.gusto.baseUrl ?? DEFAULT_GUSTO_BASE_URL;
  const stores = overrides.stores ?? gustoStoresFromConfig(config);
  return createGustoClient({
    baseUrl,
    apiVersion: config.gusto.apiVersion,
    rateLimiter: stores.rateLimiter,
    tokens: overrides.tokens ?? tokenProviderFromConfig(config, baseUrl, stores),
    ...(overrides.logger ? { logger: gustoLogger(overrides.logger) } : {}),
  });
}

/** Gusto's per-call lines are debug detail for the worker; warnings and errors stay visible. */
function gustoLogger(logger: Logger) {
  return {
    info: (msg: string, meta?: object) => logger.debug(msg, meta as Record<string, unknown>),
    warn: (msg: string, meta?: object) => logger.warn(msg, meta as Record<string, unknown>),
    error: (msg: string, meta?: object) => logger.error(msg, meta as Record<string, unknown>),
  };
}

type WorkflowCode = {
  options: { workflowBundle: { codePath: string } | { code: string } };
  source: string;
};

async function workflowCode(config: Config, overrides: WorkerOverrides): Promise<WorkflowCode> {
  if (overrides.workflowBundle)
    return { options: { workflowBundle: overrides.workflowBundle }, source: 'override' };
  const path =
    config.workflowBundlePath ?? ((await defaultBundleFresh(overrides.logger)) ? DEFAULT_BUNDLE : undefined);
  if (path) {
    if (!existsSync(path))
      throw new Error(`WORKFLOW_BUNDLE_PATH: no file at ${path} (build it: npm run build:bundle)`);
    return { options: { workflowBundle: { codePath: path } }, source: path };
  }
  // No prebuilt bundle (development): bundle here.
  const code = await bundleWorkflows(overrides.logger ?? console);
  return { options: { workflowBundle: { code } }, source: `${WORKFLOWS_ENTRY} (bundled at start)` };
}

/**
 * dist/workflow-bundle.js is a build product: after an edit it would silently run old code. It carries
 * the hash of the sources it was built from; when today's differ (or it has none), the worker bundles
 * from source instead.
 */
async function defaultBundleFresh(logger?: Logger): Promise<boolean> {
  if (!existsSync(DEFAULT_BUNDLE)) return false;
  const built = bundleSourceHash(await readFile(DEFAULT_BUNDLE, 'utf8'));
  if (built && built === (await workflowSourceHash())) return true;
  (logger ?? console).warn(
    `${DEFAULT_BUNDLE} was built from other sources: bundling from source (npm run build:bundle to refresh)`,
  );
  return false;
}
