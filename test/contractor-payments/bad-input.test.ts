/**
 * Bad input is refused with an error naming the field or the rule, and nothing changes at Gusto:
 * the sandbox's payment and group counters and its write calls are the same before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  cancelContractorPayment,
  derivedGroupKey,
  derivedPaymentKey,
  startContractorPayment,
  startContractorPaymentGroup,
  waitForContractorPaymentResult,
  type ContractorPaymentDeps,
} from '../../client/contractor-payments.js';
import { addDays } from '../../domain/dates.js';
import {
  checkAnswerUpdate,
  checkContractorPaymentRequestWorkflow,
} from '../../workflows/contractor-payment-check.js';
import { contractorPaymentGroupId, contractorPaymentId } from '../../workflows/ids.js';
import { interactiveTaskQueue } from '../../workers/task-queues.js';
import { saveHistory } from '../harness/replay.js';
import { timeSkippingWorld, uniqueTaskQueue, type SandboxWorld } from '../harness/index.js';
import { fixtures, moneyCounters, todayAt, weekdayAfter, type Fixtures } from './helpers.js';

describe('contractor payments: bad input changes nothing', () => {
  let world: SandboxWorld;
  let fx: Fixtures;
  let today: string;

  beforeAll(async () => {
    world = await timeSkippingWorld();
    fx = await fixtures(world.sandbox, world.gusto);
    today = todayAt(await world.env.currentTimeMs());
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  function withWorker<T>(fn: (deps: ContractorPaymentDeps) => Promise<T>): Promise<T> {
    return world.withWorker('cp-bad', fn);
  }

  /** Runs `attempt`, expects it to be refused as described, and checks Gusto saw no change. */
  async function refusedWithoutChange(
    attempt: () => Promise<unknown>,
    expected: Record<string, unknown>,
  ): Promise<void> {
    const before = moneyCounters(world.sandbox);
    await expect(attempt()).rejects.toMatchObject(expected);
    expect(moneyCounters(world.sandbox)).toEqual(before);
  }

  const single = (overrides: Record<string, unknown>) => ({
    companyId: fx.companyId,
    contractorId: fx.hourlyDd.uuid,
    date: weekdayAfter(today, 10),
    paymentMethod: 'Direct Deposit',
    hours: '10',
    ...overrides,
  });

  it('refuses malformed amounts at the edge, naming the field', async () => {
    const deps = { temporal: world.env.client, taskQueue: uniqueTaskQueue('unused') };
    await refusedWithoutChange(() => startContractorPayment(deps, single({ bonus: '-5.00' })), {
      code: 'invalid_input',
      field: 'bonus',
      message: expect.stringMatching(/must not be negative/),
    });
    await refusedWithoutChange(() => startContractorPayment(deps, single({ reimbursement: '10.005' })), {
      code: 'invalid_input',
      field: 'reimbursement',
      message: expect.stringMatching(/at most 2 decimal places/),
    });
    await refusedWithoutChange(() => startContractorPayment(deps, single({ hours: 10 })), {
      code: 'invalid_input',
      field: 'hours',
    });
    await refusedWithoutChange(
      () =>
        startContractorPaymentGroup(deps, {
          companyId: fx.companyId,
          checkDate: weekdayAfter(today, 10),
          payments: [],
        }),
      { code: 'invalid_input', field: 'payments', message: expect.stringMatching(/at least one payment/) },
    );
  });

  /** No payment run exists for the request: bad input started nothing (not even a Failed run). */
  async function noRunFor(input: Record<string, unknown>): Promise<void> {
    const group = Array.isArray(input.payments);
    const id = group
      ? contractorPaymentGroupId(
          String(input.companyId),
          derivedGroupKey(String(input.checkDate), input.payments as never),
        )
      : contractorPaymentId(String(input.companyId), derivedPaymentKey(input as never));
    await expect(world.env.client.workflow.getHandle(id).describe()).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });
  }

  it('starts no run for an unknown company or contractor, or a future Historical Payment', () =>
    withWorker(async (deps) => {
      const unknownCompany = single({ companyId: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5' });
      await refusedWithoutChange(() => startContractorPayment(deps, unknownCompany), {
        code: 'not_found',
        field: 'companyId',
        message: expect.stringMatching(/no company/),
      });
      await noRunFor(unknownCompany);
      const unknownContractor = single({ contractorId: '5b0f3c0e-8d4e-4c59-9a4e-2f1f7f0a9d11' });
      await refusedWithoutChange(() => startContractorPayment(deps, unknownContractor), {
        code: 'invalid_input',
        field: 'contractorId',
      });
      await noRunFor(unknownContractor);
      const future = single({ paymentMethod: 'Historical Payment', date: addDays(today, 3) });
      await refusedWithoutChange(() => startContractorPayment(deps, future), {
        code: 'invalid_input',
        field: 'date',
        message: expect.stringMatching(/must be in the past/),
      });
      await noRunFor(future);
      const group = {
        companyId: fx.companyId,
        checkDate: weekdayAfter(today, 10),
        payments: [{ contractorId: fx.dismissed.uuid, paymentMethod: 'Direct Deposit', hours: '2' }],
      };
      await refusedWithoutChange(() => startContractorPaymentGroup(deps, group), {
        code: 'invalid_input',
        field: 'payments[0].contractorId',
      });
      await noRunFor(group);
    }));

  it("refuses a Direct Deposit dated too soon, naming Gusto's earliest date; that date is accepted", () =>
    withWorker(async (deps) => {
      const tooSoon = single({ date: today, hours: '1', approval: 'manual' });
      let earliest = '';
      await refusedWithoutChange(
        () =>
          startContractorPayment(deps, tooSoon).catch((err: { message: string }) => {
            earliest = /(\d{4}-\d{2}-\d{2}) at the earliest/.exec(err.message)?.[1] ?? '';
            throw err;
          }),
        { code: 'invalid_input', field: 'date', message: expect.stringMatching(/at the earliest/) },
      );
      await noRunFor(tooSoon);
      expect(earliest > today).toBe(true);
      // The weekday before the earliest is refused too; the earliest itself is what Gusto accepts.
      let before = addDays(earliest, -1);
      while ([0, 6].includes(new Date(`${before}T12:00:00Z`).getUTCDay())) before = addDays(before, -1);
      await expect(startContractorPayment(deps, single({ date: before, hours: '1' }))).rejects.toMatchObject({
        code: 'invalid_input',
        field: 'date',
      });
      const ok = await startContractorPayment(
        deps,
        single({ date: earliest, hours: '1', approval: 'manual' }),
      );
      expect(ok.state).toMatchObject({ stage: 'awaiting_approval' });
      const ref = { companyId: fx.companyId, businessKey: ok.businessKey };
      await expect(cancelContractorPayment(deps, ref)).resolves.toMatchObject({ cancelled: true });

      const group = {
        companyId: fx.companyId,
        checkDate: today,
        payments: [{ contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '1' }],
      };
      await refusedWithoutChange(() => startContractorPaymentGroup(deps, group), {
        message: expect.stringMatching(/at the earliest/),
      });
      await noRunFor(group);

      if (process.env.EXPORT_HISTORIES) {
        // The check itself, under a known id, for the replay test.
        const workflowId = `contractor-payment-check:${fx.companyId}:history`;
        const check = await deps.temporal.workflow.start(checkContractorPaymentRequestWorkflow, {
          taskQueue: interactiveTaskQueue(deps.taskQueue),
          workflowId,
          args: [{ kind: 'payment', payment: { ...tooSoon, businessKey: 'history' } as never }],
        });
        await expect(check.executeUpdate(checkAnswerUpdate)).resolves.toMatchObject({
          refusal: { type: 'InvalidInput' },
        });
        await check.result();
        await saveHistory(world.env.client, workflowId, 'contractor-payment-check-too-soon');
      }
    }));

  it('refuses a group paying one contractor twice on its check date, naming the line', async () => {
    const deps = { temporal: world.env.client, taskQueue: uniqueTaskQueue('unused') };
    const group = {
      companyId: fx.companyId,
      checkDate: weekdayAfter(today, 10),
      payments: [
        { contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '2' },
        { contractorId: fx.fixedCheck.uuid, paymentMethod: 'Check', wage: '100.00' },
        { contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '3' },
      ],
    };
    await refusedWithoutChange(() => startContractorPaymentGroup(deps, group), {
      code: 'invalid_input',
      field: 'payments[2].contractorId',
      message: expect.stringMatching(/already paid in payments\[0\]/),
    });
    await noRunFor(group);
  });

  it('refuses what breaks a rule about the contractor before any create call', () =>
    withWorker(async (deps) => {
      await refusedWithoutChange(
        () => startContractorPayment(deps, single({ contractorId: fx.fixedDd.uuid, hours: '10' })),
        { code: 'invalid_input', field: 'hours', message: expect.stringMatching(/fixed-wage contractor/) },
      );
      await refusedWithoutChange(
        () => startContractorPayment(deps, single({ contractorId: '5b0f3c0e-8d4e-4c59-9a4e-2f1f7f0a9d11' })),
        { code: 'invalid_input', field: 'contractorId', message: expect.stringMatching(/no contractor/) },
      );
      await refusedWithoutChange(
        () => startContractorPayment(deps, single({ contractorId: fx.dismissed.uuid })),
        { code: 'invalid_input', field: 'contractorId', message: expect.stringMatching(/not active/) },
      );
      await refusedWithoutChange(
        () =>
          startContractorPayment(
            deps,
            single({ paymentMethod: 'Historical Payment', date: addDays(today, 3) }),
          ),
        { code: 'invalid_input', field: 'date', message: expect.stringMatching(/must be in the past/) },
      );
      // Today is not in the past either: the rule is checked against the company's date.
      await refusedWithoutChange(
        () => startContractorPayment(deps, single({ paymentMethod: 'Historical Payment', date: today })),
        { code: 'invalid_input', field: 'date', message: expect.stringMatching(/in the past/) },
      );
      await refusedWithoutChange(
        () =>
          startContractorPaymentGroup(deps, {
            companyId: fx.companyId,
            checkDate: weekdayAfter(today, 10),
            payments: [
              { contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '2' },
              { contractorId: fx.fixedCheck.uuid, paymentMethod: 'Check', hours: '2' },
            ],
          }),
        { code: 'invalid_input', field: 'payments[1].hours' },
      );
    }));

  it('refuses to cancel a funded payment, with the reason', () =>
    withWorker(async (deps) => {
      const started = await startContractorPayment(deps, single({ hours: '1' }));
      const ref = { companyId: fx.companyId, businessKey: started.businessKey };
      await expect(waitForContractorPaymentResult(deps, ref)).resolves.toMatchObject({ outcome: 'funded' });
      await refusedWithoutChange(() => cancelContractorPayment(deps, ref), {
        code: 'refused',
        message: expect.stringMatching(/funded payments cannot be cancelled/),
      });
    }));
});
