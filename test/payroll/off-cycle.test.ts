/**
 * Off-cycle payrolls (time-skipping): created once from the caller's business key and run by the
 * payroll run; a rejected run deletes its unprocessed payroll; bad input starts nothing.
 */
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import type { ServiceError } from '../../client/errors.js';
import {
  getOffCyclePayrollState,
  startOffCyclePayroll,
  waitForOffCyclePayroll,
} from '../../client/off-cycle.js';
import { getPayrollRunState, rejectPayrollRun } from '../../client/payroll.js';
import { isBusinessDay } from '../../domain/business-days.js';
import { addDays } from '../../sim/calendar.js';
import { offCyclePayrollId } from '../../workflows/ids.js';
import { companyByKey, timeSkippingPayrollTests } from './helpers.js';

/** The first bank business day at least `days` days after `fromMs`. */
function businessDayAfter(fromMs: number, days: number): string {
  let d = addDays(new Date(fromMs).toISOString().slice(0, 10), days);
  while (!isBusinessDay(d)) d = addDays(d, 1);
  return d;
}

describe('off-cycle payrolls (time-skipping)', () => {
  const world = timeSkippingPayrollTests('off-cycle');
  const { withWorker } = world;
  const createdFor = (companyId: string) =>
    world.sandbox.counters().off_cycle_payrolls_per_company[companyId] ?? 0;

  const bonusRequest = async (companyKey: string, businessKey: string) => {
    const company = companyByKey(world.sandbox, companyKey);
    const now = await world.env.currentTimeMs();
    const employee = company.employees[0]!.uuid;
    return {
      company,
      ref: { companyId: company.uuid, businessKey },
      input: {
        companyId: company.uuid,
        businessKey,
        reason: 'Bonus',
        startDate: addDays(new Date(now).toISOString().slice(0, 10), -14),
        endDate: new Date(now).toISOString().slice(0, 10),
        checkDate: businessDayAfter(now, 5),
        employeeIds: [employee],
        edits: [{ employeeId: employee, fixed: { Bonus: '500.00' } }],
      },
    };
  };

  it('creates a bonus payroll once and runs it to processed', async () => {
    const { company, input, ref: key } = await bonusRequest('small-ca', 'bonus-2026-q4');
    await withWorker(async (deps) => {
      const started = await startOffCyclePayroll(deps, input);
      expect(started).toMatchObject({ started: true, businessKey: 'bonus-2026-q4' });
      // The same request again is the same run.
      expect((await startOffCyclePayroll(deps, input)).started).toBe(false);
      const result = await waitForOffCyclePayroll(deps, key);
      expect(result.outcome).toBe('complete');
      expect(result.state).toMatchObject({ stage: 'complete', adopted: false });
      expect(result.state.run?.totals?.gross_pay).toBe('500.00');
      expect(result.state.run?.offCycle).toBe(true);
      expect(world.sandbox.counters().submits_per_payroll[result.state.payrollId!]).toBe(1);
      // A reused key for a different payroll is a conflict, never the old one.
      await expect(
        startOffCyclePayroll(deps, { ...input, edits: undefined, reason: 'Correction' }),
      ).rejects.toMatchObject({ code: 'conflict', field: 'businessKey' });
    });
    expect(createdFor(company.uuid)).toBe(1);
  });

  it('deletes the unprocessed payroll when the run is rejected', async () => {
    const { company, input, ref: key } = await bonusRequest('denver-co', 'bonus-rejected');
    await withWorker(async (deps) => {
      await startOffCyclePayroll(deps, { ...input, review: 'manual' });
      const { payrollId } = await eventually(async () => {
        const s = await getOffCyclePayrollState(deps, key);
        return s.payrollId ? s : undefined;
      });
      const ref = { companyId: company.uuid, payrollId: payrollId! };
      await eventually(async () => {
        const s = await getPayrollRunState(deps, ref).catch(() => undefined);
        return s?.stage === 'awaiting_review' ? s : undefined;
      });
      await rejectPayrollRun(deps, { ...ref, reason: 'wrong amount' });
      const result = await waitForOffCyclePayroll(deps, key);
      expect(result.outcome).toBe('rejected');
      expect(result.state.deleted).toBe(true);
      await expect(world.gusto.payrolls.get(company.uuid, payrollId!)).rejects.toMatchObject({ status: 404 });
    });
    expect(createdFor(company.uuid)).toBe(1);
  });

  it('refuses an employee of another company with Gusto’s words, creating nothing; the key stays free', async () => {
    const { company, input, ref: key } = await bonusRequest('phoenix-az', 'bonus-stranger');
    const stranger = companyByKey(world.sandbox, 'mid-ny').employees[0]!.uuid;
    await withWorker(async (deps) => {
      const err = (await startOffCyclePayroll(deps, {
        ...input,
        employeeIds: [stranger],
        edits: undefined,
      }).catch((e: unknown) => e)) as ServiceError;
      expect(err).toMatchObject({ code: 'invalid_input', field: 'employeeIds' });
      expect(err.message).toBe('employeeIds: Invalid Employee UUID(s).');
      expect(createdFor(company.uuid)).toBe(0);
      // Corrected, the same key starts a new run.
      const retried = await startOffCyclePayroll(deps, input);
      expect(retried).toMatchObject({ started: true, state: { stage: 'running' } });
      expect((await waitForOffCyclePayroll(deps, key)).outcome).toBe('complete');
    });
    expect(createdFor(company.uuid)).toBe(1);
  });

  it.each([
    ['an unknown reason', { reason: 'Holiday' }, 'reason', /must be one of: Bonus, Correction/],
    ['a check date in the past', { checkDate: '2020-01-02' }, 'checkDate', /must not be in the past/],
    ['a check date on a weekend', { checkDate: 'weekend' }, 'checkDate', /bank business day/],
    ['a check date on a holiday', { checkDate: '2027-11-25' }, 'checkDate', /bank business day/],
    ['a period ending before it starts', { endDate: '2000-01-01' }, 'endDate', /on or after startDate/],
    ['a bonus with three decimals', { bonus: '500.005' }, 'edits[0].fixed.Bonus', /2 decimals|decimal/],
  ])('refuses %s, naming the field, and starts nothing', async (_, change, field, message) => {
    const { company, input } = await bonusRequest('honolulu-hi', 'bonus-bad');
    const now = await world.env.currentTimeMs();
    let saturday = businessDayAfter(now, 3);
    while (new Date(`${saturday}T12:00:00Z`).getUTCDay() !== 6) saturday = addDays(saturday, 1);
    const { bonus, checkDate, ...rest } = change as Record<string, string>;
    const bad = {
      ...input,
      ...rest,
      ...(checkDate ? { checkDate: checkDate === 'weekend' ? saturday : checkDate } : {}),
      ...(bonus ? { edits: [{ employeeId: input.employeeIds[0]!, fixed: { Bonus: bonus } }] } : {}),
    };
    await withWorker(async (deps) => {
      const err = (await startOffCyclePayroll(deps, bad).catch((e: unknown) => e)) as ServiceError;
      expect(err).toMatchObject({ code: 'invalid_input', field });
      expect(err.message).toMatch(message);
      await expect(
        deps.temporal.workflow.getHandle(offCyclePayrollId(company.uuid, 'bonus-bad')).describe(),
      ).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    });
    expect(createdFor(company.uuid)).toBe(0);
  });
});
