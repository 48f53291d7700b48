/**
 * A dismissal on the real dev server with a real worker process that is SIGKILLed while the run waits
 * for its date. Temporal's timers run on real time here, and a dismissal date starts at a company-zone
 * midnight (no time zone puts one a few seconds away on demand), so the date arrives the way it does in
 * production when Gusto gets there first: the sandbox clock moves to the date, Gusto applies the
 * dismissal, and its webhook reaches the run (sent here exactly as the ingress sends it). The timer path
 * itself, with Gusto's clock and Temporal's in step, is covered by the time-skipping tests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDismissal, waitForTransition } from '../../client/contractors.js';
import { addDays } from '../../domain/dates.js';
import { contractorDismissalId } from '../../workflows/ids.js';
import { gustoEventSignal } from '../../workflows/waiting.js';
import { ON_DEMAND_PRIORITY } from '../../workers/task-queues.js';
import {
  devServerEnv,
  gustoClientFor,
  spawnWorkerProcess,
  startSandbox,
  uniqueTaskQueue,
  type WorkerProcess,
} from '../harness/index.js';
import { HARNESS_ENV } from '../harness/shared.js';
import { fixtures, sandboxAdmin, todayIn, transitionFields } from './helpers.js';

const TERMINATION = 'POST /v1/contractors/{contractor_uuid}/termination';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

describe('contractor dismissal on the dev server', () => {
  it('survives a SIGKILLed worker while waiting for its date and completes on it with one termination', async () => {
    const address = process.env[HARNESS_ENV.address];
    if (!address) throw new Error('no shared dev server: run through jest (globalSetup starts it)');
    const sandbox = await startSandbox();
    const taskQueue = uniqueTaskQueue('contractors-dev');
    const deps = { temporal: env.client, taskQueue };
    const spawn = () => spawnWorkerProcess({ address, taskQueue, sandboxUrl: sandbox.url });
    let worker: WorkerProcess | undefined;
    try {
      const gusto = await gustoClientFor(sandbox);
      const { companyId, dana } = await fixtures(sandbox, gusto);
      const end_date = addDays(await todayIn(sandbox), 30);
      worker = await spawn();

      const started = await startDismissal(deps, { companyId, contractorId: dana.uuid, end_date });
      expect(started.stage).toBe('waiting_for_date');
      // Its caller waited until Gusto had it scheduled: the run goes ahead of the day's batch.
      const { priority } = await env.client.workflow.getHandle(contractorDismissalId(dana.uuid)).describe();
      expect(priority).toMatchObject(ON_DEMAND_PRIORITY);

      worker.kill('SIGKILL');
      expect(await worker.exited).toBe(137);
      worker = await spawn();

      // Gusto's calendar reaches the date; Gusto applies the dismissal and sends its webhook.
      await sandboxAdmin(sandbox, 'POST', '/sandbox/clock', {
        set: new Date(Date.parse(started.effectiveAt!) + 1_000).toISOString(),
      });
      await env.client.workflow.getHandle(contractorDismissalId(dana.uuid)).signal(gustoEventSignal, {
        event_type: 'contractor.deactivation_effective',
        entity_type: 'Contractor',
        entity_uuid: dana.uuid,
        resource_uuid: companyId,
      });

      const done = await waitForTransition(deps, { kind: 'dismissal', contractorId: dana.uuid });
      expect(done).toMatchObject({ outcome: 'completed', webhooksSeen: 1 });
      expect(done.gusto).toMatchObject({ is_active: false, dismissal_date: end_date });
      expect(await transitionFields(gusto, companyId, dana.uuid)).toMatchObject({
        is_active: false,
        dismissal_date: end_date,
      });
      const counters = sandbox.counters();
      expect(counters.terminations_per_contractor[dana.uuid]).toBe(1);
      expect(counters.calls[TERMINATION]).toBe(1);
    } finally {
      worker?.kill('SIGKILL');
      await worker?.exited;
      await sandbox.close();
    }
  }, 120_000);
});
