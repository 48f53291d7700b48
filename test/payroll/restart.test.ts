/**
 * Starting a payroll again after its run ended without money moving (issue 16, item 1), on the shared
 * dev server against a sandbox on real time. A rejected or cancelled-before-submit run is not handed
 * back as the payroll's run: a plain start is refused with `run_ended` and says how to restart;
 * `restart: true` starts a new run under the same id that reaches processed. A run that submitted is
 * never started again, which the sandbox's submit counter proves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import {
  cancelPayrollRun,
  getPayrollRunState,
  rejectPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunResult,
  type PayrollRunState,
  type PayrollServiceDeps,
} from '../../client/payroll.js';
import {
  devServerEnv,
  runWorker,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { companyByKey } from './helpers.js';

describe('restarting a payroll whose run ended without paying', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  const opened: WorkflowHandle[] = [];

  beforeAll(async () => {
    env = await devServerEnv();
    sandbox = await startSandbox({ calculateLatencyMs: 300, submitLatencyMs: 300 });
  });
  afterEach(async () => {
    // Processed runs hold open until the cancel cutoff, days away: end them so the shared server stays clean.
    await Promise.all(opened.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
  });
  afterAll(async () => {
    await sandbox?.close();
    await env?.teardown();
  });

  const track = (workflowId: string) => opened.push(env.client.workflow.getHandle(workflowId));

  async function reviewable(deps: PayrollServiceDeps, companyId: string) {
    const started = await startPayrollRun(deps, { companyId, review: 'manual' });
    track(started.workflowId);
    const ref = { companyId, payrollId: started.payrollId };
    await eventually(
      async () => ((await getPayrollRunState(deps, ref)).stage === 'awaiting_review' ? true : undefined),
      45_000,
      'awaiting_review',
    );
    return { started, ref };
  }

  it('a rejected run is refused as the payroll run, restarts on request and then pays exactly once', async () => {
    const company = companyByKey(sandbox, 'small-ca');
    const taskQueue = uniqueTaskQueue('payroll-restart');
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const deps = { temporal: env.client, taskQueue };
      const { started, ref } = await reviewable(deps, company.uuid);
      await rejectPayrollRun(deps, { ...ref, reason: 'hours look wrong' });
      const ended = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(ended.outcome).toBe('rejected');

      // Neither the named payroll nor the default pick silently hands back the dead run.
      for (const input of [ref, { companyId: company.uuid }]) {
        await expect(startPayrollRun(deps, input)).rejects.toMatchObject({
          code: 'run_ended',
          exitCode: 8,
          httpStatus: 409,
          message: expect.stringMatching(/ended rejected \(hours look wrong\).*--restart/),
        });
      }

      const restarted = await startPayrollRun(deps, { companyId: company.uuid, restart: true });
      track(restarted.workflowId);
      expect(restarted).toMatchObject({
        workflowId: started.workflowId,
        payrollId: started.payrollId,
        started: true,
        previousRunId: started.runId,
      });
      expect(restarted.runId).not.toBe(started.runId);
      const processed = (await waitForPayrollRun(deps, {
        ...ref,
        until: 'processed',
        timeoutMs: 60_000,
      })) as PayrollRunState;
      expect(processed.stage).toBe('processed');
      expect(sandbox.counters().submits_per_payroll[started.payrollId]).toBe(1);

      // The processed run: open, so a restart is a conflict; a plain start returns it as before.
      await expect(startPayrollRun(deps, { ...ref, restart: true })).rejects.toMatchObject({
        code: 'conflict',
        field: 'restart',
      });
      await expect(startPayrollRun(deps, ref)).resolves.toMatchObject({
        runId: restarted.runId,
        started: false,
      });
      // Ended after its submit (terminated here): still never a second run.
      await env.client.workflow.getHandle(started.workflowId).terminate('test: ended after submit');
      await expect(startPayrollRun(deps, { ...ref, restart: true })).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringContaining('could pay twice'),
      });
      await expect(startPayrollRun(deps, ref)).resolves.toMatchObject({
        runId: restarted.runId,
        started: false,
      });
      expect(sandbox.counters().submits_per_payroll[started.payrollId]).toBe(1);
    });
  });

  it('a run cancelled before submitting can be restarted; an open one cannot', async () => {
    const company = companyByKey(sandbox, 'denver-co');
    const taskQueue = uniqueTaskQueue('payroll-restart-cancelled');
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const deps = { temporal: env.client, taskQueue };
      const { started, ref } = await reviewable(deps, company.uuid);
      await expect(startPayrollRun(deps, { ...ref, restart: true })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('still open (awaiting_review)'),
      });
      await cancelPayrollRun(deps, { ...ref, reason: 'wrong period' });
      const ended = (await waitForPayrollRun(deps, ref)) as PayrollRunResult;
      expect(ended.outcome).toBe('cancelled');

      const restarted = await startPayrollRun(deps, { ...ref, review: 'manual', restart: true });
      track(restarted.workflowId);
      expect(restarted).toMatchObject({ started: true, previousRunId: started.runId });
      // A plain start while the new run is open returns it, never a third.
      await expect(startPayrollRun(deps, ref)).resolves.toMatchObject({
        runId: restarted.runId,
        started: false,
      });
      // Ended from outside before submitting (terminated at review, like a failed run): read from its
      // state query on the worker, it never submitted, so it restarts too.
      await eventually(
        async () => ((await getPayrollRunState(deps, ref)).stage === 'awaiting_review' ? true : undefined),
        45_000,
        'awaiting_review again',
      );
      await env.client.workflow.getHandle(started.workflowId).terminate('test: ended before submit');
      await expect(startPayrollRun(deps, ref)).rejects.toMatchObject({
        code: 'run_ended',
        message: expect.stringContaining('ended terminated in awaiting_review'),
      });
      const third = await startPayrollRun(deps, { ...ref, restart: true });
      track(third.workflowId);
      expect(third).toMatchObject({ started: true, previousRunId: restarted.runId });
      expect(sandbox.counters().submits_per_payroll[started.payrollId] ?? 0).toBe(0);
    });
  });
});
