// Test-only workflows for the platform tests; bundled on their own, never part of workflows/index.ts.
import { sleep } from '@temporalio/workflow';

export interface SleepResult {
  /** Workflow time (deterministic Date.now) before and after the timer. */
  startedAt: number;
  endedAt: number;
}

export async function sleeperWorkflow(ms: number): Promise<SleepResult> {
  const startedAt = Date.now();
  await sleep(ms);
  return { startedAt, endedAt: Date.now() };
}

export async function echoWorkflow(value: string): Promise<string> {
  return value;
}
