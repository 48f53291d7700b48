/**
 * The payday benchmark's world: a sandbox whose companies all pay on the same regular payroll
 * deadline, the production webhook ingress in front of Temporal, a Gusto client with the production
 * rate limiter (counted), the production worker (its own process), and a sampler of RSS and event-loop lag.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { receiveGustoWebhook, WebhookKeys } from '../client/http/webhooks.js';
import { registerWebhookSubscription } from '../client/webhook-subscription.js';
import type { GustoClient } from '../gusto/client.js';
import { createRateLimiter, type RateLimiter } from '../gusto/rate-limit.js';
import { Prng } from '../sim/prng.js';
import { generateSpec } from '../sim/seed.js';
import { createSandbox, type CompanySpec, type Sandbox, type SeededCompany } from '../sim/server.js';
import { devTemporal, gustoFor, log, processCpuMs, type Temporal } from './harness.js';
import { workerProcess } from './payday-worker.js';

/** Payday is in Pacific time: every company pays on the same semimonthly calendar. */
export const PAYDAY_TIME_ZONE = 'America/Los_Angeles';

/** Generated companies, all semimonthly in one time zone (so one deadline), each with a contractor. */
export function paydaySpecs(count: number, seed: number): CompanySpec[] {
  const rng = new Prng(seed);
  return Array.from({ length: count }, () => {
    const spec = generateSpec(rng);
    const contractor = {
      type: 'Individual',
      wage_type: 'Fixed',
      payment_method: 'Direct Deposit',
      payments: 'none',
    } as const;
    return {
      ...spec,
      time_zone: PAYDAY_TIME_ZONE,
      pay_schedule: 'semimonthly' as const,
      // Some of them pay a contractor on payday.
      contractors: spec.contractors.length ? spec.contractors : [contractor],
    };
  });
}

export async function paydaySandbox(companies: number, latencyMs: number): Promise<Sandbox> {
  return createSandbox({
    port: 0,
    quiet: true,
    seed: { companies, seed: 14, fixtures: paydaySpecs(companies, 14) },
    calculateLatencyMs: latencyMs,
    submitLatencyMs: latencyMs,
    // Gusto's own limit (200 per token and minute) stays on: 429s are part of the measure.
    webhooks: { enabled: true },
  });
}

/** The production limiter, counting how often and how long requests waited, and Gusto's 429s. */
export function countingLimiter() {
  const inner = createRateLimiter();
  const stats = { acquires: 0, waits: 0, waitedMs: 0, http429: 0 };
  const limiter: RateLimiter = {
    async acquire(key, endpoint) {
      const t0 = performance.now();
      await inner.acquire(key, endpoint);
      const waited = performance.now() - t0;
      stats.acquires++;
      if (waited > 5) {
        stats.waits++;
        stats.waitedMs += waited;
      }
    },
    blockFor(key, ms) {
      stats.http429++;
      return inner.blockFor(key, ms);
    },
  };
  return { limiter, stats };
}

export interface Ingress {
  url: string;
  /** Arrival (ms epoch) of the first payroll.calculated per payroll uuid. */
  calculatedAt: Map<string, number>;
  events: number;
  failures: number;
  close(): Promise<void>;
}

const quietLog = {
  level: 'warn',
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  silent: () => undefined,
  child: () => quietLog,
} as unknown as FastifyBaseLogger;

/** The API's webhook ingress (receiveGustoWebhook) on a loopback port, subscribed with Gusto. */
export async function startIngress(temporal: Temporal, gusto: GustoClient): Promise<Ingress> {
  const deps = { temporal: temporal.client, gusto, keys: new WebhookKeys(), log: quietLog };
  const ingress: Ingress = {
    url: '',
    calculatedAt: new Map(),
    events: 0,
    failures: 0,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const at = Date.now();
      receiveGustoWebhook(raw, req.headers['x-gusto-signature'] as string | undefined, deps).then(
        (ack) => {
          if (ack.kind === 'event') {
            ingress.events++;
            const body = JSON.parse(raw.toString('utf8')) as { event_type?: string; entity_uuid?: string };
            const id = body.entity_uuid;
            if (body.event_type === 'payroll.calculated' && id && !ingress.calculatedAt.has(id))
              ingress.calculatedAt.set(id, at);
          }
          res.writeHead(200).end();
        },
        () => {
          ingress.failures++;
          res.writeHead(500).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ingress.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gusto`;
  ingress.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  await registerWebhookSubscription(gusto, { url: ingress.url });
  return ingress;
}

/** Samples RSS each second and the event loop's delay, until stopped. */
export function processMonitor() {
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let rssMax = process.memoryUsage().rss;
  const timer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1000);
  const ms = (ns: number) => Math.round(ns / 1e6);
  const read = () => ({
    rssMaxMb: Math.round(Math.max(rssMax, process.memoryUsage().rss) / 1e6),
    eventLoopLagMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
  });
  return {
    /** The figures so far, sampling on. */
    read,
    stop() {
      clearInterval(timer);
      const figures = read();
      lag.disable();
      return figures;
    },
  };
}

export interface PaydayStage {
  temporal: Temporal;
  /** Where the Schedules start their workflows (the workers' queue). */
  taskQueue: string;
  /** When the payroll's calculated webhook reached the service (ms epoch). */
  arrivalOf(payrollId: string): number | undefined;
  webhooks(): { events: number; failures: number };
  /** CPU milliseconds the worker process has used so far, where it is one process (dev). */
  workerCpuMs?: () => number;
  /** The client-side limiter's counts, where the bench can see them (dev: in-process worker). */
  limiter: ReturnType<typeof countingLimiter>['stats'] | undefined;
  /** The largest worker process's RSS so far (MB), sampling on. */
  workerRssMaxSoFarMb(): number;
  /**
   * Stops sampling: max RSS of a worker (MB), its event loop's delay where visible (dev), and the
   * bench process's own RSS (dev: sandbox, ingress and clients).
   */
  process(): {
    rssMaxMb: number;
    eventLoopLagMs?: { p50: number; p99: number; max: number };
    benchRssMaxMb?: number;
  };
  /**
   * The server the no-op side runs on, once the payroll side is done. Dev: the payroll side's worker and
   * server stop and a fresh dev server starts, so both sides begin on an empty server with the machine
   * to themselves (on the used one the no-op's firings took 46–89 s instead of 44–48 s). Cluster: the
   * same cluster, as a cluster is not restarted lightly. The caller closes it when it is not `temporal`.
   */
  baselineTemporal(): Promise<Temporal>;
  /**
   * The Temporal server's warnings and errors so far, counted by message (cluster: its log; dev: not
   * read). "Fail to process task (TransferActivityTask): context deadline exceeded" is the tell of an
   * activity attempt lost between matching and history (docs/BENCHMARKS.md, the cluster's stragglers).
   */
  serverWarnings?: () => Record<string, number>;
  close(): Promise<void>;
}

/**
 * The dev topology: a fresh dev server, the ingress in this process and the production worker in a
 * process of its own (bench/payday-worker.ts), so the worker's RSS is measured apart from the bench's.
 */
export async function devStage(sandbox: Sandbox, companies: SeededCompany[]): Promise<PaydayStage> {
  const monitor = processMonitor();
  const temporal = await devTemporal();
  const gusto = gustoFor(sandbox, companies);
  const ingress = await startIngress(temporal, gusto);
  const taskQueue = `payday-${Date.now()}`;
  const worker = await workerProcess({
    address: temporal.address,
    namespace: temporal.namespace,
    taskQueue,
    sandboxUrl: sandbox.url,
    bundlePath: temporal.bundlePath,
  });
  log(`dev: server and ingress up, worker process ${worker.pid}`);
  let retired: Promise<void> | undefined;
  const retire = () =>
    (retired ??= (async () => {
      await worker.stop();
      await ingress.close();
      await temporal.close();
    })());
  return {
    temporal,
    taskQueue,
    arrivalOf: (payrollId) => ingress.calculatedAt.get(payrollId),
    webhooks: () => ({ events: ingress.events, failures: ingress.failures }),
    limiter: worker.figures.limiter,
    workerCpuMs: () => processCpuMs(worker.pid),
    workerRssMaxSoFarMb: () => worker.figures.rssMaxMb,
    process: () => {
      const bench = monitor.stop();
      const { rssMaxMb, eventLoopLagMs } = worker.figures;
      return { rssMaxMb, eventLoopLagMs, benchRssMaxMb: bench.rssMaxMb };
    },
    baselineTemporal: async () => {
      await retire();
      return devTemporal();
    },
    close: retire,
  };
}
