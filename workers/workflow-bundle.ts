/**
 * The one way the workflows are bundled (a worker without a prebuilt bundle, `npm run build:bundle`,
 * the cluster, the tests and replay): the same entry, interceptors and shared modules everywhere, so
 * every bundle runs a history the same way.
 *
 * The workflow modules (workflows/index.ts and all it imports) are preloaded: evaluated once when the
 * worker loads the bundle and shared by every run on it, instead of evaluated again inside each run
 * (the SDK's reusable context gives a run its own copy of every module it loads itself). Safe because
 * their top level holds no per-run state: it defines functions, classes, activity proxies and
 * constants that nothing writes to after load (audited module by module). The rule that keeps it so:
 * a workflow module's top level is never written at run time; per-run state lives in objects a run
 * builds. The SDK deep-freezes the exported objects, so a write to one fails in the tests (which run
 * this same bundle), but a write to an unexported constant (a Set, an array) would leak between runs
 * silently. Measured on the payday bench (README, "Workflow modules shared across runs").
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
