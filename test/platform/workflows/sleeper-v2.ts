// A changed sleeperWorkflow (two timers instead of one): replaying a v1 history against it must fail.
import { sleep } from '@temporalio/workflow';
import type { SleepResult } from './sleeper.js';

export async function sleeperWorkflow(ms: number): Promise<SleepResult> {
  const startedAt = Date.now();
  await sleep(ms / 2);
  await sleep(ms / 2);
  return { startedAt, endedAt: Date.now() };
}
