/**
 * The payroll run on the shared dev server against a sandbox on real time (2 s calculations and
 * submissions): webhook signals and polling as alternative wake-ups, the Gusto call budget, one run per
 * payroll, visibility listing, and a company's Schedule.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import {
  listPayrollRuns,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunState,
} from '../../client/payroll.js';
import {
  createPayrollSchedule,
  deletePayrollSchedule,
  describePayrollSchedule,
  pausePayrollSchedule,
  triggerPayrollSchedule,
  unpausePayrollSchedule,
  updatePayrollSchedule,
} from '../../client/schedules.js';
import type { GustoClient } from '../../gusto/client.js';
import type { UpcomingPayrollsResult } from '../../workflows/upcoming-payrolls.js';
import {
  devServerEnv,
  gustoClientFor,
  runWorker,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { startWebhookReceiver } from '../harness/webhook-receiver.js';
import { admin, callsBetween, companyByKey, DAY, gustoCalls, unprocessedPayrolls } from './helpers.js';

const TWENTY = {
  key: 'twenty',
  name: 'Twenty Person Co',
  location: { street_1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
  time_zone: 'America/Chicago',
  pay_schedule: 'biweekly',
  employees: { salaried_exempt: 6, salaried_nonexempt: 4, hourly: 10, check_count: 2 },
};

describe('payroll run on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;
  const opened: WorkflowHandle[] = [];

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: 2_000, submitLatencyMs: 2_000 });
    await admin(sandbox, 'POST', '/sandbox/companies', { companies: [TWENTY] });
    gusto = await gustoClientFor(sandbox);
  });
  afterEach(async () => {
    // Processed runs hold open until the cancel cutoff, days away: end them so the shared server stays clean.
    await Promise.all(opened.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });
  afterAll(async () => {
    await sandbox?.close();
    await env?.teardown();
  });

  const deps = (taskQueue: string) => ({ temporal: env.client, taskQueue });
  const track = (workflowId: string) => opened.push(env.client.workflow.getHandle(workflowId));

  async function runUntilProcessed(taskQueue: string, input: Record<string, unknown>) {
    const started = await startPayrollRun(deps(taskQueue), input);
    track(started.workflowId);
    const state = (await waitForPayrollRun(deps(taskQueue), {
      companyId: input.companyId,
      payrollId: started.payrollId,
      until: 'processed',
      timeoutMs: 45_000,
    })) as PayrollRunState;
    return { started, state };
  }

  it('completes woken by webhook signals alone (polling off)', async () => {
    const receiver = await startWebhookReceiver(env.client, gusto);
    try {
      const taskQueue = uniqueTaskQueue('payroll-signals');
      const company = companyByKey(sandbox, 'small-ca');
      const { state } = await runWorker(env, { taskQueue, sandbox }, () =>
        runUntilProcessed(taskQueue, { companyId: company.uuid, polling: false }),
      );
      expect(state.stage).toBe('processed');
      expect(state.webhookWakeups).toBeGreaterThanOrEqual(2);
      expect(receiver.events).toEqual(expect.arrayContaining(['payroll.calculated', 'payroll.processed']));
    } finally {
      await receiver.close();
    }
  });

  it('completes by polling alone (webhooks off)', async () => {
    await admin(sandbox, 'PUT', '/sandbox/config', { webhooks: { enabled: false } });
    try {
      const taskQueue = uniqueTaskQueue('payroll-polling');
      const company = companyByKey(sandbox, 'denver-co');
      const { state } = await runWorker(env, { taskQueue, sandbox }, () =>
        runUntilProcessed(taskQueue, { companyId: company.uuid, polling: true }),
      );
      expect(state.stage).toBe('processed');
      expect(state.webhookEvents).toBe(0);
      expect(state.totals).toBeDefined();
    } finally {
      await admin(sandbox, 'PUT', '/sandbox/config', { webhooks: { enabled: true } });
    }
  });

  it('runs 20 employees with edits in at most 9 Gusto calls; a second start returns the same run', async () => {
    const receiver = await startWebhookReceiver(env.client, gusto);
    try {
      const company = companyByKey(sandbox, 'twenty');
      expect(company.employees).toHaveLength(20);
      const [payroll] = await unprocessedPayrolls(gusto, company.uuid);
      const hourly = company.employees.filter((e) => !e.salaried).slice(0, 3);
      const edits = [
        ...hourly.map((e, i) => ({
          employeeId: e.uuid,
          hours: { 'Regular Hours': '80', Overtime: String(i + 1) },
        })),
        { employeeId: company.employees[0]!.uuid, fixed: { Bonus: '500.00' } },
      ];
      const taskQueue = uniqueTaskQueue('payroll-budget');
      const before = sandbox.counters();
      const { started, state } = await runWorker(env, { taskQueue, sandbox }, async () => {
        const run = await runUntilProcessed(taskQueue, {
          companyId: company.uuid,
          payrollId: payroll!.payroll_uuid,
          edits,
          polling: false,
        });
        const again = await startPayrollRun(deps(taskQueue), {
          companyId: company.uuid,
          payrollId: payroll!.payroll_uuid,
        });
        expect(again).toMatchObject({
          workflowId: run.started.workflowId,
          runId: run.started.runId,
          started: false,
        });
        return run;
      });
      const calls = callsBetween(before, sandbox.counters());
      // 8 for the payroll itself, plus the blockers check every run makes first.
      expect(gustoCalls(calls)).toBeLessThanOrEqual(9);
      expect(state.gustoCalls).toBe(gustoCalls(calls) - 1); // the finder's read happens before the run
      expect(state.employees).toBe(20);
      expect(sandbox.counters().submits_per_payroll[started.payrollId]).toBe(1);

      const listed = await eventually(
        async () => {
          const runs = await listPayrollRuns(deps(taskQueue), {
            companyId: company.uuid,
            stage: 'processed',
          });
          return runs.find((r) => r.workflowId === started.workflowId);
        },
        15_000,
        'the run in visibility',
      );
      expect(listed).toMatchObject({ status: 'RUNNING', stage: 'processed', checkDate: state.checkDate });
    } finally {
      await receiver.close();
    }
  });

  it("a Schedule firing starts runs for the company's upcoming payrolls; a second firing starts none", async () => {
    const company = companyByKey(sandbox, 'mid-ny');
    const taskQueue = uniqueTaskQueue('payroll-schedule');
    const now = Date.now();
    const lookAheadDays = 20;
    // Unprocessed payrolls whose deadline passed (within the scan's look-back) are started too.
    const LATE_LOOK_BACK_DAYS = 30;
    const scanned = (await unprocessedPayrolls(gusto, company.uuid))
      .filter(
        (p) =>
          Date.parse(p.payroll_deadline!) >= now - LATE_LOOK_BACK_DAYS * DAY &&
          Date.parse(p.payroll_deadline!) < now + lookAheadDays * DAY,
      )
      .sort((a, b) => Date.parse(a.payroll_deadline!) - Date.parse(b.payroll_deadline!));
    const due = scanned.map((p) => p.payroll_uuid);
    const late = scanned.filter((p) => Date.parse(p.payroll_deadline!) < now).map((p) => p.payroll_uuid);
    expect(due.length).toBeGreaterThan(late.length);

    const scheduleDeps = { ...deps(taskQueue), gusto };
    const spec = {
      companyId: company.uuid,
      timeZone: company.time_zone,
      hour: 6,
      lookAheadDays,
      review: 'manual' as const,
    };
    const created = await createPayrollSchedule(scheduleDeps, { ...spec, paused: true });
    expect(created).toMatchObject({
      paused: true,
      timeZone: 'America/New_York',
      lookAheadDays,
      hour: 6,
      minute: 0,
      daysOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
      review: 'manual',
    });
    await expect(createPayrollSchedule(scheduleDeps, spec)).rejects.toMatchObject({ code: 'conflict' });
    try {
      // 6 am New York on weekdays; the next firing lands at 10:00 or 11:00 UTC depending on DST.
      const unpaused = await unpausePayrollSchedule(scheduleDeps, { companyId: company.uuid });
      expect(unpaused.paused).toBe(false);
      expect(unpaused.nextFirings[0]).toMatch(/T1[01]:00:00/);
      const moved = await updatePayrollSchedule(scheduleDeps, { ...spec, hour: 7 });
      expect(moved.nextFirings[0]).toMatch(/T1[12]:00:00/);
      expect(
        (await pausePayrollSchedule(scheduleDeps, { companyId: company.uuid, note: 'bench' })).paused,
      ).toBe(true);

      const firing = async (n: number): Promise<UpcomingPayrollsResult> => {
        await triggerPayrollSchedule(scheduleDeps, { companyId: company.uuid });
        const workflowId = await eventually(
          async () => {
            const recent = (await describePayrollSchedule(scheduleDeps, { companyId: company.uuid }))
              .recentFirings;
            return recent.length >= n ? recent[n - 1]!.workflowId : undefined;
          },
          15_000,
          `firing ${n}`,
        );
        return env.client.workflow.getHandle(workflowId).result() as Promise<UpcomingPayrollsResult>;
      };
      await runWorker(env, { taskQueue, sandbox }, async () => {
        const first = await firing(1);
        first.started.forEach((id) => track(`payroll:${company.uuid}:${id}`));
        expect(first).toEqual({ started: due, alreadyStarted: [], late });
        const second = await firing(2);
        expect(second).toEqual({ started: [], alreadyStarted: due, late });
      });
    } finally {
      await deletePayrollSchedule(scheduleDeps, { companyId: company.uuid });
    }
    await expect(describePayrollSchedule(scheduleDeps, { companyId: company.uuid })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
