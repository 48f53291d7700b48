/**
 * The dev topology's worker in a process of its own, so its RSS and event-loop lag are the worker's
 * alone (the bench process keeps the sandbox, the ingress and the clients). The parent forks this file;
 * the child runs the production worker (createWorker, tuning from workers/config.ts) with the
 * production rate limiter, counted, and reports its figures over IPC each second.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGustoClient } from '../gusto/client.js';
import { sandboxTokenProvider } from '../gusto/tokens.js';
import { loadConfig } from '../workers/config.js';
import { createWorker } from '../workers/worker.js';
import { withWorkerMemorySettings } from '../workers/process-memory.js';
import { quietRuntime } from './harness.js';
import { countingLimiter, processMonitor } from './payday-world.js';

const SELF = fileURLToPath(import.meta.url);

export interface WorkerFigures {
  rssMaxMb: number;
  eventLoopLagMs: { p50: number; p99: number; max: number };
  limiter: ReturnType<typeof countingLimiter>['stats'];
}

type FromChild = { ready: true } | { figures: WorkerFigures } | { failed: string };

export interface WorkerProcess {
  pid: number;
  /** The latest figures the child reported (RSS max so far, lag percentiles, limiter counts). */
  figures: WorkerFigures;
  stop(): Promise<void>;
}

/** Forks the worker process and resolves once it polls. */
export async function workerProcess(env: {
  address: string;
  namespace: string;
  taskQueue: string;
  sandboxUrl: string;
  bundlePath: string;
}): Promise<WorkerProcess> {
  const child: ChildProcess = fork(SELF, ['--payday-worker'], {
    // PAYDAY_WORKER_NODE_ARGS: Node flags for the worker alone, e.g. `--cpu-prof --cpu-prof-dir=<dir>`
    // (V8 writes its CPU profiles there when it exits) or `--max-old-space-size=<MB>` (over the default).
    execArgv: ['--import', 'tsx', ...(process.env.PAYDAY_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    // The memory settings a production worker starts with; flags in PAYDAY_WORKER_NODE_ARGS win over them.
    env: withWorkerMemorySettings({
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace,
      TASK_QUEUE: env.taskQueue,
      GUSTO_BASE_URL: env.sandboxUrl,
      GUSTO_TOKEN_SOURCE: 'sandbox',
      WORKFLOW_BUNDLE_PATH: env.bundlePath,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'payday-worker-')),
      METRICS_PORT: '',
      SHUTDOWN_GRACE_MS: '2000',
      LOG_LEVEL: 'error',
    }),
  });
  const figures: WorkerFigures = {
    rssMaxMb: 0,
    eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
    limiter: { acquires: 0, waits: 0, waitedMs: 0, http429: 0 },
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: FromChild) => {
      if ('ready' in m) resolve();
      else if ('figures' in m) {
        // In place: the stage hands out `figures.limiter` itself, once.
        const { limiter, ...rest } = m.figures;
        Object.assign(figures, rest);
        Object.assign(figures.limiter, limiter);
      } else reject(new Error(`payday worker: ${m.failed}`));
    });
    void exited.then(() => reject(new Error('payday worker exited before it was ready')));
  });
  return {
    pid: child.pid!,
    figures,
    stop: async () => {
      child.send('stop');
      await exited;
    },
  };
}

/** The child: the production worker until the parent says stop. */
async function runChild(): Promise<void> {
  quietRuntime('ERROR');
  const send = (m: FromChild) => process.send?.(m);
  const config = loadConfig();
  const baseUrl = config.gusto.baseUrl!;
  const { limiter, stats } = countingLimiter();
  const gusto = createGustoClient({ baseUrl, rateLimiter: limiter, tokens: sandboxTokenProvider(baseUrl) });
  const worker = await createWorker(config, { gusto });
  const monitor = processMonitor();
  const running = worker.run();
  const report = setInterval(() => send({ figures: { ...monitor.read(), limiter: stats } }), 1000);
  process.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(report);
    send({ figures: { ...monitor.stop(), limiter: stats } });
    void worker.shutdown().finally(() => process.exit(0));
  });
  send({ ready: true });
  await running;
}

if (process.argv.includes('--payday-worker') && process.argv[1] === SELF) {
  runChild().catch((err: unknown) => {
    process.send?.({ failed: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
