/**
 * `npm start`: the whole service on one machine with nothing else installed. Brings up, in order, a
 * Temporal dev server (SQLite in DATA_DIR, Web UI), the Gusto sandbox, a worker and the HTTP API;
 * prints where each listens and a "ready" line; Ctrl-C / SIGTERM stops them in reverse order.
 * TEMPORAL_ADDRESS or GUSTO_BASE_URL, when set, replace the dev server or the sandbox.
 */
import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NativeConnection, type Logger } from '@temporalio/worker';
import { startDevServer } from '../scripts/dev-server.js';
import { freePortCheck } from '../scripts/provision/net.js';
import { resolveDevServerExecutable } from '../scripts/temporal-servers.js';
import { createSandbox } from '../sim/server.js';
import { loadConfigOrExit, type Config } from '../workers/config.js';
import type { ConfigVariable } from '../workers/config-variables.js';
import { pinoDestination, resolveLogFormat, statusLine } from '../workers/logger.js';
import { installRuntime } from '../workers/runtime.js';
import { onShutdownSignal, Stack } from '../workers/shutdown.js';
import { createWorker, gustoClientFromConfig } from '../workers/worker.js';
import { connectClient } from './cli/context.js';
import { createApiServer } from './http/server.js';
import { registerWebhookSubscription } from './webhook-subscription.js';
import { bothTaskQueues } from '../workers/task-queues.js';

/**
 * What `npm start` prints about itself, in the one format of LOG_FORMAT: the plain line on a terminal,
 * an info (or error) JSON line otherwise, like the worker's and the API's log lines next to it.
 */
let format = resolveLogFormat(undefined, process.stdout.isTTY);
const say = (message: string) => console.log(statusLine(format, message));
const fail = (message: string) => console.error(statusLine(format, message, 'error'));

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  format = resolveLogFormat(config.logFormat, process.stdout.isTTY);
  // Before the runtime: it binds METRICS_PORT as soon as it is installed.
  await checkPortsFree(config).catch((err: Error) => {
    fail(`start-up failed: ${err.message}`);
    process.exit(1);
  });
  const logger = installRuntime(config);
  const stack = new Stack();
  onShutdownSignal(() => stack.stopAll(say), say);
  try {
    await mkdir(config.dataDir, { recursive: true });
    const embeddedSandbox = !config.gusto.baseUrl;
    config = await startTemporal(config, stack, logger);
    config = await startGusto(config, stack);
    const worker = await startWorker(config, stack, logger);
    await startApi(config, stack, () => worker.isRunning());
    if (embeddedSandbox) await subscribeToSandboxWebhooks(config);
    say(
      `ready: payroll orchestrator is up (task queues ${bothTaskQueues(config.temporal.taskQueue)}). Ctrl-C to stop.`,
    );
  } catch (err) {
    fail(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    await stack.stopAll(say);
    process.exit(1);
  }
}

/** Every port this process would bind, checked up front: one clear line beats a crash halfway up. */
async function checkPortsFree(config: Config): Promise<void> {
  const wanted: [ConfigVariable, number | undefined, string][] = [
    ['TEMPORAL_PORT', config.temporal.address ? undefined : config.temporal.devServerPort, '127.0.0.1'],
    ['TEMPORAL_UI_PORT', config.temporal.address ? undefined : config.temporal.uiPort, '127.0.0.1'],
    ['SANDBOX_PORT', config.gusto.baseUrl ? undefined : config.sandbox.port, config.sandbox.host],
    ['API_PORT', config.api.port, config.api.host],
    ['METRICS_PORT', config.metrics.port, '0.0.0.0'],
  ];
  const busy: string[] = [];
  for (const [variable, port, host] of wanted) {
    if (port !== undefined && !(await freePortCheck(port, host))) {
      busy.push(
        `${variable}: port ${port} is already in use (another npm start?); set ${variable} to a free port`,
      );
    }
  }
  if (busy.length > 0) throw new Error(busy.join('; '));
}

async function startTemporal(config: Config, stack: Stack, logger: Logger): Promise<Config> {
  if (config.temporal.address) {
    say(`Temporal        ${config.temporal.address} (TEMPORAL_ADDRESS; no dev server started)`);
    return config;
  }
  const dbFilename = resolve(config.dataDir, 'temporal.db');
  const executable = await resolveDevServerExecutable({
    env: { ...process.env, TEMPORAL_CLI_PATH: config.temporal.cliPath ?? '' },
    log: (line) => say(`[provision] ${line}`),
  });
  let stopping = false;
  const server = await startDevServer({
    executable,
    port: config.temporal.devServerPort,
    uiPort: config.temporal.uiPort,
    // The UI decodes encrypted payloads through the API started below (same keys, same API_KEYS).
    uiCodecEndpoint:
      config.payloadKeys.length > 0 ? `http://${config.api.host}:${config.api.port}/codec` : undefined,
    namespace: config.temporal.namespace,
    dbFilename,
    // WAL: readers do not block the writer. NORMAL: durable across a crash of this process.
    sqlitePragmas: { journal_mode: 'WAL', synchronous: 'NORMAL' },
    onOutput: (line) => {
      // Its shutdown chatter (pollers losing their connection) is expected; errors before that are not.
      if (!stopping && (/level=ERROR/.test(line) || config.logLevel === 'debug'))
        logger.warn(`[temporal] ${line}`);
    },
  });
  stack.push('Temporal dev server', async () => {
    stopping = true;
    await server.stop();
  });
  say(`Temporal        ${server.address} (dev server, state in ${dbFilename})`);
  say(`Temporal Web UI ${server.uiUrl}`);
  return { ...config, temporal: { ...config.temporal, address: server.address } };
}

async function startGusto(config: Config, stack: Stack): Promise<Config> {
  if (config.gusto.baseUrl) {
    say(`Gusto API       ${config.gusto.baseUrl} (GUSTO_BASE_URL, tokens: ${config.gusto.tokenSource})`);
    return config;
  }
  const s = config.sandbox;
  // Like the workflows in DATA_DIR, the sandbox's payrolls, payments and clock survive a restart.
  const stateFile = s.stateFile ? resolve(s.stateFile) : resolve(config.dataDir, 'sandbox-state.json');
  const sandbox = await createSandbox({
    port: s.port,
    host: s.host,
    seed: { companies: s.companies, seed: s.seed ?? (await persistedSeed(config.dataDir)) },
    stateFile,
    rateLimitPerMinute: s.rateLimitPerMinute,
    calculateLatencyMs: s.calculateLatencyMs,
    submitLatencyMs: s.submitLatencyMs,
    quiet: true,
  });
  stack.push('Gusto sandbox', () => sandbox.close());
  const companies = `${sandbox.companies.length} companies; GET /sandbox/companies`;
  say(`Gusto sandbox   ${sandbox.url} (${companies}; state in ${stateFile})`);
  // Our own sandbox hands out its own tokens, whatever GUSTO_TOKEN_SOURCE says.
  return { ...config, gusto: { ...config.gusto, baseUrl: sandbox.url, tokenSource: 'sandbox' } };
}

/**
 * The seed the sandbox state was first made from. The state file carries it too; this copy matters
 * when that file is set aside (unreadable, older format): seeding again from the same seed still gives
 * the workflows in DATA_DIR the same companies, contractors and ids to come back to.
 */
async function persistedSeed(dataDir: string): Promise<number> {
  const file = resolve(dataDir, 'sandbox-seed.json');
  const stored = await readFile(file, 'utf8').then(
    (t) => (JSON.parse(t) as { seed?: unknown }).seed,
    () => undefined,
  );
  if (typeof stored === 'number' && Number.isInteger(stored)) return stored;
  const seed = randomInt(1, 2 ** 31);
  await writeFile(file, JSON.stringify({ seed }));
  return seed;
}

async function startWorker(config: Config, stack: Stack, logger: Logger) {
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  stack.push('Temporal connection (worker)', () => connection.close());
  const worker = await createWorker(config, { connection, logger });
  const running = worker.run();
  running.catch((err: unknown) => logger.error(`worker stopped: ${String(err)}`));
  stack.push('worker', () => {
    // Long polls hand over at once (ActivityDeps.shutdown); a Gusto call in flight may still finish.
    say(
      `worker: finishing in-flight Gusto calls (up to ${config.shutdownGraceMs / 1000} s); Ctrl-C again to stop now`,
    );
    return worker.shutdown();
  });
  const metrics = config.metrics.port ? `, metrics http://localhost:${config.metrics.port}/metrics` : '';
  say(
    `Worker          task queues ${bothTaskQueues(worker.taskQueue)}, workflows from ${worker.workflowSource}${metrics}`,
  );
  return worker;
}

async function startApi(config: Config, stack: Stack, isWorkerReady: () => boolean): Promise<void> {
  const { connection, deps } = await connectClient(config);
  stack.push('Temporal connection (API)', () => connection.close());
  const app = createApiServer({
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    config,
    gusto: gustoClientFromConfig(config),
    isWorkerReady,
    logger: {
      level: config.logLevel === 'info' ? 'warn' : config.logLevel,
      stream: pinoDestination(format, (l) => process.stdout.write(`${l}\n`)),
    },
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  stack.push('HTTP API', () => app.close());
  say(`HTTP API        http://${config.api.host}:${config.api.port} (GET /healthz, /openapi.json)`);
}

/**
 * Our own sandbox can reach our own ingress, so the embedded default runs webhooks-first like
 * production. (Real Gusto needs a public URL: register it with `npm run webhook-subscription`.)
 * Without the subscription runs still finish, by polling, so a failure here only warns.
 */
async function subscribeToSandboxWebhooks(config: Config): Promise<void> {
  const url = `http://${config.api.host}:${config.api.port}/webhooks/gusto`;
  try {
    const sub = await registerWebhookSubscription(gustoClientFromConfig(config), { url });
    say(`Webhooks        ${url} (sandbox subscription ${sub.uuid}, verified)`);
  } catch (err) {
    say(
      `Webhooks        not subscribed (${err instanceof Error ? err.message : String(err)}); runs will poll`,
    );
  }
}

void main();
