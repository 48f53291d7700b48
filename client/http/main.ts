/**
 * `npm run api`: the HTTP API on its own, against TEMPORAL_ADDRESS and GUSTO_BASE_URL from the one
 * config loader. (`npm start` runs it in-process next to the dev server, sandbox and worker.)
 */
import { gustoClientFromConfig } from '../../workers/worker.js';
import { loadConfigOrExit } from '../../workers/config.js';
import { pinoDestination, resolveLogFormat } from '../../workers/logger.js';
import { connectClient } from '../cli/context.js';
import { createApiServer } from './server.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const config = loadConfigOrExit();
if (config.api.keys.length === 0 && !LOOPBACK.has(config.api.host)) {
  // Unauthenticated is acceptable on a developer's loopback only.
  console.error(`API_KEYS: required when API_HOST is ${config.api.host} (not loopback)`);
  process.exit(1);
}
const { connection, deps } = await connectClient(config);
const app = createApiServer({
  temporal: deps.temporal,
  taskQueue: deps.taskQueue,
  config,
  gusto: gustoClientFromConfig(config),
  logger: {
    level: config.logLevel,
    stream: pinoDestination(resolveLogFormat(config.logFormat, process.stdout.isTTY), (l) =>
      process.stdout.write(`${l}\n`),
    ),
  },
});
await app.listen({ host: config.api.host, port: config.api.port });

const stop = async () => {
  await app.close();
  await connection.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
