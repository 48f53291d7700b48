import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

export const SLEEPER = fileURLToPath(new URL('./workflows/sleeper.ts', import.meta.url));
export const SLEEPER_V2 = fileURLToPath(new URL('./workflows/sleeper-v2.ts', import.meta.url));

/** Bundles a test-only workflow file once per test file (webpack takes a few seconds). */
export async function bundleTestWorkflows(path: string): Promise<{ code: string }> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: path, logger: quiet });
  return { code };
}
