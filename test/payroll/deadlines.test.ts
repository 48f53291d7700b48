/**
 * Deadlines while a run awaits review (time-skipping): the warning ahead of payroll_deadline, and the
 * decision at it under each policy. Nothing is ever missed silently: both end up in the run's state.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  getPayrollRunState,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
} from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import {
  gustoClientFor,
  runWorker,
  startSandbox,
  timeSkippingEnv,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { companyByKey, DAY, eventually, HOUR, payrollWhere, serviceDeps } from './helpers.js';

describe('payroll deadlines (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;

  beforeAll(async () => {
    env = await timeSkippingEnv();
    sandbox = await startSandbox({
      env,
      calculateLatencyMs: 0,
      submitLatencyMs: 0,
      webhooks: { enabled: false },
    });
    gusto = await gustoClientFor(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
    await env?.teardown();
  });

  const withWorker = <T>(fn: (deps: ReturnType<typeof serviceDeps>) => Promise<T>) => {
    const taskQueue = uniqueTaskQueue('payroll-deadline');
    return runWorker(env, { taskQueue, sandbox }, () => fn(serviceDeps(env, taskQueue)));
  };

  const awaitingReview = (deps: ReturnType<typeof serviceDeps>, ref: object) =>
    eventually(async () => {
      const s = await getPayrollRunState(deps, ref);
      return s.stage === 'awaiting_review' ? s : undefined;
    });

  it('warns ahead of the deadline, then stops and reports under stop_and_report', async () => {
    const company = companyByKey(sandbox, 'mid-ny');
    const now = await env.currentTimeMs();
    const payroll = await payrollWhere(gusto, company.uuid, (d) => d.getTime() > now + 3 * DAY);
    const ref = { companyId: company.uuid, payrollId: payroll.payroll_uuid };
    await withWorker(async (deps) => {
      await startPayrollRun(deps, {
        ...ref,
        review: 'manual',
        deadline: { policy: 'stop_and_report', warningLeadMinutes: 24 * 60 },
      });
      await awaitingReview(deps, ref);
      expect((await getPayrollRunState(deps, ref)).warnings).toEqual([]);

      await env.sleep(payroll.deadline.getTime() - (await env.currentTimeMs()) - 23 * HOUR);
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
    expect(sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBeUndefined();
    expect((await gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(false);
  });

  it('submits at the deadline under submit_late, with a warning saying so', async () => {
    const company = companyByKey(sandbox, 'denver-co');
    const now = await env.currentTimeMs();
    const payroll = await payrollWhere(gusto, company.uuid, (d) => d.getTime() > now + 2 * DAY);
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
    expect(sandbox.counters().submits_per_payroll[payroll.payroll_uuid]).toBe(1);
    expect((await gusto.payrolls.get(company.uuid, payroll.payroll_uuid)).processed).toBe(true);
  });
});
