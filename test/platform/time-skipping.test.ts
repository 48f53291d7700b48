import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from '@temporalio/worker';
import { timeSkippingEnv, uniqueTaskQueue, type TestWorkflowEnvironment } from '../harness/index.js';
import { bundleTestWorkflows, SLEEPER } from './test-workflows.js';
import type { echoWorkflow, sleeperWorkflow } from './workflows/sleeper.js';

const DAY = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: { code: string };

  beforeAll(async () => {
    [env, bundle] = await Promise.all([timeSkippingEnv(), bundleTestWorkflows(SLEEPER)]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('skips a 3-day timer in well under a second of real time', async () => {
    const taskQueue = uniqueTaskQueue('sleeper');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
    });
    const { result, realMs } = await worker.runUntil(async () => {
      // The worker's first workflow task loads the bundle into a V8 context (about a second on 2
      // cores); that is worker start-up, not time skipping, so it is kept out of the measurement.
      await env.client.workflow.execute<typeof echoWorkflow>('echoWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('warm-up'),
        args: ['warm'],
      });
      const started = performance.now();
      const result = await env.client.workflow.execute<typeof sleeperWorkflow>('sleeperWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('sleeper-wf'),
        args: [3 * DAY],
      });
      return { result, realMs: performance.now() - started };
    });
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(3 * DAY);
    expect(realMs).toBeLessThan(1_000);
  });

  it("exposes the skipped time as the env's clock", async () => {
    const before = await env.currentTimeMs();
    await env.sleep(2 * DAY);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * DAY);
  });
});
