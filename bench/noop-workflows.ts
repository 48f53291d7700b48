/**
 * The benchmark's yardstick: workflows shaped like a payroll run (a one-activity finder, then a run
 * with the same number of activities in a row) whose activities do nothing. Payroll throughput over
 * this throughput is what orchestrating real Gusto steps costs on top of Temporal itself.
 */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(step: number): Promise<number> }>({
  startToCloseTimeout: '1 minute',
});

export async function noopFinderWorkflow(): Promise<number> {
  return noop(0);
}

export async function noopRunWorkflow(activities: number): Promise<number> {
  let last = 0;
  for (let step = 1; step <= activities; step++) last = await noop(step);
  return last;
}
