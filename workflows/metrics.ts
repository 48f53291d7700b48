/**
 * Business metrics from workflow code, on the SDK's workflow meter: the worker forwards them to the
 * runtime's Prometheus endpoint, tagged with the workflow type, namespace and task queue. The SDK
 * drops them while a workflow replays, so a run's history counts once however often a worker
 * replays it; recording one issues no command, so released histories replay unchanged.
 */
import { metricMeter } from '@temporalio/workflow';
import { METRICS } from '../observability/names.js';

/** The `process` label: one per business process (README, The processes). */
export type ProcessName =
  | 'payroll_run'
  | 'contractor_payment'
  | 'contractor_payment_group'
  | 'contractor_dismissal'
  | 'contractor_rehire';

/**
 * Follows one run through its stages: counts each entry and, when the run moves on, records the time
 * it spent in the stage it left (workflow time, so deterministic). Re-entering the stage the run is
 * in is no new entry. Keep one per run (a field of the run's class): workflow module state is not
 * per run.
 */
export class StageClock {
  private current?: { stage: string; since: number };

  constructor(private readonly process: ProcessName) {}

  enter(stage: string): void {
    if (this.current?.stage === stage) return;
    const now = Date.now();
    if (this.current) {
      metricMeter
        .createHistogram(METRICS.stageSeconds, 'float', 's', 'Time a run spent in a stage')
        .record((now - this.current.since) / 1000, { process: this.process, stage: this.current.stage });
    }
    metricMeter
      .createCounter(METRICS.stageEntries, undefined, 'Runs entering a stage')
      .add(1, { process: this.process, stage });
    this.current = { stage, since: now };
  }
}

/** What became of a payroll run whose deadline passed before it was submitted. */
export type DeadlineMiss = 'stopped' | 'submitted_late' | 'passed_waiting';

export function countDeadlineWarning(process: ProcessName): void {
  metricMeter
    .createCounter(
      METRICS.deadlineWarnings,
      undefined,
      'Deadline warnings: the deadline is near, the run waits',
    )
    .add(1, { process });
}

export function countDeadlineMiss(process: ProcessName, outcome: DeadlineMiss): void {
  metricMeter
    .createCounter(METRICS.deadlineMisses, undefined, 'Payroll deadlines passed before submission')
    .add(1, { process, outcome });
}

/** A delivery entered `failing`; `recovered` when it leaves it, `givenUp` when an event is set aside. */
export const deliveryMetrics = {
  failing(): void {
    metricMeter
      .createCounter(METRICS.deliveriesFailing, undefined, 'Event deliveries that started failing')
      .add(1);
  },
  recovered(outcome: 'delivered' | 'gave_up'): void {
    metricMeter
      .createCounter(METRICS.deliveriesRecovered, undefined, 'Failing event deliveries that ended')
      .add(1, { outcome });
  },
  givenUp(eventType: string): void {
    metricMeter
      .createCounter(METRICS.deliveriesGivenUp, undefined, 'Events set aside after the retry window')
      .add(1, { event_type: eventType });
  },
};
