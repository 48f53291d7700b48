/**
 * The interactive task queue (workers/task-queues.ts): the short workflows a caller waits on run there,
 * so they are answered even when nothing takes the batch queue's work, as on a payday backlog.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import { checkHealth } from '../../client/http/health.js';
import { startContractorPayment } from '../../client/contractor-payments.js';
import { startPayrollRun } from '../../client/payroll.js';
import { interactiveTaskQueue } from '../../workers/task-queues.js';
import { devServerWorld, runWorker, uniqueTaskQueue, type SandboxWorld } from '../harness/index.js';
import {
  fixtures,
  moneyCounters,
  todayAt,
  weekdayAfter,
  type Fixtures,
} from '../contractor-payments/helpers.js';

describe('the interactive task queue', () => {
  let world: SandboxWorld;
  let fx: Fixtures;

  beforeAll(async () => {
    world = await devServerWorld();
    fx = await fixtures(world.sandbox, world.gusto);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  /**
   * Runs `fn` with a worker on `taskQueue`'s interactive queue and none on `taskQueue` itself (the
   * harness worker polls the queue it is given and that queue's interactive one).
   */
  function withInteractiveSideOnly<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueTaskQueue('interactive');
    return runWorker(world.env, { taskQueue: interactiveTaskQueue(taskQueue), sandbox: world.sandbox }, () =>
      fn(taskQueue),
    );
  }

  it('answers a contractor payment check and a payroll lookup with no worker on the batch queue', () =>
    withInteractiveSideOnly(async (taskQueue) => {
      const deps = { temporal: world.env.client, taskQueue };
      const before = moneyCounters(world.sandbox);
      // On the batch queue, with nobody polling it, either would wait out its 2-minute timeout.
      await expect(
        startContractorPayment(deps, {
          companyId: fx.companyId,
          contractorId: '5b0f3c0e-8d4e-4c59-9a4e-2f1f7f0a9d11',
          date: weekdayAfter(todayAt(Date.now()), 10),
          paymentMethod: 'Direct Deposit',
          hours: '10',
        }),
      ).rejects.toMatchObject({ code: 'invalid_input', field: 'contractorId' });
      await expect(
        startPayrollRun(deps, { companyId: fx.companyId, payrollId: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5' }),
      ).rejects.toMatchObject({ field: 'payrollId', message: expect.stringMatching(/no payroll/) });
      expect(moneyCounters(world.sandbox)).toEqual(before);
    }));

  it('reports the service unhealthy while either queue has no worker', () =>
    withInteractiveSideOnly(async (taskQueue) => {
      // Pollers register with their first poll. `ok` for the harness's own pair means both of its
      // queues are polled, so the checks below see registered pollers.
      const polled = await eventually(
        async () => {
          const health = await checkHealth(world.env.client, interactiveTaskQueue(taskQueue));
          return health.status === 'ok' ? health : undefined;
        },
        10_000,
        "the harness worker's pollers",
      );
      expect(polled).toMatchObject({ status: 'ok', worker: 'polling' });
      // The batch queue unpolled (its interactive queue is):
      expect(await checkHealth(world.env.client, taskQueue)).toMatchObject({
        status: 'unavailable',
        worker: 'not_polling',
      });
      // The interactive queue unpolled (its batch queue, the harness's second one, is):
      const polledWithoutItsOwn = interactiveTaskQueue(interactiveTaskQueue(taskQueue));
      expect(await checkHealth(world.env.client, polledWithoutItsOwn)).toMatchObject({
        status: 'unavailable',
        worker: 'not_polling',
      });
    }));
});
