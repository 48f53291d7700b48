import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { eventually } from '../harness/eventually.js';
import { exportHistory } from '../../scripts/export-history.js';
import { ensureNamespace, ensureSearchAttributes } from '../../scripts/setup-temporal.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { ON_DEMAND_PRIORITY } from '../../workers/task-queues.js';
import { devServerEnv, uniqueTaskQueue, type TestWorkflowEnvironment } from '../harness/index.js';
import { loadHistories, replayHistories } from '../harness/replay.js';
import { bundleTestWorkflows, SLEEPER, SLEEPER_V2 } from './test-workflows.js';
import type { echoWorkflow, sleeperWorkflow } from './workflows/sleeper.js';

describe('shared dev server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: { code: string };
  let bundleV2: { code: string };
  let dir: string;

  beforeAll(async () => {
    [env, bundle, bundleV2, dir] = await Promise.all([
      devServerEnv(),
      bundleTestWorkflows(SLEEPER),
      bundleTestWorkflows(SLEEPER_V2),
      mkdtemp(join(tmpdir(), 'histories-')),
    ]);
  });
  afterAll(async () => {
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const worker = (taskQueue: string) =>
    Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowBundle: bundle,
    });

  it('has the search attributes of workflows/search-attributes.ts registered', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: env.namespace ?? 'default',
    });
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
  });

  it('sets up a fresh namespace the way the compose file does (scripts/setup-temporal.ts), idempotently', async () => {
    const namespace = uniqueTaskQueue('setup-ns');
    const connection = env.connection;
    for (let round = 0; round < 2; round++) {
      await ensureNamespace(connection, namespace, () => {});
      await ensureSearchAttributes(connection, namespace, () => {});
    }
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(ALL_SEARCH_ATTRIBUTES.map((k) => k.name)),
    );
  });

  it('creates a Schedule and triggers it', async () => {
    const taskQueue = uniqueTaskQueue('schedule');
    const scheduleId = uniqueTaskQueue('schedule-id');
    const handle = await env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 day' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'echoWorkflow' satisfies (typeof echoWorkflow)['name'],
        args: ['from schedule'],
        taskQueue,
      },
    });
    try {
      const w = await worker(taskQueue);
      const result = await w.runUntil(async () => {
        await handle.trigger();
        const started = await eventually(async () => (await handle.describe()).info.recentActions[0], 10_000);
        return env.client.workflow.getHandle(started.action.workflow.workflowId).result();
      });
      expect(result).toBe('from schedule');
    } finally {
      await handle.delete();
    }
  });

  it('exports a history that replays on the same code and fails on changed code', async () => {
    const taskQueue = uniqueTaskQueue('replay');
    const workflowId = uniqueTaskQueue('replay-wf');
    const w = await worker(taskQueue);
    await w.runUntil(
      env.client.workflow.execute<typeof sleeperWorkflow>('sleeperWorkflow', {
        taskQueue,
        workflowId,
        args: [10],
      }),
    );
    await exportHistory({ client: env.client, workflowId, dir });

    const histories = await loadHistories(dir);
    expect(histories.map((h) => h.workflowId)).toEqual([workflowId]);
    const same = await replayHistories(histories, { workflowBundle: bundle });
    expect(same.map((o) => o.error)).toEqual([undefined]);
    const changed = await replayHistories(histories, { workflowBundle: bundleV2 });
    expect(changed[0]?.error?.name).toBe('DeterminismViolationError');
  });

  it('dispatches a run started with ON_DEMAND_PRIORITY ahead of a backlog at the default priority', async () => {
    // A payday in small: a backlog waits on a queue nobody polls, then one on-demand run joins it
    // last. A worker taking one task at a time then serves it near the front; in arrival order it
    // would come late. Tasks spread over the queue's partitions and a poll picks one at random, so
    // "near the front" is checked loosely: ahead of three quarters of the backlog (its partition
    // missed by 30 polls in a row would take (3/4)^30, about 2 in 10,000).
    const taskQueue = uniqueTaskQueue('priority');
    const start = (id: string, priority?: typeof ON_DEMAND_PRIORITY) =>
      env.client.workflow.start<typeof echoWorkflow>('echoWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-${id}`,
        args: [id],
        ...(priority ? { priority } : {}),
      });
    const backlog = await Promise.all(Array.from({ length: 120 }, (_, i) => start(`batch-${i}`)));
    const onDemand = await start('on-demand', ON_DEMAND_PRIORITY);
    // A start returns before the server hands the first task to matching: wait until all of them
    // are queued, or a slow hand-over would put the on-demand task behind tasks already served.
    await eventually(async () => {
      const { stats } = await env.client.workflowService.describeTaskQueue({
        namespace: env.namespace,
        taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
        taskQueueType: 1 /* WORKFLOW */,
        reportStats: true,
      });
      return Number(stats?.approximateBacklogCount ?? 0) >= backlog.length + 1;
    });
    const oneAtATime = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowBundle: bundle,
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 1,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
    });
    await oneAtATime.runUntil(Promise.all([...backlog, onDemand].map((h) => h.result())));
    const closed = async (h: WorkflowHandle) => (await h.describe()).closeTime!.getTime();
    const { priority, closeTime } = await onDemand.describe();
    const ahead = (await Promise.all(backlog.map(closed))).filter((t) => t < closeTime!.getTime()).length;
    expect(priority).toMatchObject(ON_DEMAND_PRIORITY);
    // Measured: 1 to 8 ahead of it with the priority, 58 to 113 without.
    expect(ahead).toBeLessThan(30);
  });
});
