/**
 * Off-cycle payroll exactly once, on the dev server with a real-clock sandbox: the create's response
 * is lost (applied at Gusto, socket cut), the retry finds and adopts the payroll instead of making a
 * second one; cancelling the run before submission then deletes it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  getOffCyclePayrollState,
  startOffCyclePayroll,
  waitForOffCyclePayroll,
} from '../../client/off-cycle.js';
import { cancelPayrollRun, getPayrollRunState } from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import { isBusinessDay } from '../../domain/business-days.js';
import { addDays } from '../../sim/calendar.js';
import {
  devServerEnv,
  gustoClientFor,
  runWorker,
  sandboxAdmin,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { saveHistory } from '../harness/replay.js';
import { ON_DEMAND_PRIORITY } from '../../workers/task-queues.js';

const CREATE = 'POST /v1/companies/{company_id}/payrolls';

describe('off-cycle payroll: exactly once under a lost create response (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let gusto: GustoClient;

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: 200, submitLatencyMs: 200 });
    gusto = await gustoClientFor(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
    await env?.teardown();
  });

  it('adopts the single payroll whose create response was dropped', async () => {
    const company = sandbox.companies.find((c) => c.key === 'mid-ny')!;
    const employee = company.employees[0]!.uuid;
    const today = new Date().toISOString().slice(0, 10);
    let checkDate = addDays(today, 6);
    while (!isBusinessDay(checkDate)) checkDate = addDays(checkDate, 1);
    const key = { companyId: company.uuid, businessKey: 'bonus-lost-response' };
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/faults', {
      rules: [{ endpoint: CREATE, drop_response: true, times: 1 }],
    });
    const taskQueue = uniqueTaskQueue('off-cycle-drop');
    const deps = { temporal: env.client, taskQueue };
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const started = await startOffCyclePayroll(deps, {
        ...key,
        reason: 'Bonus',
        startDate: addDays(today, -14),
        endDate: today,
        checkDate,
        employeeIds: [employee],
        edits: [{ employeeId: employee, fixed: { Bonus: '250.00' } }],
        review: 'manual',
      });
      const state = await eventually(
        async () => {
          const s = await getOffCyclePayrollState(deps, key);
          return s.stage === 'running' ? s : undefined;
        },
        60_000,
        'the payroll created',
      );
      expect(state.adopted).toBe(true);
      // Its caller waited for Gusto's answer to the create: the run goes ahead of the day's batch.
      const { priority } = await env.client.workflow.getHandle(started.workflowId).describe();
      expect(priority).toMatchObject(ON_DEMAND_PRIORITY);
      // One create reached Gusto (its answer was lost); the retry read and adopted, sending none.
      expect(sandbox.counters().calls[CREATE]).toBe(1);
      expect(sandbox.counters().off_cycle_payrolls_per_company).toEqual({ [company.uuid]: 1 });
      const offCycle = await gusto.payrolls.list(company.uuid, {
        processingStatuses: ['unprocessed'],
        payrollTypes: ['off_cycle'],
        startDate: addDays(today, -14),
        endDate: today,
      });
      expect(offCycle.map((p) => p.payroll_uuid)).toEqual([state.payrollId]);

      const ref = { companyId: company.uuid, payrollId: state.payrollId! };
      await eventually(
        async () => {
          const s = await getPayrollRunState(deps, ref);
          return s.stage === 'awaiting_review' ? s : undefined;
        },
        60_000,
        'the run awaiting review',
      );
      await cancelPayrollRun(deps, { ...ref, reason: 'not this week' });
      const result = await waitForOffCyclePayroll(deps, key);
      expect(result.outcome).toBe('cancelled');
      expect(result.state.deleted).toBe(true);
      await expect(gusto.payrolls.get(company.uuid, state.payrollId!)).rejects.toMatchObject({ status: 404 });
      if (process.env.EXPORT_HISTORIES)
        await saveHistory(env.client, started.workflowId, 'off-cycle-adopted-after-lost-response');
    });
  }, 120_000);
});
