/**
 * The one way the workflows are bundled (a worker without a prebuilt bundle, `npm run build:bundle`,
 * the cluster, the tests and replay): the same entry, interceptors and shared modules everywhere, so
 * every bundle runs a history the same way.
 *
 * The workflow modules are preloaded: evaluated once when the worker loads the bundle and shared by
 * every run on it, instead of evaluated again inside each run (the SDK's reusable context gives a run
 * its own copy of every module it loads itself). That is safe because they hold no per-run state:
 * their top level only defines functions, classes, constants and activity proxies, and the SDK
 * deep-freezes what is shared, so a module that wrote to its own exports would fail loudly, in the
 * tests, which run this same bundle. The memo tables in domain/business-days.ts are pure caches of
 * a calendar computation. Measured on the payday bench (README, worker memory).
 */
import { fileURLToPath } from 'node:url';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../observability/tracing.js';

export const WORKFLOWS_ENTRY = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Where the bundler's warnings and errors go; its progress chatter is dropped. */
export interface BundleReport {
  warn(message: string): void;
  error(message: string): void;
}

export async function bundleWorkflows(report: BundleReport = console): Promise<string> {
  // Loaded here: webpack is heavy, and most processes that import this module use a prebuilt bundle.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const noop = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: [WORKFLOWS_ENTRY],
    logger: {
      log: noop,
      trace: noop,
      debug: noop,
      info: noop,
      warn: (m) => report.warn(m),
      error: (m) => report.error(m),
    },
  });
  return code;
}
