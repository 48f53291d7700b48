/**
 * The benchmark's yardstick: workflows shaped like a payroll run whose activities do nothing. Payroll
 * throughput over this throughput is what orchestrating real Gusto steps costs on top of Temporal itself.
 * - finder + run, started by the client (`npm run bench`);
 * - scan + run, started by a Schedule's firing (`npm run bench:payday`): the scan lists (one activity)
 *   and starts the run as an abandoned child, as upcomingPayrollsWorkflow does.
 */
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(step: number, last: number): Promise<number> }>({
  startToCloseTimeout: '1 minute',
});

export async function noopFinderWorkflow(): Promise<number> {
  return noop(0, 0);
}

export async function noopRunWorkflow(activities: number): Promise<number> {
  let last = 0;
  for (let step = 1; step <= activities; step++) last = await noop(step, activities);
  return last;
}

export async function noopScanWorkflow(runId: string, activities: number): Promise<void> {
  await noop(0, activities);
  await startChild(noopRunWorkflow, {
    workflowId: runId,
    args: [activities],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
}
