/**
 * Exactly once under faults, on the dev server with a real-clock sandbox: a create whose response is
 * lost, and a worker SIGKILLed while its create call is in flight, still leave one payment per
 * contractor and date, and one group per creation_token.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  cancelContractorPayment,
  getContractorPaymentState,
  startContractorPayment,
  startContractorPaymentGroup,
  type ContractorPaymentDeps,
  type PaymentRef,
} from '../../client/contractor-payments.js';
import type { GustoClient } from '../../gusto/client.js';
import type { ContractorPaymentGroupState, ContractorPaymentState } from '../../domain/contractor-payment.js';
import {
  devServerEnv,
  gustoClientFor,
  runWorker,
  sandboxAdmin,
  spawnWorkerProcess,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { saveHistory } from '../harness/replay.js';
import { HARNESS_ENV } from '../harness/shared.js';
import { fixtures, todayAt, weekdayAfter, type Fixtures } from './helpers.js';
import { ON_DEMAND_PRIORITY } from '../../workers/task-queues.js';

const PAYMENT_POST = 'POST /v1/companies/{company_id}/contractor_payments';
const GROUP_POST = 'POST /v1/companies/{company_id}/contractor_payment_groups';
/** The creator's startToCloseTimeout (2 min), its 3 s retry interval, and time for the retry itself. */
const CREATE_TIMEOUT_RETRY_MS = 170_000;

describe('contractor payments: exactly once under faults (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;
  let fx: Fixtures;
  let checkDate: string;

  beforeAll(async () => {
    env = await devServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(async () => {
    sandbox = await startSandbox();
    gusto = await gustoClientFor(sandbox);
    fx = await fixtures(sandbox, gusto);
    checkDate = weekdayAfter(todayAt(Date.now()), 10);
  });
  afterEach(async () => {
    await sandbox?.close();
  });

  async function faults(rules: unknown[]): Promise<void> {
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/faults', { rules });
  }

  const paymentRequest = () => ({
    companyId: fx.companyId,
    contractorId: fx.hourlyDd.uuid,
    date: checkDate,
    paymentMethod: 'Direct Deposit',
    hours: '6',
  });
  const groupRequest = () => ({
    companyId: fx.companyId,
    checkDate,
    payments: [
      { contractorId: fx.fixedDd.uuid, paymentMethod: 'Direct Deposit', wage: '410.00' },
      { contractorId: fx.fixedCheck.uuid, paymentMethod: 'Check', wage: '120.00' },
    ],
  });
  /** EXPORT_HISTORIES=1: keep the finished run's history for the replay test. */
  async function keepHistory(label: string, workflowId: string): Promise<void> {
    if (!process.env.EXPORT_HISTORIES) return;
    await env.client.workflow.getHandle(workflowId).result();
    await saveHistory(env.client, workflowId, label);
  }

  const paymentsOn = (contractorId: string) =>
    sandbox.counters().payments_per_contractor_date[`${contractorId}:${checkDate}`];

  /** The run waits for funding (days away): it has created what it will create. */
  async function createdState<S extends ContractorPaymentState | ContractorPaymentGroupState>(
    deps: ContractorPaymentDeps,
    ref: PaymentRef,
    timeoutMs = 60_000,
  ): Promise<S> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await getContractorPaymentState(deps, ref)) as S;
      if (state.stage === 'awaiting_funding') return state;
      if (Date.now() > deadline)
        throw new Error(`run stuck in ${state.stage}: ${JSON.stringify(state.lastError)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('adopts the single payment whose create response was dropped', async () => {
    const taskQueue = uniqueTaskQueue('cp-drop');
    const deps = { temporal: env.client, taskQueue };
    await faults([{ endpoint: PAYMENT_POST, drop_response: true, times: 1 }]);
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const started = await startContractorPayment(deps, paymentRequest());
      const ref = { companyId: fx.companyId, businessKey: started.businessKey };
      const state = await createdState<ContractorPaymentState>(deps, ref);
      // Its caller waits for the preview: the run goes ahead of the day's batch.
      const { priority } = await env.client.workflow.getHandle(started.workflowId).describe();
      expect(priority).toMatchObject(ON_DEMAND_PRIORITY);
      expect(sandbox.counters().calls[PAYMENT_POST]).toBe(1);
      expect(paymentsOn(fx.hourlyDd.uuid)).toBe(1);
      expect(state.notes.join(' ')).toMatch(/adopted payment/);
      await cancelContractorPayment(deps, ref);
      await keepHistory('contractor-payment-adopted-after-lost-response', started.workflowId);
    });
  }, 90_000);

  it('adopts the group whose create response was dropped, by its creation_token', async () => {
    const taskQueue = uniqueTaskQueue('cpg-drop');
    const deps = { temporal: env.client, taskQueue };
    await faults([{ endpoint: GROUP_POST, drop_response: true, times: 1 }]);
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const started = await startContractorPaymentGroup(deps, groupRequest());
      const ref = { kind: 'group' as const, companyId: fx.companyId, businessKey: started.businessKey };
      const state = await createdState<ContractorPaymentGroupState>(deps, ref);
      expect(sandbox.counters().groups_per_creation_token).toEqual({ [state.creationToken!]: 1 });
      expect(paymentsOn(fx.fixedDd.uuid)).toBe(1);
      expect(paymentsOn(fx.fixedCheck.uuid)).toBe(1);
      expect(state.notes.join(' ')).toMatch(/adopted group/);
      await cancelContractorPayment(deps, ref);
      await keepHistory('contractor-payment-group-adopted-by-token', started.workflowId);
    });
  }, 90_000);

  it('pays once when the worker is SIGKILLed while its single-payment create call is in flight', async () => {
    const taskQueue = uniqueTaskQueue('cp-kill');
    const deps = { temporal: env.client, taskQueue };
    // The latency holds the request at the sandbox while the worker dies.
    await faults([{ endpoint: PAYMENT_POST, latency_ms: 3_000, times: 1 }]);
    const { businessKey } = await killWorkerDuringCreate(taskQueue, PAYMENT_POST, () =>
      startContractorPayment(deps, paymentRequest()),
    );
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const ref = { companyId: fx.companyId, businessKey };
      // The dead attempt is retried only after its 2-minute startToCloseTimeout (attempts never overlap).
      await createdState(deps, ref, CREATE_TIMEOUT_RETRY_MS);
      expect(paymentsOn(fx.hourlyDd.uuid)).toBe(1);
      await cancelContractorPayment(deps, ref);
    });
  }, 240_000);

  it('adopts on another worker the payment a SIGKILLed worker made but never heard back about', async () => {
    const taskQueue = uniqueTaskQueue('cp-kill-applied');
    const deps = { temporal: env.client, taskQueue };
    // Applied at the sandbox, answer lost; the worker dies before its retry, another one adopts.
    await faults([{ endpoint: PAYMENT_POST, drop_response: true, times: 1 }]);
    const worker = await spawnWorkerProcess(workerProcessOptions(taskQueue));
    const started = await startContractorPayment(deps, paymentRequest());
    await eventually(() => paymentsOn(fx.hourlyDd.uuid) === 1, 30_000, 'the payment to be made');
    worker.kill('SIGKILL');
    await worker.exited;
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const ref = { companyId: fx.companyId, businessKey: started.businessKey };
      // If the kill beat the report of the lost response, the attempt is retried only after its
      // 2-minute startToCloseTimeout (attempts never overlap).
      const state = await createdState<ContractorPaymentState>(deps, ref, CREATE_TIMEOUT_RETRY_MS);
      expect(paymentsOn(fx.hourlyDd.uuid)).toBe(1);
      expect(sandbox.counters().calls[PAYMENT_POST]).toBe(1);
      expect(state.notes.join(' ')).toMatch(/adopted payment/);
      await cancelContractorPayment(deps, ref);
    });
  }, 240_000);

  it('makes one group when the worker is SIGKILLed while its group create call is in flight', async () => {
    const taskQueue = uniqueTaskQueue('cpg-kill');
    const deps = { temporal: env.client, taskQueue };
    await faults([{ endpoint: GROUP_POST, latency_ms: 3_000, times: 1 }]);
    const { businessKey } = await killWorkerDuringCreate(taskQueue, GROUP_POST, () =>
      startContractorPaymentGroup(deps, groupRequest()),
    );
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const ref = { kind: 'group' as const, companyId: fx.companyId, businessKey };
      const state = await createdState<ContractorPaymentGroupState>(deps, ref, CREATE_TIMEOUT_RETRY_MS);
      const groups = await gusto.contractorPaymentGroups.list(fx.companyId, {
        startDate: checkDate,
        endDate: checkDate,
      });
      expect(groups.filter((g) => g.creation_token === state.creationToken)).toHaveLength(1);
      expect(sandbox.counters().groups_per_creation_token).toEqual({ [state.creationToken!]: 1 });
      expect(paymentsOn(fx.fixedDd.uuid)).toBe(1);
      await cancelContractorPayment(deps, ref);
    });
  }, 240_000);

  /** Starts the run on a worker process and SIGKILLs it as soon as its create call reaches Gusto. */
  async function killWorkerDuringCreate<T>(
    taskQueue: string,
    endpoint: string,
    start: () => Promise<T>,
  ): Promise<T> {
    const worker = await spawnWorkerProcess(workerProcessOptions(taskQueue));
    const started = await start();
    await eventually(() => (sandbox.counters().calls[endpoint] ?? 0) >= 1, 30_000, 'the create call');
    worker.kill('SIGKILL');
    await worker.exited;
    return started;
  }

  function workerProcessOptions(taskQueue: string) {
    const address = process.env[HARNESS_ENV.address];
    if (!address) throw new Error('no shared dev server address (globalSetup did not run)');
    return { address, taskQueue, sandboxUrl: sandbox.url };
  }
});
