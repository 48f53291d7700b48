/**
 * The payday benchmark on the production topology (`PAYDAY_TOPOLOGY=cluster`): the project's cluster
 * start code (scripts/cluster: PostgreSQL, Temporal server, two worker processes, the HTTP API) on
 * free ports, against the bench's in-process sandbox. Webhooks reach the API's ingress; a recording
 * receiver (which signals nothing) times when each calculation's webhook arrived.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { registerWebhookSubscription } from '../client/webhook-subscription.js';
import type { GustoClient } from '../gusto/client.js';
import { startCluster } from '../scripts/cluster/index.js';
import { temporalPorts } from '../scripts/cluster/temporal.js';
import { freePort, freePortCheck } from '../scripts/provision/net.js';
import type { Sandbox } from '../sim/server.js';
import { startWebhookReceiver } from '../test/harness/webhook-receiver.js';
import { loadConfig } from '../workers/config.js';
import { connectTemporal, log } from './harness.js';
import type { PaydayStage } from './payday-world.js';

const TASK_QUEUE = 'payday';

/** Also the stage of bench/shared-budget-workflows.ts, with three workers. */
export async function clusterStage(
  sandbox: Sandbox,
  gusto: GustoClient,
  { workers = 2 }: { workers?: number } = {},
): Promise<PaydayStage> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_PORT: String(await freeTemporalPort()),
    API_PORT: String(await freePort()),
    CLUSTER_POSTGRES_PORT: String(await freePort()),
    CLUSTER_WORKERS: String(workers),
    GUSTO_BASE_URL: sandbox.url,
    GUSTO_TOKEN_SOURCE: 'sandbox',
    TASK_QUEUE,
    // PAYDAY_CLUSTER_LOG keeps every service's lines (the workers' at LOG_LEVEL, default warn).
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    METRICS_PORT: '',
    SHUTDOWN_GRACE_MS: '2000',
  };
  const config = loadConfig(env);
  const started = Date.now();
  const warnings = serverWarningTally();
  const keep = outputLog(process.env.PAYDAY_CLUSTER_LOG);
  const cluster = await startCluster({
    config,
    env,
    throwaway: true,
    log: (line) => log(`cluster: ${line}`),
    onOutput: (name, line) => {
      if (name === 'temporal') warnings.count(line);
      keep?.(name, line);
    },
  });
  log(`cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    await registerWebhookSubscription(gusto, { url: `${cluster.apiUrl}/webhooks/gusto` });
    const temporal = await connectTemporal(cluster.temporal.address, config.temporal.namespace);
    const recorder = await startWebhookReceiver(temporal.client, gusto);
    recorder.forward = false;
    const rss = rssSampler(cluster.workers.map((w) => w.pid));
    return {
      temporal,
      taskQueue: TASK_QUEUE,
      arrivalOf: (payrollId) => recorder.arrivals.get(`payroll.calculated:${payrollId}`),
      webhooks: () => ({ events: recorder.events.length, failures: 0 }),
      limiter: undefined,
      workerRssMaxSoFarMb: rss.read,
      process: () => ({ rssMaxMb: rss.stop(), eventLoopLagMs: undefined }),
      baselineTemporal: () => Promise.resolve(temporal),
      serverWarnings: () => warnings.counts(),
      close: async () => {
        rss.stop();
        await recorder.close();
        await temporal.close();
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** The server's JSON log lines at warn and above, by message, task type and error. */
function serverWarningTally() {
  const tally = new Map<string, number>();
  return {
    count(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // its start-up banner
      }
      if (entry.level !== 'warn' && entry.level !== 'error') return;
      const type = entry['queue-task-type'] ? ` (${String(entry['queue-task-type'])})` : '';
      const error = entry.error ? `: ${String(entry.error)}` : '';
      const key = `${String(entry.level)} ${String(entry.msg)}${type}${error}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    },
    counts: () => Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])),
  };
}

/** Appends each service's lines to `file` (the services' own output is dropped otherwise). */
function outputLog(file: string | undefined) {
  if (!file) return undefined;
  log(`cluster: the services' output goes to ${file}`);
  return (name: string, line: string) => appendFileSync(file, `${Date.now()} ${name}: ${line}\n`);
}

async function freeTemporalPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const all = Object.values(temporalPorts(port));
    if ((await Promise.all(all.map((p) => freePortCheck(p)))).every(Boolean)) return port;
  }
}

/**
 * The largest worker process's resident memory seen, sampled each second, in MB (10^6 bytes, as the
 * dev topology's `process.memoryUsage()` figure; until December it was MiB here).
 */
function rssSampler(pids: number[]) {
  const rssOf = (pid: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? (Number(m[1]) * 1024) / 1e6 : 0;
    } catch {
      return 0;
    }
  };
  let max = 0;
  const sample = () => (max = Math.max(max, Math.max(...pids.map(rssOf))));
  const timer = setInterval(sample, 1000);
  return {
    read: () => Math.round(max),
    stop() {
      clearInterval(timer);
      return this.read();
    },
  };
}
