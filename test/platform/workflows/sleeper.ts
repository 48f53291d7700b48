// Test-only workflows for the platform tests; bundled on their own, never part of workflows/index.ts.
import { proxyActivities, sleep } from '@temporalio/workflow';

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

/**
 * Calls one activity by name: lets a platform test prove that a worker registered the real
 * activities on a client wired to the sandbox, without depending on any business workflow.
 */
export async function callActivityWorkflow(name: string, args: unknown[]): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });
  return activities[name]!(...args);
}
