/**
 * Loaded by global-setup.ts. Once per `jest` run, in jest's parent process: resolve the Temporal executables, start ONE dev
 * server for the run, and build the workflow bundle once. Test files reach all three through
 * process.env (see shared.ts), which the forked jest workers inherit.
 */
import { startDevServer, type DevServerHandle } from '../../scripts/dev-server.js';
import { resolveDevServerExecutable, resolveTestServerExecutable } from '../../scripts/temporal-servers.js';
import { prebuiltWorkflowBundle } from './bundle.js';
import { HARNESS_ENV } from './shared.js';

declare global {
  var __payrollDevServer: DevServerHandle | undefined;
}

const log = (line: string) => console.log(`[harness] ${line}`);

export async function setup(): Promise<void> {
  const started = Date.now();
  const [server, bundlePath, testServer] = await Promise.all([
    startSharedDevServer(),
    prebuiltWorkflowBundle(log),
    resolveTestServerExecutable({ log }),
  ]);
  globalThis.__payrollDevServer = server;
  process.env[HARNESS_ENV.address] = server.address;
  process.env[HARNESS_ENV.namespace] = server.namespace;
  process.env[HARNESS_ENV.bundlePath] = bundlePath;
  if (testServer.type === 'existing-path') process.env[HARNESS_ENV.testServerPath] = testServer.path;
  log(`dev server ${server.address}, bundle ready, setup took ${Date.now() - started} ms`);
}

async function startSharedDevServer(): Promise<DevServerHandle> {
  const executable = await resolveDevServerExecutable({ log });
  if (executable.type === 'existing-path') process.env[HARNESS_ENV.cliPath] = executable.path;
  // In memory: nothing a test writes needs to outlive the run, and it is the fastest store.
  return startDevServer({ executable, logLevel: 'error' });
}
