/**
 * Chaos on the dev server: worker processes SIGKILLed mid-run, and a submit whose response is lost.
 * However the worker dies, the sandbox counts exactly one submit and the run completes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import {
  getPayrollRunState,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunState,
} from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import {
  devServerEnv,
  gustoClientFor,
  runWorker,
  spawnWorkerProcess,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { HARNESS_ENV } from '../harness/shared.js';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.js';
import { admin, companyByKey } from './helpers.js';

const SUBMIT = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit';

describe('payroll run chaos', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;
  let receiver: WebhookReceiver;
  const opened: WorkflowHandle[] = [];

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: 4_000, submitLatencyMs: 1_000 });
    gusto = await gustoClientFor(sandbox);
    receiver = await startWebhookReceiver(env.client, gusto);
  });
  afterEach(async () => {
    await admin(sandbox, 'DELETE', '/sandbox/faults');
    await Promise.all(opened.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });
  afterAll(async () => {
    await receiver?.close();
    await sandbox?.close();
    await env?.teardown();
  });

  const deps = (taskQueue: string) => ({ temporal: env.client, taskQueue });

  function workerProcess(taskQueue: string) {
    const address = process.env[HARNESS_ENV.address];
    if (!address) throw new Error('no shared dev server address (globalSetup did not run)');
    return spawnWorkerProcess({ address, taskQueue, sandboxUrl: sandbox.url });
  }

  const stageOf = (taskQueue: string, ref: object) =>
    getPayrollRunState(deps(taskQueue), ref).then((s) => s.stage);

  it('survives SIGKILL while waiting on the calculation and again mid-submit: one submit', async () => {
    const taskQueue = uniqueTaskQueue('payroll-chaos');
    const company = companyByKey(sandbox, 'small-ca');
    // A slow submit widens the window in which the worker dies with the request in flight.
    await admin(sandbox, 'PUT', '/sandbox/faults', { rules: [{ endpoint: SUBMIT, latency_ms: 3_000 }] });

    const submitsBefore = sandbox.counters().calls[SUBMIT] ?? 0;
    const first = await workerProcess(taskQueue);
    const { workflowId, payrollId } = await startPayrollRun(deps(taskQueue), { companyId: company.uuid });
    opened.push(env.client.workflow.getHandle(workflowId));
    const ref = { companyId: company.uuid, payrollId };
    await eventually(
      async () => ((await stageOf(taskQueue, ref)) === 'calculating' ? true : undefined),
      30_000,
    );
    first.kill('SIGKILL');
    await first.exited;

    const second = await workerProcess(taskQueue);
    await eventually(
      async () => ((sandbox.counters().calls[SUBMIT] ?? 0) >= 1 ? true : undefined),
      60_000,
      'the submit call',
    );
    second.kill('SIGKILL');
    await second.exited;

    const third = await workerProcess(taskQueue);
    try {
      // The killed submit attempt is retried only after its 2-minute start-to-close timeout (attempts
      // must never overlap), so this waits longer than the rest of the run takes.
      const state = (await waitForPayrollRun(deps(taskQueue), {
        ...ref,
        until: 'processed',
        timeoutMs: 200_000,
      })) as PayrollRunState;
      expect(state.stage).toBe('processed');
      // The request cut off by the kill may or may not have reached the payroll (here the sandbox drops
      // it with the socket); either way the retry read first, and Gusto saw exactly one submission.
      expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
      expect(sandbox.counters().calls[SUBMIT]! - submitsBefore).toBeLessThanOrEqual(2);
      expect((await gusto.payrolls.get(company.uuid, payrollId)).processed).toBe(true);
    } finally {
      third.kill('SIGKILL');
      await third.exited;
    }
  }, 330_000);

  it('submits once when the submit response is lost (drop_response)', async () => {
    const taskQueue = uniqueTaskQueue('payroll-drop');
    const company = companyByKey(sandbox, 'denver-co');
    await admin(sandbox, 'PUT', '/sandbox/faults', {
      rules: [{ endpoint: SUBMIT, drop_response: true, times: 1 }],
    });
    const submitsBefore = sandbox.counters().calls[SUBMIT] ?? 0;
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const { workflowId, payrollId } = await startPayrollRun(deps(taskQueue), { companyId: company.uuid });
      opened.push(env.client.workflow.getHandle(workflowId));
      const state = (await waitForPayrollRun(deps(taskQueue), {
        companyId: company.uuid,
        payrollId,
        until: 'processed',
        timeoutMs: 60_000,
      })) as PayrollRunState;
      expect(state.stage).toBe('processed');
      expect(sandbox.counters().calls[SUBMIT]! - submitsBefore).toBe(1);
      expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
    });
  }, 90_000);
});
