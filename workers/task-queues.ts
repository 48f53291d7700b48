import type { Priority } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Every worker polls two task queues.
 *
 * TASK_QUEUE carries the long-lived processes: payroll runs and their Schedules' scans, contractor
 * payments, dismissals, event deliveries. On payday thousands of their tasks wait in it at once, and a
 * task waits behind all of them.
 *
 * The interactive queue carries the short workflows a caller waits on (does this payroll exist, may
 * this payment go out, cancel a paid payment, deactivate or delete a contractor now). Queued behind the day's batch they ran past their
 * execution timeout: 221 of 1,000 contractor payment requests failed at 10,000 companies. On a queue
 * of their own they wait only for the CPU. Its name follows from TASK_QUEUE, so there is nothing more
 * to configure and no way to point the API and the workers at different pairs.
 */
export const interactiveTaskQueue = (taskQueue: string): string => `${taskQueue}-interactive`;

/**
 * The interactive side's limits: a few short workflows at a time, each with its activities. Small, so
 * a second SDK worker costs little, and so a burst of requests cannot take the batch side's slots.
 */
export const INTERACTIVE_WORKER_OPTIONS = {
  maxCachedWorkflows: 50,
  maxConcurrentWorkflowTaskExecutions: 10,
  maxConcurrentActivityTaskExecutions: 50,
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
} satisfies Partial<WorkerOptions>;

/**
 * Runs started by a request that waits for their first steps (a contractor payment's preview, a
 * dismissal or rehire scheduled at Gusto, an off-cycle payroll's create) are long-lived, so they
 * belong on TASK_QUEUE; there their first task would wait behind the whole day's batch (measured:
 * p95 52 s for a contractor payment request at 1,000 companies). Temporal dispatches a lower key
 * first (default 3), so they go ahead of the scheduled payroll runs.
 *
 * The key holds for the run's whole life, strictly (no weighting): its activities and children (an
 * off-cycle payroll's payroll run) inherit it, and Temporal cannot change it after the start. That is
 * right while on-demand work is small next to the day's batch; a burst of thousands of them would go
 * before every scheduled run.
 *
 * The server must run the priority matcher (`matching.useNewMatcher`: scripts/dev-server.ts and
 * scripts/compose/dynamicconfig/production-sql.yaml turn it on); a server without it dispatches in
 * arrival order. Do not turn it off with tasks queued: the old matcher never reads the key-1 backlog.
 * The key orders only what waits in matching: an activity started eagerly (both servers start an
 * activity in the answer to the task that scheduled it when the worker has a slot free) skips it.
 */
export const ON_DEMAND_PRIORITY = { priorityKey: 1 } as const satisfies Priority;

/** How start-up lines name the pair a worker polls. */
export const bothTaskQueues = (taskQueue: string): string =>
  `${taskQueue} and ${interactiveTaskQueue(taskQueue)}`;
