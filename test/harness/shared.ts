import { fileURLToPath } from 'node:url';

/**
 * What jest's globalSetup hands to test files. globalSetup runs in jest's parent process before the
 * workers are forked, so process.env is the channel: every worker inherits it.
 */
export const HARNESS_ENV = {
  /** host:port of the run's shared dev server. */
  address: 'PAYROLL_TEST_TEMPORAL_ADDRESS',
  namespace: 'PAYROLL_TEST_TEMPORAL_NAMESPACE',
  /** Prebuilt bundle of workflows/index.ts (also read by workers/config.ts as WORKFLOW_BUNDLE_PATH). */
  bundlePath: 'WORKFLOW_BUNDLE_PATH',
  /** Resolved executables, so workers never resolve (or build) again. */
  cliPath: 'TEMPORAL_CLI_PATH',
  testServerPath: 'TEMPORAL_TEST_SERVER_PATH',
} as const;

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
