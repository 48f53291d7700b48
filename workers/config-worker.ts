import { z } from 'zod';

/**
 * The worker's tuning variables, part of the one config loader (workers/config-variables.ts spreads them into
 * CONFIG_VARIABLES). Kept here because they map one to one onto Temporal's WorkerOptions and the
 * polling net, not onto the service's wiring. Defaults come from the payday benchmark
 * (docs/BENCHMARKS.md, "Payday at scale"): 1,000 open runs on 2 cores.
 */

export type PollerSetting = { type: 'autoscaling' } | { type: 'simple-maximum'; maximum: number };

export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  workflowTaskPollers: PollerSetting;
  activityTaskPollers: PollerSetting;
  stickyQueueTimeoutMs: number;
  heartbeatThrottleMs: number;
  /** The polling net's first read of a wait (activities/polling.ts); webhooks usually end it sooner. */
  pollFirstReadMs: number;
}

const count = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number (${min}-${max})`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}-${max}`);

const ms = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of milliseconds (${min}-${max})`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}-${max} milliseconds`);

const pollers = z
  .string()
  .regex(/^(auto|\d+)$/i, 'must be "auto" (autoscaling) or a number of pollers (2-100)')
  .transform((s): PollerSetting =>
    /^auto$/i.test(s) ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: Number(s) },
  )
  .refine((p) => p.type === 'autoscaling' || (p.maximum >= 2 && p.maximum <= 100), 'must be 2-100');

export const WORKER_VARIABLES = {
  WORKER_MAX_CACHED_WORKFLOWS: {
    schema: count(0, 100_000),
    default: '250',
    describe:
      'Workflows kept in the worker cache (0: none). Open runs wait days for their cancel cutoff; an evicted one replays its history when it wakes',
  },
  WORKER_MAX_ACTIVITIES: {
    schema: count(1, 10_000),
    default: '500',
    describe:
      'Activities one worker runs at once; a waiting run holds one (its polling net) while it sleeps, so this bounds the runs waiting on Gusto',
  },
  WORKER_MAX_WORKFLOW_TASKS: {
    schema: count(2, 1_000),
    default: '40',
    describe: 'Workflow tasks one worker runs at once (at most WORKER_MAX_CACHED_WORKFLOWS)',
  },
  WORKER_WORKFLOW_POLLERS: {
    schema: pollers,
    default: '10',
    describe: 'Workflow task polls open at once: a number, or "auto" to let the server scale them',
  },
  WORKER_ACTIVITY_POLLERS: {
    schema: pollers,
    default: '10',
    describe: 'Activity task polls open at once: a number, or "auto" to let the server scale them',
  },
  WORKER_STICKY_TIMEOUT_MS: {
    schema: ms(1_000, 600_000),
    default: '10000',
    describe:
      "How long a cached run's workflow task waits for this worker before any worker may take it (replaying the history)",
  },
  WORKER_HEARTBEAT_THROTTLE_MS: {
    schema: ms(100, 60_000),
    default: '1000',
    describe:
      'Longest gap between an activity heartbeat and its report to Temporal; a cancelled poll learns of it only then',
  },
  POLL_FIRST_READ_MS: {
    schema: ms(0, 300_000),
    default: '10000',
    describe:
      "When the polling net first reads Gusto in a wait (0: at once). Webhooks normally end the wait sooner; without them it bounds each wait's extra delay",
  },
};

type Values = { [K in keyof typeof WORKER_VARIABLES]?: z.output<(typeof WORKER_VARIABLES)[K]['schema']> };

export function workerTuningFrom(v: Values): WorkerTuning {
  const simple = (maximum: number): PollerSetting => ({ type: 'simple-maximum', maximum });
  return {
    maxCachedWorkflows: v.WORKER_MAX_CACHED_WORKFLOWS ?? 250,
    maxConcurrentActivityTaskExecutions: v.WORKER_MAX_ACTIVITIES ?? 500,
    maxConcurrentWorkflowTaskExecutions: v.WORKER_MAX_WORKFLOW_TASKS ?? 40,
    workflowTaskPollers: v.WORKER_WORKFLOW_POLLERS ?? simple(10),
    activityTaskPollers: v.WORKER_ACTIVITY_POLLERS ?? simple(10),
    stickyQueueTimeoutMs: v.WORKER_STICKY_TIMEOUT_MS ?? 10_000,
    heartbeatThrottleMs: v.WORKER_HEARTBEAT_THROTTLE_MS ?? 1_000,
    pollFirstReadMs: v.POLL_FIRST_READ_MS ?? 10_000,
  };
}

/** The WorkerOptions these settings become (workers/worker.ts). */
export function workerOptionsFrom(t: WorkerTuning) {
  return {
    // The SDK refuses more concurrent workflow tasks than cached workflows (with a cache).
    maxCachedWorkflows: t.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: t.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions:
      t.maxCachedWorkflows > 0
        ? Math.max(2, Math.min(t.maxConcurrentWorkflowTaskExecutions, t.maxCachedWorkflows))
        : t.maxConcurrentWorkflowTaskExecutions,
    workflowTaskPollerBehavior: t.workflowTaskPollers,
    activityTaskPollerBehavior: t.activityTaskPollers,
    stickyQueueScheduleToStartTimeout: t.stickyQueueTimeoutMs,
    maxHeartbeatThrottleInterval: t.heartbeatThrottleMs,
  };
}
