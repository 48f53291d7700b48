/**
 * The polling net under the worker's production tuning (workers/config-worker.ts), on the dev server
 * against a sandbox on real time: while webhooks reach the run the net reads nothing (sandbox
 * counters), and when none ever arrives it still completes the run, each wait ending about
 * POLL_FIRST_READ_MS after it began.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import { startPayrollRun, waitForPayrollRun, type PayrollRunState } from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import { workerOptionsFrom } from '../../workers/config-worker.js';
import { loadConfig } from '../../workers/config.js';
import {
  devServerEnv,
  gustoClientFor,
  runWorker,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { startWebhookReceiver } from '../harness/webhook-receiver.js';
import { admin, callsBetween, companyByKey } from './helpers.js';

const GET_PAYROLL = 'GET /v1/companies/{company_id}/payrolls/{payroll_id}';
const LATENCY_MS = 2_000;
const FIRST_READ_MS = 5_000;
/** The workflow's own hold-back once a run has seen a webhook (NET_QUIET_MS in payroll-run.ts). */
const NET_QUIET_MS = 10_000;

describe('the polling net', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;
  const opened: WorkflowHandle[] = [];
  // The production tuning, with a shorter first read so the test stays short.
  const tuning = loadConfig({ POLL_FIRST_READ_MS: String(FIRST_READ_MS) }).worker;

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: LATENCY_MS, submitLatencyMs: LATENCY_MS });
    gusto = await gustoClientFor(sandbox);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });
  afterAll(async () => {
    await sandbox?.close();
    await env?.teardown();
  });

  /** Runs one payroll to processed on a worker with the production tuning; `hold` keeps the worker up after. */
  async function runOnTunedWorker(companyKey: string, holdMs: number) {
    const taskQueue = uniqueTaskQueue('payroll-net');
    const deps = { temporal: env.client, taskQueue };
    const company = companyByKey(sandbox, companyKey);
    const activities = createActivities({ gusto, pollFirstReadMs: tuning.pollFirstReadMs });
    const t0 = Date.now();
    return runWorker(
      env,
      { taskQueue, sandbox, activities, workerOptions: workerOptionsFrom(tuning) },
      async () => {
        const started = await startPayrollRun(deps, { companyId: company.uuid });
        opened.push(env.client.workflow.getHandle(started.workflowId));
        const state = (await waitForPayrollRun(deps, {
          companyId: company.uuid,
          payrollId: started.payrollId,
          until: 'processed',
          timeoutMs: 90_000,
        })) as PayrollRunState;
        const processedAfterMs = Date.now() - t0;
        // Long enough for any poll the webhooks should have ended to have read (or not).
        await new Promise((r) => setTimeout(r, holdMs));
        return { state, processedAfterMs };
      },
    );
  }

  it('reads nothing while webhooks arrive: one read per webhook-woken wait', async () => {
    const receiver = await startWebhookReceiver(env.client, gusto);
    try {
      const before = sandbox.counters();
      const { state } = await runOnTunedWorker('small-ca', NET_QUIET_MS + 3_000);
      const calls = callsBetween(before, sandbox.counters());
      expect(state.stage).toBe('processed');
      expect(state.webhookWakeups).toBeGreaterThanOrEqual(2);
      // calculated and processed: each read once, after its webhook. A net read (an early one, or a
      // cancelled poll that had not heard of its cancel) would make it 3 or more.
      expect(calls[GET_PAYROLL]).toBe(2);
    } finally {
      await receiver.close();
    }
  });

  it('still completes a run that never hears a webhook, each wait about POLL_FIRST_READ_MS long', async () => {
    await admin(sandbox, 'PUT', '/sandbox/config', { webhooks: { enabled: false } });
    try {
      const before = sandbox.counters();
      const { state, processedAfterMs } = await runOnTunedWorker('denver-co', 0);
      expect(state.stage).toBe('processed');
      expect(state.webhookEvents).toBe(0);
      // Two waits, each read first after FIRST_READ_MS (the calculation is done by then): found by the net.
      expect(processedAfterMs).toBeGreaterThanOrEqual(2 * FIRST_READ_MS);
      expect(processedAfterMs).toBeLessThan(60_000); // generous: the machine is shared
      expect(callsBetween(before, sandbox.counters())[GET_PAYROLL]).toBeLessThanOrEqual(4);
    } finally {
      await admin(sandbox, 'PUT', '/sandbox/config', { webhooks: { enabled: true } });
    }
  });
});
