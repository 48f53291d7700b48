/**
 * Deadlines while a run waits (time-skipping): for review, for a fix after processing_failed, and in a
 * Schedule's scan. The warning ahead of payroll_deadline and the decision at it under each policy are
 * never missed silently: both end up in the run's state.
 */
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  getPayrollRunState,
  retryPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
  type PayrollServiceDeps,
} from '../../client/payroll.js';
import type { UpcomingPayrollsResult } from '../../workflows/upcoming-payrolls.js';
import { admin, companyByKey, DAY, HOUR, payrollWhere, timeSkippingPayrollTests } from './helpers.js';

describe('payroll deadlines (time-skipping)', () => {
  const world = timeSkippingPayrollTests('payroll-deadline');
  const { withWorker } = world;

  const awaitingReview = (deps: PayrollServiceDeps, ref: object) =>
    eventually(async () => {
      const s = await getPayrollRunState(deps, ref);
      return s.stage === 'awaiting_review' ? s : undefined;
    });

  it('warns ahead of the deadline, then stops and reports under stop_and_report', async () => {
    const company = companyByKey(world.sandbox, 'mid-ny');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 3 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await withWorker(async (deps) => {
      await startPayrollRun(deps, {
        ...ref,
        review: 'manual',
        deadline: { policy: 'stop_and_report', warningLeadMinutes: 24 * 60 },
      });
      await awaitingReview(deps, ref);
      expect((await getPayrollRunState(deps, ref)).warnings).toEqual([]);

      await world.env.sleep(payroll.deadline.getTime() - (await world.env.currentTimeMs()) - 23 * HOUR);
      const warned = await getPayrollRunState(deps, ref);
      expect(warned.stage).toBe('awaiting_review');
      expect(warned.warnings).toEqual([
        expect.objectContaining({
          kind: 'deadline_approaching',
          message: expect.stringContaining(payroll.deadline.toISOString()),
        }),
      ]);

      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('stopped');
      expect(result.state.review.decision).toBe('stopped_at_deadline');
      expect(result.state.warnings.map((w) => w.kind)).toEqual([
        'deadline_approaching',
        'stopped_at_deadline',
      ]);
      expect(Date.parse(result.state.stageTimes.stopped!)).toBeGreaterThanOrEqual(payroll.deadline.getTime());
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBeUndefined();
    expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(false);
  });

  it('submits at the deadline under submit_late, with a warning saying so', async () => {
    const company = companyByKey(world.sandbox, 'denver-co');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await withWorker(async (deps) => {
      await startPayrollRun(deps, {
        ...ref,
        review: 'manual',
        deadline: { policy: 'submit_late', warningLeadMinutes: 120 },
      });
      await awaitingReview(deps, ref);
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(result.state.review.decision).toBe('submitted_at_deadline');
      expect(result.state.warnings.map((w) => w.kind)).toEqual(['deadline_approaching', 'submitted_late']);
      expect(Date.parse(result.state.stageTimes.submitting!)).toBeGreaterThanOrEqual(
        payroll.deadline.getTime(),
      );
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
    expect((await world.gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(true);
  });
  const failedRun = async (companyKey: string, policy: 'stop_and_report' | 'submit_late') => {
    const company = companyByKey(world.sandbox, companyKey);
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
    await admin(world.sandbox, 'POST', `/sandbox/payrolls/${payroll.payroll_uuid}/fail_next`, {
      stage: 'calculate',
      errors: [
        { error_key: 'base', category: 'payroll_blocker', message: 'Bank account needs verification' },
      ],
    });
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    const start = (deps: PayrollServiceDeps) =>
      startPayrollRun(deps, { ...ref, deadline: { policy, warningLeadMinutes: 120 } }).then(() =>
        eventually(async () => {
          const s = await getPayrollRunState(deps, ref);
          return s.stage === 'processing_failed' ? s : undefined;
        }),
      );
    return { payroll, ref, start };
  };

  it('a run waiting for a fix after processing_failed is warned, then stopped at the deadline', async () => {
    const { payroll, ref, start } = await failedRun('phoenix-az', 'stop_and_report');
    await withWorker(async (deps) => {
      const failed = await start(deps);
      expect(failed.warnings).toEqual([]);
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('stopped');
      expect(result.state.review.decision).toBe('stopped_at_deadline');
      expect(result.state.lastError?.step).toBe('calculate');
      expect(result.state.warnings).toEqual([
        expect.objectContaining({
          kind: 'deadline_approaching',
          message: expect.stringContaining('waiting for a retry or an edit'),
        }),
        expect.objectContaining({ kind: 'stopped_at_deadline' }),
      ]);
      const warnedAt = Date.parse(result.state.warnings[0]!.at);
      expect(warnedAt).toBeGreaterThanOrEqual(payroll.deadline.getTime() - 2 * HOUR);
      expect(warnedAt).toBeLessThan(payroll.deadline.getTime());
      expect(Date.parse(result.state.stageTimes.stopped!)).toBeGreaterThanOrEqual(payroll.deadline.getTime());
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBeUndefined();
  });

  it('under submit_late a run waiting for a fix reports the passed deadline, and submits late once fixed', async () => {
    const { payroll, ref, start } = await failedRun('small-ca', 'submit_late');
    await withWorker(async (deps) => {
      await start(deps);
      await world.env.sleep(payroll.deadline.getTime() - (await world.env.currentTimeMs()) + HOUR);
      const late = await getPayrollRunState(deps, ref);
      expect(late.stage).toBe('processing_failed');
      expect(late.warnings.map((w) => w.kind)).toEqual(['deadline_approaching', 'deadline_passed']);

      await retryPayrollRun(deps, ref);
      const result = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(result.outcome).toBe('complete');
      expect(Date.parse(result.state.stageTimes.submitting!)).toBeGreaterThan(payroll.deadline.getTime());
    });
    expect(world.sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
  });

  // Last: it moves the clock past a deadline for the whole sandbox.
  it('a scan starts and reports a payroll already past its deadline (late)', async () => {
    const company = companyByKey(world.sandbox, 'honolulu-hi');
    const now = await world.env.currentTimeMs();
    const payroll = await payrollWhere(world.gusto, company.uuid, (d) => d.getTime() > now + DAY);
    // The Schedule was paused over the deadline: the first scan after it comes an hour late.
    await world.env.sleep(payroll.deadline.getTime() - now + HOUR);
    await withWorker(async (deps) => {
      const scan = (n: number) =>
        world.env.client.workflow.execute('upcomingPayrollsWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: `upcoming-test:${company.uuid}:${n}`,
          args: [{ companyId: company.uuid, lookAheadDays: 7, review: 'manual' }],
        }) as Promise<UpcomingPayrollsResult>;
      const first = await scan(1);
      expect(first.late).toContain(payroll.payroll_uuid);
      expect(first.started).toContain(payroll.payroll_uuid);
      const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
      // The run shows the lateness; preparing gave the payroll a new deadline, so it awaits review.
      let last: unknown;
      const seen = await eventually(async () => {
        const s = await getPayrollRunState(deps, ref);
        last = s;
        return s.stage === 'awaiting_review' ? s : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; last state ${JSON.stringify(last)}`);
      });
      expect(seen.warnings[0]).toMatchObject({
        kind: 'late',
        message: expect.stringContaining(payroll.deadline.toISOString()),
      });
      // Preparing moved that payroll's deadline: the next scan sees it as due, its run already there.
      const second = await scan(2);
      expect(second).toMatchObject({ started: [], alreadyStarted: first.started });
      expect(second.late).not.toContain(payroll.payroll_uuid);
    });
  });
});
