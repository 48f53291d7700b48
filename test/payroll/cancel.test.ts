/**
 * Cancel against the cutoff, 3:30 pm America/Los_Angeles on the deadline date: 23:30 UTC in a
 * standard-time week, 22:30 UTC in a daylight-saving week. Time-skipping: the test moves the clock to
 * either side of the cutoff.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  approvePayrollRun,
  cancelPayrollRun,
  getPayrollRunState,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
  type PayrollRunState,
  type PayrollServiceDeps,
} from '../../client/payroll.js';
import { companyByKey, DAY, exportRunHistory, payrollWhere, timeSkippingPayrollTests } from './helpers.js';

const MINUTE = 60_000;

/** Offset of Los Angeles from UTC at an instant, in hours (-8 standard, -7 daylight). */
function pacificOffsetHours(at: Date): number {
  const hour = Number(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      hour: 'numeric',
      hourCycle: 'h23',
    }).format(at),
  );
  return ((hour - at.getUTCHours() + 36) % 24) - 12;
}

describe('cancel against the cutoff (time-skipping)', () => {
  const world = timeSkippingPayrollTests('payroll-cancel');
  const { withWorker } = world;

  const stageIs = (deps: PayrollServiceDeps, ref: object, stage: PayrollRunState['stage']) =>
    eventually(async () => {
      const s = await getPayrollRunState(deps, ref);
      return s.stage === stage ? s : undefined;
    });

  const sleepUntil = async (at: number) => world.env.sleep(at - (await world.env.currentTimeMs()));

  /**
   * The weeks under test: standard time (the machine's date is late November) and daylight time
   * (reached by skipping to the next 20 March). Dates are relative to the env's clock, which the test
   * server may already have moved a long way: it skips to leftover activity-timeout timers whenever a
   * result is awaited and nothing else is pending.
   */
  const weeks = [
    { name: 'a standard-time week', offset: -8, utcCutoff: 'T23:30:00.000Z', skipToMarch: false },
    { name: 'a daylight-saving week', offset: -7, utcCutoff: 'T22:30:00.000Z', skipToMarch: true },
  ] as const;

  const nextMarch20 = (now: number) => {
    const year = new Date(now).getUTCFullYear();
    const thisYear = Date.UTC(year, 2, 20, 12);
    return thisYear > now + DAY ? thisYear : Date.UTC(year + 1, 2, 20, 12);
  };

  describe.each(weeks)('in $name', ({ offset, utcCutoff, skipToMarch }) => {
    beforeAll(async () => {
      if (skipToMarch) await sleepUntil(nextMarch20(await world.env.currentTimeMs()));
    });

    const nextPayroll = async (key: string) => {
      const now = await world.env.currentTimeMs();
      return payrollWhere(
        world.gusto,
        companyByKey(world.sandbox, key).uuid,
        (d) => d.getTime() > now + 2 * DAY && pacificOffsetHours(d) === offset,
      );
    };

    it('cancels a processed payroll before the cutoff, reverting it in Gusto', async () => {
      const company = companyByKey(world.sandbox, 'small-ca');
      const payroll = await nextPayroll('small-ca');
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await withWorker(async (deps) => {
        await startPayrollRun(deps, ref);
        const processed = await stageIs(deps, ref, 'processed');
        expect(processed.cancelCutoff).toBe(`${processed.cancelCutoff!.slice(0, 10)}${utcCutoff}`);
        expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(true);

        await sleepUntil(Date.parse(processed.cancelCutoff!) - 10 * MINUTE);
        const cancelled = await cancelPayrollRun(deps, { ...ref, reason: 'wrong pay period' });
        expect(cancelled).toEqual({ cancelled: true, gustoCancelled: true });
        // The run has already closed: its state (not result(), which would let the test server jump to
        // the next timer anywhere, years away) tells how it ended.
        const final = await getPayrollRunState(deps, ref);
        expect(final.stage).toBe('cancelled');
        expect(final.cancellation).toMatchObject({ reason: 'wrong pay period', gustoCancelled: true });
        if (offset === -7)
          await exportRunHistory(
            world.env.client,
            `payroll:${ref.companyId}:${ref.payrollId}`,
            'cancelled-before-cutoff',
          );
      });
      expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(false);
    });

    it('refuses a cancel after the cutoff, naming the cutoff instant', async () => {
      const company = companyByKey(world.sandbox, 'mid-ny');
      const payroll = await nextPayroll('mid-ny');
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      await withWorker(async (deps) => {
        await startPayrollRun(deps, {
          ...ref,
          review: 'manual',
          deadline: { policy: 'submit_late', warningLeadMinutes: 0 },
        });
        const waiting = await stageIs(deps, ref, 'awaiting_review');
        const cutoff = waiting.cancelCutoff!;
        expect(cutoff).toMatch(new RegExp(`${utcCutoff.replace(/\./g, '\\.')}$`));

        // Between 3:30 pm (our cutoff) and 4 pm Pacific (the payroll deadline) the run is still in review.
        await sleepUntil(Date.parse(cutoff) + 5 * MINUTE);
        const before = world.sandbox.counters();
        await expect(cancelPayrollRun(deps, ref)).rejects.toMatchObject({
          code: 'refused',
          message: expect.stringContaining(cutoff),
          details: expect.arrayContaining([expect.objectContaining({ cutoff })]),
        });
        expect(world.sandbox.counters().calls).toEqual(before.calls);
        await approvePayrollRun(deps, { ...ref, totals: waiting.totals });
        const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
        expect(result.outcome).toBe('complete');
        // A finished run answers with the same rule.
        await expect(cancelPayrollRun(deps, ref)).rejects.toMatchObject({
          code: 'refused',
          message: expect.stringContaining(cutoff),
        });
      });
      expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(true);
    });
  });
});
