/**
 * Cancel follows Gusto's may_cancel, not whether our run is open: Check and Historical payments
 * complete at once, yet stay cancellable at Gusto. A cancel of such an ended run reads the payment,
 * deletes it once, and the run's state then shows it cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  cancelContractorPayment,
  getContractorPaymentState,
  startContractorPayment,
  startContractorPaymentGroup,
  waitForContractorPaymentResult,
  type ContractorPaymentDeps,
  type ContractorPaymentGroupResult,
  type ContractorPaymentResult,
} from '../../client/contractor-payments.js';
import { addDays } from '../../domain/dates.js';
import { closedRunCancelId } from '../../workflows/ids.js';
import { saveHistory } from '../harness/replay.js';
import { timeSkippingWorld, type SandboxWorld } from '../harness/index.js';
import { fixtures, todayAt, type Fixtures } from './helpers.js';

const DELETE_PAYMENT = 'DELETE /v1/companies/{company_id}/contractor_payments/{contractor_payment_id}';
const DELETE_GROUP = 'DELETE /v1/contractor_payment_groups/{contractor_payment_group_uuid}';

describe('contractor payments: cancel after the run ended', () => {
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

  const withWorker = <T>(fn: (deps: ContractorPaymentDeps) => Promise<T>) => world.withWorker('cp-end', fn);
  const today = async () => todayAt(await world.env.currentTimeMs());
  const deletes = (endpoint: string) => world.sandbox.counters().calls[endpoint] ?? 0;

  it('cancels a completed Check and a Historical payment while Gusto says may_cancel, deleting once', () =>
    withWorker(async (deps) => {
      const check = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.fixedCheck.uuid,
        date: await today(),
        paymentMethod: 'Check',
        wage: '321.00',
      });
      const historical = await startContractorPayment(deps, {
        companyId: fx.companyId,
        contractorId: fx.hourlyDd.uuid,
        date: addDays(await today(), -2),
        paymentMethod: 'Historical Payment',
        hours: '2',
      });
      for (const run of [check, historical]) {
        const ref = { companyId: fx.companyId, businessKey: run.businessKey };
        const result = (await waitForContractorPaymentResult(deps, ref)) as ContractorPaymentResult;
        expect(result.outcome).toBe('completed');
        const before = deletes(DELETE_PAYMENT);
        await expect(
          cancelContractorPayment(deps, { ...ref, reason: 'paid twice by mistake' }),
        ).resolves.toEqual({ cancelled: true, deletedAtGusto: true });
        expect(deletes(DELETE_PAYMENT)).toBe(before + 1);
        await expect(
          world.gusto.contractorPayments.get(fx.companyId, result.paymentId!),
        ).rejects.toMatchObject({
          status: 404,
        });
        await expect(getContractorPaymentState(deps, ref)).resolves.toMatchObject({
          stage: 'cancelled',
          cancelReason: 'paid twice by mistake',
        });
        // Asked again: it is gone, nothing more is deleted.
        await expect(cancelContractorPayment(deps, ref)).resolves.toEqual({
          cancelled: true,
          deletedAtGusto: false,
        });
        expect(deletes(DELETE_PAYMENT)).toBe(before + 1);
      }
      finished['contractor-payment-cancel-after-completed'] = closedRunCancelId(check.workflowId);
    }));

  it('cancels a completed group of checks', () =>
    withWorker(async (deps) => {
      const group = await startContractorPaymentGroup(deps, {
        companyId: fx.companyId,
        checkDate: await today(),
        payments: [
          { contractorId: fx.fixedCheck.uuid, paymentMethod: 'Check', wage: '100.00' },
          { contractorId: fx.hourlyCheck.uuid, paymentMethod: 'Check', hours: '1' },
        ],
      });
      const ref = { kind: 'group' as const, companyId: fx.companyId, businessKey: group.businessKey };
      const result = (await waitForContractorPaymentResult(deps, ref)) as ContractorPaymentGroupResult;
      expect(result.outcome).toBe('completed');
      const before = deletes(DELETE_GROUP);
      await expect(cancelContractorPayment(deps, ref)).resolves.toEqual({
        cancelled: true,
        deletedAtGusto: true,
      });
      expect(deletes(DELETE_GROUP)).toBe(before + 1);
      finished['contractor-payment-group-cancel-after-completed'] = closedRunCancelId(group.workflowId);
      await expect(
        world.gusto.contractorPaymentGroups.get(fx.companyId, result.groupId!),
      ).rejects.toMatchObject({
        status: 404,
      });
    }));
});
