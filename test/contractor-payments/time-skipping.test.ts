/**
 * Contractor payments end to end on the time-skipping server: the sandbox's clock is the env's, so
 * debit dates, cutoffs and funding move with the workflow's timers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  approveContractorPayment,
  cancelContractorPayment,
  getContractorPaymentState,
  startContractorPayment,
  startContractorPaymentGroup,
  waitForContractorPaymentResult,
  type ContractorPaymentDeps,
} from '../../client/contractor-payments.js';
import { gustoEventSignal } from '../../workflows/waiting.js';
import {
  fundingExpectedAt,
  type ContractorPaymentState,
  type ContractorPaymentGroupResult,
  type ContractorPaymentGroupState,
  type ContractorPaymentResult,
} from '../../domain/contractor-payment.js';
import { addDays, cancelCutoff } from '../../domain/dates.js';
import { saveHistory } from '../harness/replay.js';
import { sandboxAdmin, timeSkippingWorld, type SandboxWorld } from '../harness/index.js';
import { fixtures, todayAt, weekdayAfter, type Fixtures } from './helpers.js';

const MINUTE = 60_000;

describe('contractor payments (time-skipping)', () => {
  let world: SandboxWorld;
  let fx: Fixtures;
  /** Finished runs worth keeping for the replay test: file label → workflow id. */
  const finished: Record<string, string> = {};

  beforeAll(async () => {
    world = await timeSkippingWorld();
    fx = await fixtures(world.sandbox, world.gusto);
  }, 60_000);

  afterAll(async () => {
    // EXPORT_HISTORIES=1 refreshes the committed histories the replay test checks.
    if (process.env.EXPORT_HISTORIES) {
      for (const [label, workflowId] of Object.entries(finished)) {
        await saveHistory(world.env.client, workflowId, label);
      }
    }
    await world?.close();
  });

  /** A worker on its own task queue for the duration of one test. */
  function withWorker<T>(fn: (deps: ContractorPaymentDeps) => Promise<T>): Promise<T> {
    return world.withWorker('cp', fn);
  }

  const today = async () => todayAt(await world.env.currentTimeMs());
  const ref = (businessKey: string, kind: 'payment' | 'group' = 'payment') => ({
    kind,
    companyId: fx.companyId,
    businessKey,
  });

  it('pays a Direct Deposit payment when it is funded on its debit date, days later', () =>
    withWorker(async (deps) => {
      const date = weekdayAfter(await today(), 10);
      const started = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.hourlyDd.uuid,
        date,
        paymentMethod: 'Direct Deposit',
        hours: '10',
        bonus: '50',
        reimbursement: '12.34',
      });
      expect(started.started).toBe(true);
      expect(started.state.totals).toEqual({
        amount: '912.34',
        wageAmount: '900.00',
        reimbursementAmount: '12.34',
        debitAmount: '912.34',
      });
      const debitDate = started.state.debitDate!;
      expect(debitDate < date).toBe(true);

      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentResult;
      expect(result.outcome).toBe('funded');
      expect(await world.env.currentTimeMs()).toBeGreaterThanOrEqual(fundingExpectedAt(debitDate).getTime());
      expect(result.receipt?.contractor_payment_uuid).toBe(result.paymentId);
      const payment = await world.gusto.contractorPayments.get(fx.companyId, result.paymentId!);
      expect(payment.status).toBe('Funded');
      expect(world.sandbox.counters().payments_per_contractor_date[`${fx.hourlyDd.uuid}:${date}`]).toBe(1);
      // The receipt's figures are in the state (what the API and CLI show), in integer cents.
      const state = (await getContractorPaymentState(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentState;
      expect(state.receipt).toEqual({
        paymentId: result.paymentId,
        contractorId: fx.hourlyDd.uuid,
        debitDate,
        companyDebitCents: 91234,
        wageCents: 85000,
        bonusCents: 5000,
        reimbursementCents: 1234,
      });
      finished['contractor-payment-direct-deposit-funded'] = started.workflowId;
    }));

  it('wakes early on a contractor_payment webhook event and sees the payment funded', () =>
    withWorker(async (deps) => {
      const started = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.fixedDd.uuid,
        date: weekdayAfter(await today(), 10),
        paymentMethod: 'Direct Deposit',
        wage: '99.00',
      });
      const state = await waitForStage(deps, ref(started.businessKey), 'awaiting_funding');
      // Funded ahead of the debit date (Gusto's demo action), then the webhook ingress's signal.
      await world.gusto.contractorPayments.fund(fx.companyId, state.paymentId!);
      await world.env.client.workflow.getHandle(started.workflowId).signal(gustoEventSignal, {
        event_type: 'contractor_payment.funded',
        entity_type: 'ContractorPayment',
        entity_uuid: state.paymentId,
      });
      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentResult;
      expect(result.outcome).toBe('funded');
      const { closeTime } = await world.env.client.workflow.getHandle(started.workflowId).describe();
      expect(closeTime!.getTime()).toBeLessThan(fundingExpectedAt(started.state.debitDate!).getTime());
      finished['contractor-payment-funded-early-by-webhook'] = started.workflowId;
    }));

  it('completes Check and Historical payments at once, without a receipt', () =>
    withWorker(async (deps) => {
      const check = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.fixedCheck.uuid,
        date: await today(),
        paymentMethod: 'Check',
        wage: '500.00',
      });
      const historical = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.hourlyDd.uuid,
        date: addDays(await today(), -3),
        paymentMethod: 'Historical Payment',
        hours: '8',
      });
      for (const run of [check, historical]) {
        const result = (await waitForContractorPaymentResult(
          deps,
          ref(run.businessKey),
        )) as ContractorPaymentResult;
        expect(result.outcome).toBe('completed');
        expect(result.receipt).toBeUndefined();
        expect(result.paymentId).toBeTruthy();
        // No timer was involved: the run closed within moments of its start, by its own clock.
        const { startTime, closeTime } = await world.env.client.workflow.getHandle(run.workflowId).describe();
        expect(closeTime!.getTime() - startTime.getTime()).toBeLessThan(MINUTE);
      }
      finished['contractor-payment-check-completed'] = check.workflowId;
    }));

  it('funds a group with mixed methods and fetches receipts only for the funded lines', () =>
    withWorker(async (deps) => {
      const checkDate = weekdayAfter(await today(), 10);
      const started = await startContractorPaymentGroup(deps, {
        companyId: fx.companyId,
        checkDate,
        payments: [
          { contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '10' },
          { contractorId: fx.fixedDd.uuid, paymentMethod: 'Direct Deposit', wage: '300.00' },
          { contractorId: fx.fixedCheck.uuid, paymentMethod: 'Check', wage: '200.00' },
        ],
      });
      expect(started.state.totals?.amount).toBe('1350.00');

      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey, 'group'),
      )) as ContractorPaymentGroupResult;
      expect(result.outcome).toBe('funded');
      const group = await world.gusto.contractorPaymentGroups.get(fx.companyId, result.groupId!);
      expect(group.status).toBe('Funded');
      const byMethod = (m: string) => (group.contractor_payments ?? []).filter((p) => p.payment_method === m);
      expect(byMethod('Check').map((p) => p.status)).toEqual(['Unfunded']);
      expect(result.receipts.map((r) => r.contractor_payment_uuid).sort()).toEqual(
        byMethod('Direct Deposit')
          .map((p) => p.uuid)
          .sort(),
      );
      const state = (await getContractorPaymentState(
        deps,
        ref(started.businessKey, 'group'),
      )) as ContractorPaymentGroupState;
      expect(
        (state.receipts ?? []).map((r) => [r.contractorId, r.companyDebitCents, r.debitDate]).sort(),
      ).toEqual(
        [
          [fx.hourlyDd.uuid, 85000, result.debitDate],
          [fx.fixedDd.uuid, 30000, result.debitDate],
        ].sort(),
      );
      finished['contractor-payment-group-mixed-funded'] = started.workflowId;
    }));

  it('cancels a payment and a group while cancelling is allowed', () =>
    withWorker(async (deps) => {
      const date = weekdayAfter(await today(), 10);
      const single = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.fixedDd.uuid,
        date,
        paymentMethod: 'Direct Deposit',
        wage: '250.00',
      });
      const group = await startContractorPaymentGroup(deps, {
        companyId: fx.companyId,
        checkDate: date,
        payments: [{ contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '3' }],
      });
      await waitForStage(deps, ref(single.businessKey), 'awaiting_funding');
      await waitForStage(deps, ref(group.businessKey, 'group'), 'awaiting_funding');

      await expect(
        cancelContractorPayment(deps, { ...ref(single.businessKey), reason: 'duplicate invoice' }),
      ).resolves.toEqual({
        cancelled: true,
        deletedAtGusto: true,
      });
      await expect(cancelContractorPayment(deps, ref(group.businessKey, 'group'))).resolves.toMatchObject({
        cancelled: true,
      });

      const singleResult = (await waitForContractorPaymentResult(
        deps,
        ref(single.businessKey),
      )) as ContractorPaymentResult;
      expect(singleResult.outcome).toBe('cancelled');
      await expect(
        world.gusto.contractorPayments.get(fx.companyId, singleResult.paymentId!),
      ).rejects.toMatchObject({ status: 404 });
      const groupResult = (await waitForContractorPaymentResult(
        deps,
        ref(group.businessKey, 'group'),
      )) as ContractorPaymentGroupResult;
      expect(groupResult.outcome).toBe('cancelled');
      finished['contractor-payment-cancelled'] = single.workflowId;
      finished['contractor-payment-group-cancelled'] = group.workflowId;
      await expect(
        world.gusto.contractorPaymentGroups.get(fx.companyId, groupResult.groupId!),
      ).rejects.toMatchObject({ status: 404 });
    }));

  it('refuses to cancel after the 3:30 pm Pacific cutoff and after funding, saying why', () =>
    withWorker(async (deps) => {
      const date = weekdayAfter(await today(), 8);
      const started = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.hourlyDd.uuid,
        date,
        paymentMethod: 'Direct Deposit',
        hours: '4',
      });
      const cutoff = cancelCutoff(started.state.debitDate!).getTime();
      await waitForStage(deps, ref(started.businessKey), 'awaiting_funding');
      // 10 minutes past the cutoff, 20 minutes before Gusto debits at 4 pm Pacific.
      await world.env.sleep(cutoff + 10 * MINUTE - (await world.env.currentTimeMs()));

      await expect(cancelContractorPayment(deps, ref(started.businessKey))).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/cutoff has passed.*3:30 pm America\/Los_Angeles/),
      });
      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentResult;
      expect(result.outcome).toBe('funded');
      await expect(cancelContractorPayment(deps, ref(started.businessKey))).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/funded/),
      });
    }));

  it('holds a manual-approval payment until the previewed total is approved; a stale total is refused', () =>
    withWorker(async (deps) => {
      const started = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.hourlyCheck.uuid,
        date: await today(),
        paymentMethod: 'Check',
        hours: '5',
        approval: 'manual',
      });
      expect(started.state.stage).toBe('awaiting_approval');
      expect(started.state.totals?.amount).toBe('240.00');
      expect(started.state.paymentId).toBeUndefined();

      await expect(
        approveContractorPayment(deps, { ...ref(started.businessKey), amount: '250.00' }),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/approval is stale.*total 240.00/),
      });
      await expect(
        approveContractorPayment(deps, { ...ref(started.businessKey), amount: '240', by: 'ops@example.com' }),
      ).resolves.toEqual({
        approved: true,
      });
      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentResult;
      expect(result.outcome).toBe('completed');
      const state = await getContractorPaymentState(deps, ref(started.businessKey));
      expect(state).toMatchObject({ stage: 'completed', approvedBy: 'ops@example.com' });
      finished['contractor-payment-manual-approval'] = started.workflowId;
    }));

  it('treats a second start with the same request as the same payment', () =>
    withWorker(async (deps) => {
      const request = {
        companyId: fx.companyId,
        contractorId: fx.fixedCheck.uuid,
        date: addDays(await today(), 2),
        paymentMethod: 'Check',
        wage: '75.5',
      };
      const first = await startContractorPayment(deps, request);
      const second = await startContractorPayment(deps, { ...request, wage: '75.50' });
      expect(second).toMatchObject({ started: false, workflowId: first.workflowId });
      await waitForContractorPaymentResult(deps, ref(first.businessKey));
      const third = await startContractorPayment(deps, request);
      expect(third.started).toBe(false);
      expect(
        world.sandbox.counters().payments_per_contractor_date[`${fx.fixedCheck.uuid}:${request.date}`],
      ).toBe(1);
      await expect(
        startContractorPayment(deps, { ...request, wage: '80.00', businessKey: first.businessKey }),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
    }));

  /** Polls the run's state (no timers are involved, so no time passes). */
  it('never fails after a create that may have paid: a lost response, then a refused adoption read', () =>
    withWorker(async (deps) => {
      const PAYMENT_POST = 'POST /v1/companies/{company_id}/contractor_payments';
      const PAYMENT_LIST = 'GET /v1/companies/{company_id}/contractor_payments';
      const date = weekdayAfter(await today(), 10);
      const contractorDate = `${fx.fixedDd.uuid}:${date}`;
      const postsBefore = world.sandbox.counters().calls[PAYMENT_POST] ?? 0;
      // Attempt 1: applied at Gusto, answer lost.
      await setFaults([{ endpoint: PAYMENT_POST, drop_response: true, times: 1 }]);
      const started = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.fixedDd.uuid,
        date,
        paymentMethod: 'Direct Deposit',
        wage: '77.00',
      });
      await eventually(
        () => world.sandbox.counters().payments_per_contractor_date[contractorDate] === 1,
        30_000,
      );
      // Attempt 2 (3 s later): its adoption read is refused non-retryably (like a 401 used to be).
      await setFaults([{ endpoint: PAYMENT_LIST, status: 400, times: 1 }]);
      const handle = world.env.client.workflow.getHandle(started.workflowId);
      await eventually(async () => {
        const state = (await getContractorPaymentState(
          deps,
          ref(started.businessKey),
        )) as ContractorPaymentState;
        return state.lastError?.type === 'GustoClientError';
      }, 30_000);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      // The run waits, then retries the create told it may have paid: it adopts.
      await world.env.sleep('61 minutes');
      const state = await waitForStage(deps, ref(started.businessKey), 'awaiting_funding');
      expect(state.notes.join(' ')).toMatch(/adopted payment/);
      expect(world.sandbox.counters().calls[PAYMENT_POST]).toBe(postsBefore + 1);
      expect(world.sandbox.counters().payments_per_contractor_date[contractorDate]).toBe(1);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await cancelContractorPayment(deps, ref(started.businessKey));
      const result = (await waitForContractorPaymentResult(
        deps,
        ref(started.businessKey),
      )) as ContractorPaymentResult;
      expect(result.outcome).toBe('cancelled');
      expect(result.paymentId).toBe(state.paymentId);
    }));

  async function setFaults(rules: unknown[]): Promise<void> {
    await sandboxAdmin(world.sandbox, 'PUT', '/sandbox/faults', { rules });
  }

  async function waitForStage(
    deps: ContractorPaymentDeps,
    r: ReturnType<typeof ref>,
    stage: string,
  ): Promise<ContractorPaymentState> {
    for (let i = 0; i < 100; i++) {
      const state = (await getContractorPaymentState(deps, r)) as ContractorPaymentState;
      if (state.stage === stage) return state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${r.businessKey} never reached ${stage}`);
  }
});
