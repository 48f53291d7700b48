import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { interactiveTaskQueue } from '../../workers/task-queues.js';

// Proto enum values (temporal.api.enums.v1), named here to avoid importing @temporalio/proto directly.
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;
const RECENT_POLL_MS = 90_000;

function lastAccessMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return Date.now(); // no timestamp: trust the server's list
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export const HealthBody = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    temporal: z.enum(['reachable', 'unreachable']),
    worker: z.enum(['polling', 'not_polling', 'unknown']),
    taskQueue: z.string(),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthBody>;

/**
 * Healthy means work can make progress: Temporal answers and some worker polls both task queues (the
 * batch one and its interactive one, workers/task-queues.ts) for workflow and activity tasks. An API
 * that accepts starts nobody will run is not healthy.
 */
export async function checkHealth(
  temporal: Client,
  taskQueue: string,
  isWorkerReady?: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
): Promise<Health> {
  const deadline = () => Date.now() + timeoutMs;
  const service = temporal.workflowService;
  try {
    await temporal.connection.withDeadline(deadline(), () => service.getSystemInfo({}));
  } catch {
    return { status: 'unavailable', temporal: 'unreachable', worker: 'unknown', taskQueue };
  }
  let polling: boolean;
  if (isWorkerReady) {
    polling = await isWorkerReady();
  } else {
    const pollers = async (name: string, taskQueueType: number) => {
      const res = await temporal.connection.withDeadline(deadline(), () =>
        service.describeTaskQueue({
          namespace: temporal.options.namespace,
          taskQueue: { name, kind: TASK_QUEUE_KIND_NORMAL },
          taskQueueType,
        }),
      );
      // The server remembers pollers for minutes after they leave; count only recent ones (a long
      // poll lasts up to a minute, so a live worker polls again well within the window).
      const recent = Date.now() - RECENT_POLL_MS;
      return (res.pollers ?? []).filter((p) => lastAccessMs(p.lastAccessTime) >= recent).length;
    };
    try {
      const counts = await Promise.all(
        [taskQueue, interactiveTaskQueue(taskQueue)].flatMap((name) => [
          pollers(name, TASK_QUEUE_TYPE_WORKFLOW),
          pollers(name, TASK_QUEUE_TYPE_ACTIVITY),
        ]),
      );
      polling = counts.every((n) => n > 0);
    } catch {
      return { status: 'unavailable', temporal: 'unreachable', worker: 'unknown', taskQueue };
    }
  }
  return {
    status: polling ? 'ok' : 'unavailable',
    temporal: 'reachable',
    worker: polling ? 'polling' : 'not_polling',
    taskQueue,
  };
}
