/**
 * The production topology on one machine without Docker (`npm run cluster`, and the cluster tests):
 * PostgreSQL → Temporal schemas → Temporal server → namespace and search attributes → sandbox
 * (unless GUSTO_BASE_URL) → N worker processes → HTTP API. `stop()` stops them in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { registerWebhookSubscription } from '../../client/webhook-subscription.js';
import type { Config } from '../../workers/config.js';
import { Stack } from '../../workers/shutdown.js';
import { gustoClientFromConfig } from '../../workers/worker.js';
import { bundleWorkflows } from '../../workers/workflow-bundle.js';
import { startPostgres, type RunningPostgres } from '../postgres.js';
import { waitForPort } from '../provision/net.js';
import { ensureNamespace, ensureSearchAttributes } from '../setup-temporal.js';
import { resolveClusterServer } from '../temporal-servers.js';
import { spawnNodeService, untilReady, type ServiceProcess } from './processes.js';
import {
  createDatabase,
  setupSchema,
  startTemporalServer,
  type Database,
  type TemporalServer,
} from './temporal.js';
import { withWorkerMemorySettings } from '../../workers/process-memory.js';
import { bothTaskQueues } from '../../workers/task-queues.js';

/** The service's own database (token store, shared rate budget), handed over as PAYROLL_DATABASE_URL. */
export const SERVICE_DATABASE = 'payroll';
/** Fixed for the life of the database; 16 is plenty for one machine (compose, for production, uses more). */
export const CLUSTER_HISTORY_SHARDS = 16;

export interface ClusterOptions {
  config: Config;
  /** Environment the services inherit (their other settings). */
  env?: NodeJS.ProcessEnv;
  /** A temporary data directory, deleted at stop (tests); otherwise DATA_DIR/cluster persists. */
  throwaway?: boolean;
  log?: (line: string) => void;
  /** Every line a child prints, with its name (`npm run cluster` shows errors; tests keep quiet). */
  onOutput?: (name: string, line: string) => void;
}

export interface Cluster {
  dataDir: string;
  postgres: RunningPostgres;
  /** postgres://… of the service's own database. */
  databaseUrl: string;
  temporal: TemporalServer;
  sandboxUrl: string;
  apiUrl: string;
  workers: ServiceProcess[];
  /** Stops the Temporal server and starts it again on the same ports and database. */
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const stack = new Stack({ announce: true });
  try {
    return await start(opts, stack, log);
  } catch (err) {
    await stack.stopAll(log);
    throw err;
  }
}

async function start(opts: ClusterOptions, stack: Stack, log: (line: string) => void): Promise<Cluster> {
  const { config } = opts;
  const env = opts.env ?? process.env;
  const output = (name: string) => (line: string) => opts.onOutput?.(name, line);
  const paths = await resolveClusterServer({ env, log: (line) => log(`[provision] ${line}`) });
  const dataDir = clusterDataDir(config, opts.throwaway ?? false);
  if (opts.throwaway)
    stack.push('throwaway data', async () => rmSync(dataDir, { recursive: true, force: true }));

  const postgres = await startPostgres({
    dataDir: join(dataDir, 'postgres'),
    port: config.cluster.postgresPort,
    password: postgresPassword(dataDir),
    throwaway: opts.throwaway,
    env,
  });
  stack.push('PostgreSQL', () => postgres.stop());
  log(`PostgreSQL      127.0.0.1:${postgres.port} (data in ${join(dataDir, 'postgres')})`);
  const db: Database = {
    host: '127.0.0.1',
    port: postgres.port,
    user: postgres.user,
    password: postgres.password,
  };
  await setupSchema(paths, db, env);
  await createDatabase(paths, db, SERVICE_DATABASE, env);
  const databaseUrl = postgres.url(SERVICE_DATABASE);
  log(`                databases temporal, temporal_visibility (schemas migrated), ${SERVICE_DATABASE}`);

  const temporalOptions = {
    paths,
    db,
    port: config.temporal.devServerPort,
    historyShards: CLUSTER_HISTORY_SHARDS,
    env,
    onOutput: output('temporal'),
  };
  let temporal = await startTemporalServer(temporalOptions);
  stack.push('Temporal server', () => temporal.process.stop());
  await setupNamespace(temporal.address, config.temporal.namespace, log);
  log(`Temporal        ${temporal.address} (temporal-server ${paths.server}; no Web UI: see README)`);

  const serviceEnv: NodeJS.ProcessEnv = {
    ...env,
    TEMPORAL_ADDRESS: temporal.address,
    PAYROLL_DATABASE_URL: databaseUrl,
    WORKFLOW_BUNDLE_PATH: config.workflowBundlePath ?? (await workflowBundle(dataDir, log)),
  };
  const sandboxUrl = await startSandbox(config, dataDir, serviceEnv, stack, output('sandbox'), log);
  if (!config.gusto.baseUrl)
    Object.assign(serviceEnv, { GUSTO_BASE_URL: sandboxUrl, GUSTO_TOKEN_SOURCE: 'sandbox' });
  const workers = await startWorkers(config, serviceEnv, stack, output, log);
  const apiUrl = await startApi(config, serviceEnv, stack, output('api'), log);
  if (!config.gusto.baseUrl) await subscribeToSandboxWebhooks(config, sandboxUrl, apiUrl, log);

  return {
    dataDir,
    postgres,
    databaseUrl,
    get temporal() {
      return temporal;
    },
    sandboxUrl,
    apiUrl,
    workers,
    restartTemporal: async () => {
      await temporal.process.stop();
      temporal = await startTemporalServer(temporalOptions);
    },
    stop: () => stack.stopAll(log),
  };
}

function clusterDataDir(config: Config, throwaway: boolean): string {
  const dir = throwaway
    ? mkdtempSync(join(tmpdir(), 'payroll-cluster-'))
    : resolve(config.dataDir, 'cluster');
  mkdirSync(dir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user and must be able to reach its data directory.
  chmodSync(dir, 0o755);
  return dir;
}

/** Chosen once per data directory (initdb sets it) and kept beside it, readable by the owner only. */
function postgresPassword(dataDir: string): string {
  const file = join(dataDir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function setupNamespace(
  address: string,
  namespace: string,
  log: (line: string) => void,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await ensureNamespace(connection, namespace, (line) => log(`                ${line}`));
    await ensureSearchAttributes(connection, namespace, (line) => log(`                ${line}`));
  } finally {
    await connection.close();
  }
}

/** Bundled once for all workers (each would otherwise run webpack at start). */
async function workflowBundle(dataDir: string, log: (line: string) => void): Promise<string> {
  const started = Date.now();
  const code = await bundleWorkflows({ warn() {}, error: log });
  const path = join(dataDir, 'workflow-bundle.js');
  writeFileSync(path, code);
  log(`Workflow bundle ${path} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return path;
}

async function startSandbox(
  config: Config,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  stack: Stack,
  onOutput: (line: string) => void,
  log: (line: string) => void,
): Promise<string> {
  if (config.gusto.baseUrl) {
    log(`Gusto API       ${config.gusto.baseUrl} (GUSTO_BASE_URL; no sandbox started)`);
    return config.gusto.baseUrl;
  }
  const stateFile = config.sandbox.stateFile ?? join(dataDir, 'sandbox-state.json');
  const sandbox = spawnNodeService(
    'sandbox',
    'sim/main.ts',
    { ...env, SANDBOX_STATE_FILE: stateFile },
    onOutput,
  );
  stack.push('Gusto sandbox', () => sandbox.stop());
  await untilReady(sandbox, waitForPort(config.sandbox.port, 60_000, config.sandbox.host), 65_000);
  const url = `http://${config.sandbox.host}:${config.sandbox.port}`;
  log(`Gusto sandbox   ${url} (pid ${sandbox.pid}; state in ${stateFile})`);
  return url;
}

async function startWorkers(
  config: Config,
  env: NodeJS.ProcessEnv,
  stack: Stack,
  output: (name: string) => (line: string) => void,
  log: (line: string) => void,
): Promise<ServiceProcess[]> {
  const workers: ServiceProcess[] = [];
  for (let i = 1; i <= config.cluster.workers; i++) {
    const name = `worker-${i}`;
    // One metrics port each: METRICS_PORT, +1, +2, …
    const metrics = config.metrics.port ? String(config.metrics.port + i - 1) : '';
    const workerEnv = withWorkerMemorySettings({ ...env, METRICS_PORT: metrics });
    const worker = spawnNodeService(name, 'workers/main.ts', workerEnv, output(name));
    const graceMs = config.shutdownGraceMs + 5_000;
    stack.push(name, () => worker.stop(graceMs));
    workers.push(worker);
  }
  // Started together: each bundles nothing and connects in a second, so waiting in turn only adds up.
  await Promise.all(workers.map((w) => untilReady(w, w.line(/worker ready/), 120_000)));
  for (const w of workers)
    log(`Worker          ${w.name} (pid ${w.pid}), task queues ${bothTaskQueues(config.temporal.taskQueue)}`);
  return workers;
}

async function startApi(
  config: Config,
  env: NodeJS.ProcessEnv,
  stack: Stack,
  onOutput: (line: string) => void,
  log: (line: string) => void,
): Promise<string> {
  const api = spawnNodeService('api', 'client/http/main.ts', env, onOutput);
  stack.push('HTTP API', () => api.stop());
  await untilReady(api, waitForPort(config.api.port, 60_000, config.api.host), 65_000);
  const url = `http://${config.api.host}:${config.api.port}`;
  log(`HTTP API        ${url} (pid ${api.pid}; GET /healthz, /openapi.json)`);
  return url;
}

/** As `npm start` does: our sandbox can reach our API, so runs are woken by webhooks, not polling. */
async function subscribeToSandboxWebhooks(
  config: Config,
  sandboxUrl: string,
  apiUrl: string,
  log: (line: string) => void,
): Promise<void> {
  const url = `${apiUrl}/webhooks/gusto`;
  const gusto = gustoClientFromConfig({
    ...config,
    gusto: { ...config.gusto, baseUrl: sandboxUrl, tokenSource: 'sandbox' },
  });
  try {
    const sub = await registerWebhookSubscription(gusto, { url });
    log(`Webhooks        ${url} (sandbox subscription ${sub.uuid}, verified)`);
  } catch (err) {
    log(
      `Webhooks        not subscribed (${err instanceof Error ? err.message : String(err)}); runs will poll`,
    );
  }
}
