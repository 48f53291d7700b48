/**
 * How the payday benchmark fires Schedules, times the firings, and measures its yardstick: a no-op
 * payday of the same shape (a Schedule per company firing a scan that starts one run) fired the same
 * way, so the Schedule path's cost is on both sides of the ratio.
 */
import { fileURLToPath } from 'node:url';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { workerOptionsFrom } from '../workers/config-worker.js';
import { inBatches, machineBusyMs, ratePerWindow, round, sleep, type Temporal } from './harness.js';

/** Triggers in flight at once, on both sides. */
const FIRING_LANES = 8;

/**
 * What `triggerPayrollSchedule` does, without the describe it adds for the caller (a describe per
 * company measures the bench, not payday); a busy server's refusal is tried again.
 */
export async function fireSchedule(t: Temporal, scheduleId: string): Promise<void> {
  const handle = t.client.schedule.getHandle(scheduleId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle.trigger(ScheduleOverlapPolicy.SKIP);
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(500 * attempt);
    }
  }
}

export const fireAll = (t: Temporal, scheduleIds: readonly string[]) =>
  inBatches(scheduleIds, FIRING_LANES, (id) => fireSchedule(t, id));

/**
 * When the firings' workflows started, from `t0` (ms epoch): the last one and starts per second in
 * 10 s windows. Read from visibility after the fact, so it costs the run nothing.
 */
export async function firingTimeline(t: Temporal, query: string, t0: number) {
  const starts: number[] = [];
  for await (const w of t.client.workflow.list({ query })) {
    // Earlier starts (a warm-up) are not part of this payday.
    if (w.startTime.getTime() >= t0) starts.push((w.startTime.getTime() - t0) / 1000);
  }
  starts.sort((a, b) => a - b);
  return {
    started: starts.length,
    lastStartedAfterS: round(starts.at(-1) ?? NaN),
    perWindow: ratePerWindow(
      starts.map((s, i) => ({ s: round(s), count: i + 1 })),
      10,
    ),
  };
}

export interface NoopPaydayOptions {
  runs: number;
  /** Activities per run: as many as a sampled payroll run scheduled. */
  activities: number;
  /** The payroll Schedules' spec, so the no-op Schedules are the same kind of object. */
  spec: { calendars: Array<{ hour: number }>; timezone: string };
  /** ms epoch; the baseline reports what it finished by then. */
  deadline: number;
  /**
   * The payroll side's worker options (workflow cache, task slots, pollers, sticky timeout): the same
   * tuning is part of the same shape, so a setting such as the cache bound is on both sides of the
   * ratio, never charged to the payroll process alone. (Measured: with the SDK's defaults the no-op
   * side cost the same, as its short runs never fill a cache of 250.) On the cluster this is one
   * worker's tuning for the one no-op worker, against two payroll workers.
   */
  workerOptions: ReturnType<typeof workerOptionsFrom>;
}

/**
 * The yardstick: `runs` Schedules whose firing starts a scan (one no-op activity) that starts a run
 * (`activities` no-op activities), all triggered like the payroll Schedules. Runs per second are
 * counted like the payroll side's: runs done ÷ seconds from the first trigger to the last run's end.
 */
export async function noopPaydayThroughput(t: Temporal, o: NoopPaydayOptions) {
  const taskQueue = `payday-noop-${Date.now()}`;
  let done = 0;
  let lastDoneAt = 0;
  const worker = await Worker.create({
    ...o.workerOptions,
    connection: t.native,
    namespace: t.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
    activities: {
      noop: async (step: number, last: number) => {
        if (step === last && step > 0) {
          done++;
          lastDoneAt = Date.now();
        }
        return step;
      },
    },
  });
  const scheduleId = (i: number | string) => `${taskQueue}-schedule-${i}`;
  const ids = Array.from({ length: o.runs }, (_, i) => i);
  return worker.runUntil(async () => {
    // Described after creating, as createPayrollSchedule does on the payroll side: the describe waits
    // for the Schedule's scheduler to start, so no trigger lands on one still starting (which stalled
    // this side's firings for a minute while the payroll side's ran at once).
    const create = async (i: number | string) => {
      const handle = await t.client.schedule.create({
        scheduleId: scheduleId(i),
        spec: o.spec,
        action: {
          type: 'startWorkflow',
          workflowType: 'noopScanWorkflow',
          taskQueue,
          workflowId: `${taskQueue}-scan-${i}`,
          args: [`${taskQueue}-run-${i}`, o.activities],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
      await handle.describe();
    };
    // One firing end to end first, so neither side counts a cold worker.
    await create('warm-up');
    await fireSchedule(t, scheduleId('warm-up'));
    while (done < 1 && Date.now() < o.deadline) await sleep(100);
    done = 0;
    await inBatches(ids, 32, create);
    const t0 = Date.now();
    const busy0 = machineBusyMs();
    await fireAll(
      t,
      ids.map((i) => scheduleId(i)),
    );
    while (done < o.runs && Date.now() < o.deadline) await sleep(100);
    const coreSecondsPerRun = (machineBusyMs() - busy0) / 1000 / Math.max(done, 1);
    const seconds = Math.max(lastDoneAt - t0, 1) / 1000;
    const query = `WorkflowType = 'noopScanWorkflow' AND TaskQueue = '${taskQueue}'`;
    const firings = await firingTimeline(t, query, t0);
    return {
      runs: o.runs,
      done,
      seconds: round(seconds),
      perSecond: done / seconds,
      coreSecondsPerRun,
      firings,
    };
  });
}
