/**
 * The payroll run on the time-skipping server: happy paths, the review gate, edits, 409 recovery and
 * processing_failed. The sandbox follows the test server's clock with zero calculate/submit latency:
 * activities run in real time (the test server does not skip time while one is running), so a
 * latency on the sandbox clock would only make the polling activity wait for real.
 */
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  approvePayrollRun,
  cancelPayrollRun,
  editPayrollRun,
  getPayStub,
  getPayrollRunState,
  rejectPayrollRun,
  retryPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
  type PayrollRunState,
  type PayrollServiceDeps,
} from '../../client/payroll.js';
import {
  admin,
  companyByKey,
  DAY,
  exportRunHistory,
  payrollWhere,
  timeSkippingPayrollTests,
} from './helpers.js';

describe('payroll run (time-skipping)', () => {
  const world = timeSkippingPayrollTests('payroll');
  const { withWorker } = world;

  /** Deadlines of payrolls an earlier test already ran, so each test picks a fresh one. */
  const ranAlready = new Set<number>();

  const stageIs = (deps: PayrollServiceDeps, ref: object, stage: PayrollRunState['stage']) => {
    let last: PayrollRunState | undefined;
    return eventually(
      async () => {
        last = await getPayrollRunState(deps, ref);
        return last.stage === stage ? last : undefined;
      },
      20_000,
      `stage ${stage}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last state ${JSON.stringify(last)}`);
    });
  };

  it('runs the earliest unprocessed payroll end to end with automatic approval', async () => {
    const company = companyByKey(world.sandbox, 'small-ca');
    await withWorker(async (deps) => {
      const started = await startPayrollRun(deps, { companyId: company.uuid });
      expect(started.started).toBe(true);
      const ref = { companyId: company.uuid, payrollId: started.payrollId };
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;

      expect(result.outcome).toBe('complete');
      const { state } = result;
      expect(state.review).toMatchObject({ policy: 'auto', decision: 'approved' });
      expect(state.totals?.company_debit).toMatch(/^\d+\.\d{2}$/);
      expect(Object.keys(state.stageTimes)).toEqual(
        expect.arrayContaining([
          'finding',
          'preparing',
          'calculating',
          'submitting',
          'processing',
          'processed',
          'complete',
        ]),
      );
      expect(state.gustoCalls).toBeGreaterThanOrEqual(6);
      expect(state.receipt?.companyDebit).toBe(state.totals?.company_debit);

      const payroll = await world.gusto.payrolls.get(company.uuid, started.payrollId);
      expect(payroll.processed).toBe(true);
      expect(world.sandbox.counters().submits_per_payroll[started.payrollId]).toBe(1);

      // Pay stubs come straight from Gusto to the caller; the run only says whether they exist yet.
      const stub = await getPayStub(
        { ...deps, gusto: world.gusto },
        { ...ref, employeeId: company.employees[0]!.uuid },
      );
      expect(stub.subarray(0, 5).toString()).toBe('%PDF-');

      // A second start finds the finished run instead of making another.
      const again = await startPayrollRun(deps, { companyId: company.uuid, payrollId: started.payrollId });
      expect(again).toMatchObject({ workflowId: started.workflowId, runId: started.runId, started: false });
      await exportRunHistory(world.env.client, started.workflowId, 'auto-approved');
    });
  });

  it('waits for a person: approval two days later submits the totals they saw', async () => {
    const company = companyByKey(world.sandbox, 'mid-ny');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 4 * DAY);
    await withWorker(async (deps) => {
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await startPayrollRun(deps, {
        ...ref,
        review: 'manual',
        deadline: { policy: 'stop_and_report', warningLeadMinutes: 60 },
      });
      const waiting = await stageIs(deps, ref, 'awaiting_review');
      expect(waiting.totals).toBeDefined();

      await world.env.sleep(2 * DAY);
      expect((await getPayrollRunState(deps, ref)).stage).toBe('awaiting_review');

      const approved = await approvePayrollRun(deps, {
        ...ref,
        totals: waiting.totals,
        by: 'reviewer@example.com',
      });
      expect(approved.review.decision).toBe('approved');
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(result.state.review.reason).toContain('reviewer@example.com');
      const submittedAt = Date.parse(result.state.stageTimes.submitting!);
      expect(submittedAt - Date.parse(waiting.stageTimes.awaiting_review!)).toBeGreaterThanOrEqual(2 * DAY);
    });
  });

  it('refuses an approval of stale totals, naming the current ones; a rejection ends the run', async () => {
    const company = companyByKey(world.sandbox, 'denver-co');
    await withWorker(async (deps) => {
      const { payrollId } = await startPayrollRun(deps, { companyId: company.uuid, review: 'manual' });
      const ref = { companyId: company.uuid, payrollId };
      const { totals } = await stageIs(deps, ref, 'awaiting_review');
      const stale = { ...totals!, net_pay: '0.01' };
      await expect(approvePayrollRun(deps, { ...ref, totals: stale })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining(`net_pay ${totals!.net_pay}`),
      });
      expect((await getPayrollRunState(deps, ref)).stage).toBe('awaiting_review');

      await rejectPayrollRun(deps, { ...ref, reason: 'hours look wrong' });
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('rejected');
      expect(result.state.review).toMatchObject({ decision: 'rejected', reason: 'hours look wrong' });
      expect(world.sandbox.counters().submits_per_payroll[payrollId]).toBeUndefined();
    });
  });

  it('re-prepares and re-calculates after an edit in review; the old totals are stale', async () => {
    const company = companyByKey(world.sandbox, 'phoenix-az');
    const hourly = company.employees.find((e) => !e.salaried)!;
    await withWorker(async (deps) => {
      const { payrollId } = await startPayrollRun(deps, { companyId: company.uuid, review: 'manual' });
      const ref = { companyId: company.uuid, payrollId };
      const before = await stageIs(deps, ref, 'awaiting_review');

      await editPayrollRun(deps, {
        ...ref,
        edits: [{ employeeId: hourly.uuid, hours: { Overtime: '10' }, fixed: { Bonus: '250.00' } }],
      });
      let last: PayrollRunState | undefined;
      const after = await eventually(async () => {
        last = await getPayrollRunState(deps, ref);
        return last.stage === 'awaiting_review' && last.rounds === 2 ? last : undefined;
      }, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}; last state ${JSON.stringify(last)}`);
      });
      expect(after.totals!.gross_pay).not.toBe(before.totals!.gross_pay);
      await expect(approvePayrollRun(deps, { ...ref, totals: before.totals })).rejects.toMatchObject({
        code: 'conflict',
      });

      await approvePayrollRun(deps, { ...ref, totals: after.totals });
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      await exportRunHistory(world.env.client, `payroll:${company.uuid}:${payrollId}`, 'manual-edit-approve');
      const stub = await world.gusto.payrolls.get(company.uuid, payrollId, { per: 100 });
      const comp = stub.employee_compensations?.find((c) => c.employee_uuid === hourly.uuid);
      expect(comp?.hourly_compensations?.find((h) => h.name === 'Overtime')?.hours).toBe('10.000');
      expect(comp?.fixed_compensations?.find((f) => f.name === 'Bonus')?.amount).toBe('250.00');
    });
  });

  it('recovers from a 409 (stale version) during update by preparing again', async () => {
    const company = companyByKey(world.sandbox, 'honolulu-hi');
    const employee = company.employees.find((e) => !e.salaried) ?? company.employees[0]!;
    await admin(world.sandbox, 'PUT', '/sandbox/faults', {
      rules: [{ endpoint: 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}', status: 409, times: 1 }],
    });
    try {
      await withWorker(async (deps) => {
        const before = world.sandbox.counters();
        const { payrollId } = await startPayrollRun(deps, {
          companyId: company.uuid,
          edits: [{ employeeId: employee.uuid, hours: { 'Regular Hours': '35' } }],
        });
        const result = (await waitForPayrollRun(deps, {
          companyId: company.uuid,
          payrollId,
        })) as PayrollRunResult;
        expect(result.outcome).toBe('complete');
        const after = world.sandbox.counters();
        const prepares = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/prepare';
        const updates = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}';
        expect((after.calls[prepares] ?? 0) - (before.calls[prepares] ?? 0)).toBe(2);
        expect((after.calls[updates] ?? 0) - (before.calls[updates] ?? 0)).toBe(2);
        expect(world.sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
      });
    } finally {
      await admin(world.sandbox, 'DELETE', '/sandbox/faults');
    }
  });

  it('shows processing_failed with Gusto errors and completes after a retry', async () => {
    const company = companyByKey(world.sandbox, 'large-il');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now);
    ranAlready.add(payroll.deadline.getTime());
    const errors = [
      { error_key: 'base', category: 'payroll_blocker', message: 'Bank account needs verification' },
    ];
    await admin(world.sandbox, 'POST', `/sandbox/payrolls/${payroll.payroll_uuid}/fail_next`, {
      stage: 'submit',
      errors,
    });
    await withWorker(async (deps) => {
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await startPayrollRun(deps, ref);
      const failed = await stageIs(deps, ref, 'processing_failed');
      expect(failed.lastError).toMatchObject({
        step: 'submit',
        gustoErrors: [expect.objectContaining(errors[0]!)],
      });
      expect(failed.lastError?.message).toContain('Bank account needs verification');

      await retryPayrollRun(deps, ref);
      await stageIs(deps, ref, 'processed');
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(result.state.lastError).toBeUndefined();
      expect(result.state.employees).toBe(120);
      await exportRunHistory(
        world.env.client,
        `payroll:${company.uuid}:${payroll.payroll_uuid}`,
        'processing-failed-retry',
      );
      expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(2);
    });
  });
  it('a failed calculation is fixed by an edit: prepared, re-applied and calculated again', async () => {
    const company = companyByKey(world.sandbox, 'large-il');
    const hourly = company.employees.find((e) => !e.salaried)!;
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(
      world.gusto,
      company.uuid,
      (d) => d.getTime() > now && !ranAlready.has(d.getTime()),
    );
    ranAlready.add(payroll.deadline.getTime());
    const errors = [
      { error_key: 'hours', category: 'invalid_attribute_value', message: 'Hours exceed the pay period' },
    ];
    await admin(world.sandbox, 'POST', `/sandbox/payrolls/${payroll.payroll_uuid}/fail_next`, {
      stage: 'calculate',
      errors,
    });
    await withWorker(async (deps) => {
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await startPayrollRun(deps, ref);
      const failed = await stageIs(deps, ref, 'processing_failed');
      expect(failed.lastError).toMatchObject({ step: 'calculate', message: 'Hours exceed the pay period' });
      await editPayrollRun(deps, {
        ...ref,
        edits: [{ employeeId: hourly.uuid, hours: { 'Regular Hours': '70' } }],
      });
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(result.state.rounds).toBe(2);
      expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
    });
  });

  it('an edit accepted while a webhook-woken read is under way is applied before submit', async () => {
    const company = companyByKey(world.sandbox, 'honolulu-hi');
    const employee = company.employees.find((e) => !e.salaried) ?? company.employees[0]!;
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 5 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    const handle = world.env.client.workflow.getHandle(`payroll:${company.uuid}:${payroll.payroll_uuid}`);
    const wake = (event_type: string) =>
      handle.signal('gustoEvent', { event_type, entity_type: 'Payroll', entity_uuid: payroll.payroll_uuid });
    await withWorker(async (deps) => {
      // No polling and no webhooks: the run reads Gusto only when this test wakes it.
      await startPayrollRun(deps, { ...ref, polling: false });
      await stageIs(deps, ref, 'calculating');
      // The woken read takes 2 s (real time); the edit is accepted while it is under way.
      await admin(world.sandbox, 'PUT', '/sandbox/faults', {
        rules: [
          {
            endpoint: 'GET /v1/companies/{company_id}/payrolls/{payroll_id}',
            latency_ms: 2000,
            times: 1,
          },
        ],
      });
      const nudging: NodeJS.Timeout[] = [];
      try {
        await wake('payroll.calculated');
        await new Promise((r) => setTimeout(r, 500));
        await editPayrollRun(deps, {
          ...ref,
          edits: [{ employeeId: employee.uuid, hours: { 'Regular Hours': '33' } }],
        });
        // Queries, not result(): waiting on result() would let the server skip to the deadline.
        nudging.push(
          setInterval(() => {
            wake('payroll.calculated').catch(() => undefined);
            wake('payroll.processed').catch(() => undefined);
          }, 300),
        );
        const processed = await stageIs(deps, ref, 'processed');
        expect(processed.rounds).toBe(2);
      } finally {
        nudging.forEach(clearInterval);
        await admin(world.sandbox, 'DELETE', '/sandbox/faults');
      }
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
      const submitted = await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid, { per: 100 });
      expect(submitted.processed).toBe(true);
      const comp = submitted.employee_compensations?.find((c) => c.employee_uuid === employee.uuid);
      expect(comp?.hourly_compensations?.find((h) => h.name === 'Regular Hours')?.hours).toBe('33.000');
    });
  });

  it('an edit after an approval needs a new approval, even when the totals do not change', async () => {
    const company = companyByKey(world.sandbox, 'phoenix-az');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 8 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await admin(world.sandbox, 'POST', `/sandbox/payrolls/${payroll.payroll_uuid}/fail_next`, {
      stage: 'submit',
      errors: [{ error_key: 'base', category: 'payroll_blocker', message: 'Signatory missing' }],
    });
    await withWorker(async (deps) => {
      await startPayrollRun(deps, { ...ref, review: 'manual' });
      const first = await stageIs(deps, ref, 'awaiting_review');
      await approvePayrollRun(deps, { ...ref, totals: first.totals });
      await stageIs(deps, ref, 'processing_failed');

      // Setting hours to what they are leaves every total as it was; the approval was still of the
      // unedited payroll.
      const current = await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid, { per: 100 });
      const comp = current.employee_compensations!.find((c) => c.hourly_compensations?.some((h) => h.hours))!;
      const hourly = comp.hourly_compensations!.find((h) => h.hours)!;
      await editPayrollRun(deps, {
        ...ref,
        edits: [{ employeeId: comp.employee_uuid, hours: { [hourly.name]: hourly.hours! } }],
      });
      let last: PayrollRunState | undefined;
      const again = await eventually(async () => {
        last = await getPayrollRunState(deps, ref);
        return last.stage === 'awaiting_review' && last.rounds === 2 ? last : undefined;
      }, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}; last state ${JSON.stringify(last)}`);
      });
      expect(again.totals).toEqual(first.totals);
      expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);

      await approvePayrollRun(deps, { ...ref, totals: again.totals });
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(2);
    });
  });

  it('an unexpected answer after submission waits for a retry instead of failing the run', async () => {
    const company = companyByKey(world.sandbox, 'denver-co');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 6 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await admin(world.sandbox, 'PUT', '/sandbox/faults', {
      rules: [{ endpoint: 'GET /v1/payrolls/{payroll_uuid}/receipt', status: 404, times: 1 }],
    });
    try {
      await withWorker(async (deps) => {
        await startPayrollRun(deps, ref);
        const stuck = await stageIs(deps, ref, 'processing_failed');
        expect(stuck.lastError?.step).toBe('receipt');
        expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(true);
        // Processed already: edits are refused, the cancel window stays open.
        await expect(
          editPayrollRun(deps, {
            ...ref,
            edits: [{ employeeId: company.employees[0]!.uuid, excluded: true }],
          }),
        ).rejects.toMatchObject({ code: 'refused' });

        await retryPayrollRun(deps, ref);
        const processed = await stageIs(deps, ref, 'processed');
        expect(processed.receipt?.companyDebit).toBe(processed.totals?.company_debit);
        const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
        expect(result.outcome).toBe('complete');
        expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
      });
    } finally {
      await admin(world.sandbox, 'DELETE', '/sandbox/faults');
    }
  });

  it('a cancel in review ends the run without calling Gusto', async () => {
    const company = companyByKey(world.sandbox, 'small-ca');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
    await withWorker(async (deps) => {
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await startPayrollRun(deps, { ...ref, review: 'manual' });
      await stageIs(deps, ref, 'awaiting_review');
      const before = world.sandbox.counters();
      expect(await cancelPayrollRun(deps, { ...ref, reason: 'not this week' })).toEqual({
        cancelled: true,
        gustoCancelled: false,
      });
      expect(world.sandbox.counters().calls).toEqual(before.calls);
      expect((await getPayrollRunState(deps, ref)).stage).toBe('cancelled');
      await expect(
        getPayStub({ ...deps, gusto: world.gusto }, { ...ref, employeeId: company.employees[0]!.uuid }),
      ).rejects.toMatchObject({
        code: 'refused',
      });
    });
  });
});
