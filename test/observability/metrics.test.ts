/**
 * The business metrics on a real worker process's Prometheus endpoint (METRICS_PORT): a payroll run
 * goes to processed on the dev server against the sandbox, its `processed` event reaches a subscriber
 * that fails three times first, and /metrics is scraped over HTTP. Counts are checked against the
 * sandbox's own request counters; no label may carry a company or payroll id.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../harness/eventually.js';
import {
  getPayrollRunState,
  rejectPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunState,
} from '../../client/payroll.js';
import { FileSubscriptionStore } from '../../events/subscriptions.js';
import { METRICS } from '../../observability/names.js';
import { freePort } from '../../scripts/provision/net.js';
import {
  devServerEnv,
  spawnWorkerProcess,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
  type WorkerProcess,
} from '../harness/index.js';
import { HARNESS_ENV } from '../harness/shared.js';
import { companyByKey } from '../payroll/helpers.js';

const SUBMIT = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, samples only (our label values hold no escaped quotes). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `where`. */
function sum(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

interface MetricsWorker {
  process: WorkerProcess;
  port: number;
  taskQueue: string;
}

/** A real worker process (workers/main.ts) serving /metrics on a port of its own. */
async function metricsWorker(sandbox: Sandbox, env: Record<string, string> = {}): Promise<MetricsWorker> {
  const address = process.env[HARNESS_ENV.address];
  if (!address) throw new Error('no shared dev server address (globalSetup did not run)');
  const taskQueue = uniqueTaskQueue('metrics');
  const port = await freePort();
  const worker = await spawnWorkerProcess({
    address,
    taskQueue,
    sandboxUrl: sandbox.url,
    env: { METRICS_PORT: String(port), ...env },
  });
  return { process: worker, port, taskQueue };
}

async function scrapeFrom(worker: MetricsWorker): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${worker.port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function stop(worker: MetricsWorker | undefined): Promise<void> {
  worker?.process.kill('SIGKILL');
  await worker?.process.exited;
}

/** A subscriber that answers 503 to its first `failures` requests, then 204. */
async function flakySubscriber(
  failures: number,
): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(count <= failures ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    received: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('business metrics on the worker endpoint', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let worker: MetricsWorker | undefined;
  let subscriber: Awaited<ReturnType<typeof flakySubscriber>>;
  let dataDir: string;

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: 500, submitLatencyMs: 500 });
    subscriber = await flakySubscriber(3);
    dataDir = await mkdtemp(join(tmpdir(), 'metrics-test-'));
    await FileSubscriptionStore.inDataDir(dataDir).create({
      url: subscriber.url,
      eventTypes: ['payroll_run.processed'],
    });
    worker = await metricsWorker(sandbox, { DATA_DIR: dataDir, EVENTS_ALLOW_INSECURE_URLS: 'true' });
  });
  afterAll(async () => {
    await stop(worker);
    await subscriber?.close();
    await sandbox?.close();
    await env?.teardown();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('counts stages, Gusto calls, limiter waits and a failing delivery, with bounded labels', async () => {
    const company = companyByKey(sandbox, 'small-ca');
    const scrape = () => scrapeFrom(worker!);
    const callsBefore = { ...sandbox.counters().calls };
    const deps = { temporal: env.client, taskQueue: worker!.taskQueue };
    const { payrollId } = await startPayrollRun(deps, { companyId: company.uuid });
    const state = (await waitForPayrollRun(deps, {
      companyId: company.uuid,
      payrollId,
      until: 'processed',
      timeoutMs: 120_000,
    })) as PayrollRunState;
    expect(state.stage).toBe('processed');

    // The event is retried after 5, 10 and 20 s (the delivery workflow's backoff); then it arrives.
    await eventually(async () => (subscriber.received() >= 4 ? true : undefined), 90_000, 'the 4th POST');
    const samples = parse(
      await eventually(
        async () => {
          const text = await scrape();
          return sum(parse(text), METRICS.deliveriesRecovered) >= 1 ? text : undefined;
        },
        30_000,
        'the delivery to recover',
      ),
    );
    const text = await scrape();

    // Gusto calls: per endpoint template, exactly what the sandbox received from this worker.
    const calls = sandbox.counters().calls;
    const gustoEndpoints = Object.keys(calls).filter((e) => / \/v1\//.test(e));
    let total = 0;
    for (const endpoint of gustoEndpoints) {
      const made = (calls[endpoint] ?? 0) - (callsBefore[endpoint] ?? 0);
      total += made;
      expect([endpoint, sum(samples, METRICS.gustoRequests, { endpoint })]).toEqual([endpoint, made]);
    }
    expect(total).toBeGreaterThan(5);
    // One submission, answered 202 Accepted, as the sandbox counted it.
    expect(sum(samples, METRICS.gustoRequests, { endpoint: SUBMIT, status: '202' })).toBe(1);
    expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
    expect(sum(samples, `${METRICS.gustoSeconds}_count`)).toBe(total);
    // Every call waited for the company's budget first (an idle budget: no refusal, no 429).
    expect(sum(samples, `${METRICS.limiterWait}_count`, { outcome: 'acquired' })).toBe(total);
    expect(sum(samples, METRICS.gustoThrottled)).toBe(0);

    // Stages of the run: each entered once, and the time in each it left recorded once.
    for (const stage of ['finding', 'calculating', 'submitting', 'processed']) {
      expect([stage, sum(samples, METRICS.stageEntries, { process: 'payroll_run', stage })]).toEqual([
        stage,
        1,
      ]);
    }
    expect(sum(samples, `${METRICS.stageSeconds}_count`, { process: 'payroll_run', stage: 'finding' })).toBe(
      1,
    );
    expect(
      sum(samples, `${METRICS.stageSeconds}_count`, { process: 'payroll_run', stage: 'processed' }),
    ).toBe(0);
    // Buckets for stages (seconds to days), not core's millisecond defaults.
    expect(text).toMatch(new RegExp(`^${METRICS.stageSeconds}_bucket\\{[^}]*le="86400"`, 'm'));
    expect(sum(samples, METRICS.deadlineWarnings)).toBe(0);
    expect(sum(samples, METRICS.deadlineMisses)).toBe(0);

    // The event: three refused POSTs, the delivery shown failing, then delivered.
    const processed = { event_type: 'payroll_run.processed' };
    expect(sum(samples, METRICS.deliveryAttempts, { ...processed, result: 'http_5xx' })).toBe(3);
    expect(sum(samples, METRICS.deliveryAttempts, { ...processed, result: 'delivered' })).toBe(1);
    expect(sum(samples, METRICS.deliveriesFailing)).toBe(1);
    expect(sum(samples, METRICS.deliveriesRecovered, { outcome: 'delivered' })).toBe(1);

    // One endpoint: the SDK's own metrics are still there. Bounded labels: no ids, no filled paths.
    expect(text).toMatch(/^temporal_workflow_completed/m);
    expect(text).not.toContain(company.uuid);
    expect(text).not.toContain(payrollId);
    expect(text).not.toContain(subscriber.url);
  }, 240_000);

  it('counts the deadline warning of a run waiting for review', async () => {
    const company = companyByKey(sandbox, 'denver-co');
    const deps = { temporal: env.client, taskQueue: worker!.taskQueue };
    const warningsBefore = sum(parse(await scrapeFrom(worker!)), METRICS.deadlineWarnings);
    // A lead longer than any deadline is away: the warning is due at the run's first wait.
    const { payrollId } = await startPayrollRun(deps, {
      companyId: company.uuid,
      review: 'manual',
      deadline: { policy: 'stop_and_report', warningLeadMinutes: 365 * 24 * 60 },
    });
    const ref = { companyId: company.uuid, payrollId };
    const state = await eventually(
      async () => {
        const s = await getPayrollRunState(deps, ref);
        return s.stage === 'awaiting_review' ? s : undefined;
      },
      60_000,
      'the review',
    );
    // Warned once, while it waited (the calculation or the review, whichever came first).
    expect(state.warnings.filter((w) => w.kind === 'deadline_approaching')).toHaveLength(1);
    await rejectPayrollRun(deps, { ...ref, reason: 'metrics test over' });

    const samples = parse(await scrapeFrom(worker!));
    expect(sum(samples, METRICS.deadlineWarnings, { process: 'payroll_run' }) - warningsBefore).toBe(1);
    expect(sum(samples, METRICS.deadlineMisses)).toBe(0);
    expect(sum(samples, METRICS.stageEntries, { process: 'payroll_run', stage: 'awaiting_review' })).toBe(1);
  }, 120_000);

  it('counts a deadline missed: a run stopped unsubmitted at its deadline', async () => {
    // A sandbox a month behind: its payrolls' deadlines (also after preparing) lie in the past.
    const behind = await startSandbox({
      calculateLatencyMs: 500,
      submitLatencyMs: 500,
      clock: () => new Date(Date.now() - 30 * 24 * 3_600_000),
    });
    const late = await metricsWorker(behind);
    try {
      const company = companyByKey(behind, 'small-ca');
      const deps = { temporal: env.client, taskQueue: late.taskQueue };
      const { payrollId } = await startPayrollRun(deps, {
        companyId: company.uuid,
        deadline: { policy: 'stop_and_report', warningLeadMinutes: 60 },
      });
      const ref = { companyId: company.uuid, payrollId };
      const state = await eventually(
        async () => {
          const s = await getPayrollRunState(deps, ref);
          return s.stage === 'stopped' ? s : undefined;
        },
        90_000,
        'the run to stop at its deadline',
      );
      expect(state.stage).toBe('stopped');
      expect(state.warnings.map((w) => w.kind)).toContain('stopped_at_deadline');

      const samples = parse(await scrapeFrom(late));
      expect(sum(samples, METRICS.deadlineMisses, { process: 'payroll_run', outcome: 'stopped' })).toBe(1);
      expect(sum(samples, METRICS.deadlineMisses)).toBe(1);
      expect(sum(samples, METRICS.stageEntries, { process: 'payroll_run', stage: 'stopped' })).toBe(1);
      expect(sum(samples, METRICS.gustoRequests, { endpoint: SUBMIT })).toBe(0);
    } finally {
      await stop(late);
      await behind.close();
    }
  }, 150_000);
});
