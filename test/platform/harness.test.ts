import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  devServerEnv,
  runWorker,
  spawnWorkerProcess,
  startSandbox,
  timeSkippingEnv,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { bundleTestWorkflows, SLEEPER } from './test-workflows.js';
import type { callActivityWorkflow } from './workflows/sleeper.js';

const DAY = 24 * 60 * 60 * 1000;

describe('test harness', () => {
  let skipping: TestWorkflowEnvironment;
  let bundle: { code: string };

  beforeAll(async () => {
    [skipping, bundle] = await Promise.all([timeSkippingEnv(), bundleTestWorkflows(SLEEPER)]);
  });
  afterAll(async () => {
    await skipping?.teardown();
  });

  it("gives a sandbox on a time-skipping env the env's clock", async () => {
    const sandbox = await startSandbox({ env: skipping });
    try {
      const before = (await sandbox.now()).getTime();
      await skipping.sleep(3 * DAY);
      const after = (await sandbox.now()).getTime();
      expect(after - before).toBeGreaterThanOrEqual(3 * DAY);
      expect(Math.abs(after - (await skipping.currentTimeMs()))).toBeLessThan(60_000);
    } finally {
      await sandbox.close();
    }
  });

  it('closes a sandbox on an env clock only once no clock read is on the wire', async () => {
    // A read still on the wire at the env's teardown ends in an uncaught gRPC retry on a closed
    // channel (see envClock). Here the ticker's read is held, as on a loaded server, while the
    // sandbox closes.
    const read = skipping.currentTimeMs.bind(skipping);
    let hold = false;
    let release = () => {};
    let calls = 0;
    let underWay = 0;
    const spy = jest.spyOn(skipping, 'currentTimeMs').mockImplementation(async () => {
      calls++;
      underWay++;
      try {
        if (hold) await new Promise<void>((resolve) => (release = resolve));
        return await read();
      } finally {
        underWay--;
      }
    });
    try {
      const sandbox = await startSandbox({ env: skipping, tickMs: 1 });
      hold = true;
      await eventually(() => underWay === 1, 5_000, "the ticker's read, held");
      let closed = false;
      const closing = sandbox.close().then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(false);
      release();
      await closing;
      expect(underWay).toBe(0);
      // Read after the close: the last reading, without a call to the env.
      const before = calls;
      await sandbox.now();
      expect(calls).toBe(before);
    } finally {
      spy.mockRestore();
    }
  });

  it('runs a worker with the real activities on a Gusto client pointed at the sandbox', async () => {
    const sandbox = await startSandbox({ env: skipping });
    try {
      const taskQueue = uniqueTaskQueue('harness');
      const companyId = sandbox.companies[0]!.uuid;
      const result = await runWorker(
        skipping,
        { taskQueue, sandbox, workflowBundle: bundle, activities: { probe: async () => 'overridden' } },
        async () => {
          const call = (name: string, args: unknown[]) =>
            skipping.client.workflow.execute<typeof callActivityWorkflow>('callActivityWorkflow', {
              taskQueue,
              workflowId: uniqueTaskQueue('call'),
              args: [name, args],
            });
          const upcoming = await call('listUpcomingPayrolls', [
            { companyId, from: '2020-01-01', to: '2030-12-31' },
          ]);
          return { upcoming, probe: await call('probe', []) };
        },
      );
      expect(result.probe).toBe('overridden');
      expect(result.upcoming).toBeDefined();
      const calls = Object.keys(sandbox.counters().calls);
      expect(calls.some((endpoint) => endpoint.includes('/payrolls'))).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  describe('spawnWorkerProcess', () => {
    let dev: TestWorkflowEnvironment;
    let sandbox: Sandbox;
    beforeAll(async () => {
      [dev, sandbox] = await Promise.all([devServerEnv(), startSandbox()]);
    });
    afterAll(async () => {
      await sandbox?.close();
      await dev?.teardown();
    });

    it('starts a real worker process that polls its task queue and dies on SIGKILL', async () => {
      const taskQueue = uniqueTaskQueue('spawned');
      const worker = await spawnWorkerProcess({ address: dev.address, taskQueue, sandboxUrl: sandbox.url });
      try {
        // "ready" is printed as polling starts; the server sees the first long poll a moment later.
        const pollers = async () =>
          (
            await dev.connection.workflowService.describeTaskQueue({
              namespace: dev.namespace ?? 'default',
              taskQueue: { name: taskQueue },
            })
          ).pollers?.length ?? 0;
        const deadline = Date.now() + 10_000;
        while ((await pollers()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await pollers()).toBeGreaterThan(0);
      } finally {
        worker.kill('SIGKILL');
      }
      expect(await worker.exited).toBe(137);
    });
  });
});
