/**
 * `npm run cluster`: the production topology without Docker (PostgreSQL, the Temporal server, N worker
 * processes, the HTTP API, and the sandbox unless GUSTO_BASE_URL is set), with state in DATA_DIR/cluster.
 * `-- --throwaway` uses a temporary data directory instead, deleted at exit. Prints where each part
 * listens and a `ready:` line; Ctrl-C stops everything in reverse order.
 */
import { freePortCheck } from './provision/net.js';
import { loadConfigOrExit, type Config } from '../workers/config.js';
import type { ConfigVariable } from '../workers/config-variables.js';
import { onShutdownSignal } from '../workers/shutdown.js';
import { startCluster, type Cluster } from './cluster/index.js';
import { temporalPorts } from './cluster/temporal.js';

const say = (line: string) => console.log(line);

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const throwaway = process.argv.includes('--throwaway');
  await checkPortsFree(config).catch((err: Error) => {
    console.error(`start-up failed: ${err.message}`);
    process.exit(1);
  });
  const started = Date.now();
  let cluster: Cluster | undefined;
  let stopping = false;
  onShutdownSignal(async () => {
    stopping = true;
    await cluster?.stop();
  }, say);
  try {
    cluster = await startCluster({
      config,
      throwaway,
      log: say,
      // The services log through their own loggers; shown here are warnings and errors only, so the
      // listing above stays readable. (Each service's LOG_LEVEL still applies.)
      onOutput: (name, line) => {
        if (!stopping && /\b(warn|error|fatal|panic)\b/i.test(line)) console.error(`[${name}] ${line}`);
      },
    });
  } catch (err) {
    console.error(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(
    `ready: payroll cluster is up in ${seconds} s (${config.cluster.workers} workers, task queue ` +
      `${config.temporal.taskQueue}${throwaway ? ', throwaway data' : ''}). Ctrl-C to stop.`,
  );
}

/** Every port the cluster binds, checked up front: one clear line beats a failure halfway up. */
async function checkPortsFree(config: Config): Promise<void> {
  const wanted: [string, number][] = [
    ['CLUSTER_POSTGRES_PORT', config.cluster.postgresPort],
    ...Object.entries(temporalPorts(config.temporal.devServerPort)).map(([name, port]): [string, number] => [
      `TEMPORAL_PORT (${name})`,
      port,
    ]),
    ['API_PORT', config.api.port],
  ];
  if (!config.gusto.baseUrl) wanted.push(['SANDBOX_PORT', config.sandbox.port]);
  const busy: string[] = [];
  for (const [what, port] of wanted) {
    if (!(await freePortCheck(port))) busy.push(`${what}: port ${port} is already in use`);
  }
  if (busy.length > 0) {
    const variables: ConfigVariable[] = [
      'TEMPORAL_PORT',
      'API_PORT',
      'SANDBOX_PORT',
      'CLUSTER_POSTGRES_PORT',
    ];
    throw new Error(`${busy.join('; ')} (set ${variables.join(', ')} to free ports)`);
  }
}

void main();
