/**
 * `npm run provision` (and the first step of `npm test`): makes sure both Temporal servers exist in the
 * cache, building them from the Go module proxy and Maven Central when missing. Idempotent: a second
 * run finds the cache and returns at once. Flags: --force (rebuild), --check (report only), --server
 * (also the multi-service server and temporal-sql-tool of `npm run cluster`; `npm test` passes it
 * because the cluster tests run on them).
 */
import { cachedCliReady, ensureCli } from './provision/cli.js';
import { cacheRoot, findOnPath, readManifest, cliDir, serverDir, testServerDir } from './provision/paths.js';
import { ProvisionError, type Log } from './provision/run-step.js';
import { cachedServerReady, ensureServer } from './provision/server.js';
import { cachedTestServerReady, ensureTestServer, measureStart } from './provision/test-server.js';

const log: Log = (line) => console.log(`[provision] ${line}`);

interface Outcome {
  name: string;
  detail: string;
  failed?: ProvisionError;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const root = cacheRoot();
  const started = Date.now();
  log(`cache: ${root}`);
  if (args.has('--check')) return report(root);
  const outcomes = [
    await provisionCli(root, args.has('--force')),
    await provisionTestServer(root, args.has('--force')),
    ...(args.has('--server') ? [await provisionServer(root, args.has('--force'))] : []),
  ];
  for (const o of outcomes) log(`${o.name}: ${o.detail}`);
  log(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const failures = outcomes.filter((o) => o.failed);
  for (const f of failures) console.error(`\n${f.failed!.report()}`);
  if (failures.length > 0) process.exitCode = 1;
}

async function provisionCli(root: string, force: boolean): Promise<Outcome> {
  const name = 'dev server (Temporal CLI)';
  if (process.env.TEMPORAL_CLI_PATH)
    return { name, detail: `TEMPORAL_CLI_PATH=${process.env.TEMPORAL_CLI_PATH}` };
  if (!findOnPath('go') && !cachedCliReady(root)) return noToolchain(name, 'go', 'TEMPORAL_CLI_PATH');
  try {
    const { path, buildMs } = await ensureCli(root, log, { force });
    return { name, detail: buildMs ? `built in ${seconds(buildMs)}: ${path}` : `cached: ${path}` };
  } catch (err) {
    return failure(name, err);
  }
}

async function provisionTestServer(root: string, force: boolean): Promise<Outcome> {
  const name = 'time-skipping test server (Java)';
  if (process.env.TEMPORAL_TEST_SERVER_PATH) {
    return { name, detail: `TEMPORAL_TEST_SERVER_PATH=${process.env.TEMPORAL_TEST_SERVER_PATH}` };
  }
  const hasJava = findOnPath('java') && findOnPath('mvn');
  if (!hasJava && !cachedTestServerReady(root))
    return noToolchain(name, 'java and mvn', 'TEMPORAL_TEST_SERVER_PATH');
  try {
    const built = await ensureTestServer(root, log, { force });
    if (!built.buildMs) return { name, detail: `cached: ${built.path}` };
    const start = built.jvmStartMs ? `, JVM accepting after ${built.jvmStartMs} ms` : '';
    return { name, detail: `fetched in ${seconds(built.buildMs)}${start}: ${built.path}` };
  } catch (err) {
    return failure(name, err);
  }
}

async function provisionServer(root: string, force: boolean): Promise<Outcome> {
  const name = 'cluster server (temporal-server, temporal-sql-tool)';
  if (!findOnPath('go') && !cachedServerReady(root)) {
    const failed = new ProvisionError(`${name}: Go is not installed.`, 'install Go 1.23 or newer.');
    return { name, detail: 'FAILED (details below)', failed };
  }
  try {
    const { buildMs } = await ensureServer(root, log, { force });
    const where = serverDir(root);
    return { name, detail: buildMs ? `built in ${seconds(buildMs)}: ${where}` : `cached: ${where}` };
  } catch (err) {
    return failure(name, err);
  }
}

/**
 * Without the toolchain nothing can be built here; the SDK's download still works on a machine with
 * internet access, so this warns instead of failing `npm test` outright.
 */
function noToolchain(name: string, tools: string, variable: string): Outcome {
  return {
    name,
    detail:
      `not built: ${tools} not on PATH. Tests will try the SDK's download (needs internet). ` +
      `Install ${tools} and rerun, or set ${variable}.`,
  };
}

function failure(name: string, err: unknown): Outcome {
  const failed =
    err instanceof ProvisionError
      ? err
      : new ProvisionError(`${name}: ${String(err)}`, 'see the error above.');
  return { name, detail: 'FAILED (details below)', failed };
}

async function report(root: string): Promise<void> {
  const cli = readManifest(cliDir(root));
  const ts = readManifest(testServerDir(root));
  log(
    `dev server: ${cachedCliReady(root) ? `cached (built ${cli?.builtAt}, took ${seconds(cli?.buildMs ?? 0)})` : 'missing'}`,
  );
  const server = readManifest(serverDir(root));
  log(
    `cluster server: ${cachedServerReady(root) ? `cached (built ${server?.builtAt}, took ${seconds(server?.buildMs ?? 0)})` : 'missing'}`,
  );
  if (!cachedTestServerReady(root)) return log('test server: missing');
  log(
    `test server: cached (fetched ${ts?.builtAt}, took ${seconds(ts?.buildMs ?? 0)}, cds ${String(ts?.cds)})`,
  );
  log(
    `test server: accepting connections ${await measureStart(testServerDir(root))} ms after start (measured now)`,
  );
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

main().catch((err: unknown) => {
  console.error(err instanceof ProvisionError ? err.report() : err);
  process.exit(1);
});
