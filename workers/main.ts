/** `npm run worker`: one worker process, configured from the environment (workers/config.ts). */
import { DEFAULT_TEMPORAL_ADDRESS, loadConfigOrExit } from './config.js';
import { resolveLogFormat, statusLine } from './logger.js';
import { installRuntime } from './runtime.js';
import { onShutdownSignal } from './shutdown.js';
import { createWorker } from './worker.js';
import { bothTaskQueues } from './task-queues.js';
import { missingWorkerMemorySettings } from './process-memory.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = installRuntime(config);
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY);
  const say = (message: string) => console.log(statusLine(format, message));
  const missing = missingWorkerMemorySettings(process.env, process.execArgv);
  if (missing.length > 0)
    logger.warn(
      `worker started without ${missing.join(' ')}: its heap may grow far past its live data (docs/BENCHMARKS.md, "Worker memory")`,
    );
  const worker = await createWorker(config, { logger });
  onShutdownSignal(
    () => worker.shutdown(),
    (line) => logger.info(line),
  );
  const running = worker.run();
  const metrics = config.metrics.port ? `, metrics http://0.0.0.0:${config.metrics.port}/metrics` : '';
  // Tests and operators wait for this line (test/harness spawnWorkerProcess), at any LOG_LEVEL and in
  // LOG_FORMAT like every other line.
  say(
    `worker ready: task queues ${bothTaskQueues(worker.taskQueue)} on ${config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS}` +
      ` (namespace ${config.temporal.namespace}), workflows from ${worker.workflowSource}${metrics}`,
  );
  await running;
}

main().catch((err: unknown) => {
  console.error(`worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
