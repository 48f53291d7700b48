/**
 * The one resolver for Temporal server executables. Tests, `npm start` and `npm run provision` all ask
 * here, in this order:
 *   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set (must be an executable file);
 *   2. the cached build in ${XDG_CACHE_HOME:-~/.cache}/payroll-orchestrator/;
 *   3. a build, when Go (CLI) or Java + Maven (test server) are installed;
 *   4. the SDK's own download (`cached-download`), which needs internet access.
 * The multi-service server of `npm run cluster` (resolveClusterServer) has steps 2 and 3 only: the SDK
 * downloads no such thing.
 */
import { existsSync } from 'node:fs';
import { ensureCli, cachedCliReady } from './provision/cli.js';
import {
  cacheRoot,
  cliPath,
  findOnPath,
  isExecutable,
  testServerPath,
  type ServerPaths,
} from './provision/paths.js';
import { ProvisionError, type Log } from './provision/run-step.js';
import { ensureServer } from './provision/server.js';
import { cachedTestServerReady, ensureTestServer } from './provision/test-server.js';

export {
  cacheRoot,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_SERVER_VERSION,
  TEST_SERVER_VERSION,
  type ServerPaths,
} from './provision/paths.js';
export { ProvisionError } from './provision/run-step.js';

export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };
/** Where the executable came from; the SDK ignores the extra field. */
export type ExecutableSource = 'env' | 'cache' | 'build' | 'download';
export type ResolvedExecutable = ServerExecutable & { source: ExecutableSource };

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to cacheRoot(env). */
  cacheRoot?: string;
  /** Build when the cache is empty and the toolchain is there (default true). */
  build?: boolean;
  log?: Log;
}

const defaultLog: Log = (line) => console.error(`[provision] ${line}`);

export async function resolveDevServerExecutable(opts: ResolveOptions = {}): Promise<ResolvedExecutable> {
  const env = opts.env ?? process.env;
  const root = opts.cacheRoot ?? cacheRoot(env);
  const fromEnv = explicitPath('TEMPORAL_CLI_PATH', env);
  if (fromEnv) return fromEnv;
  if (cachedCliReady(root)) return { type: 'existing-path', path: cliPath(root), source: 'cache' };
  if ((opts.build ?? true) && findOnPath('go', env)) {
    const { path } = await ensureCli(root, opts.log ?? defaultLog, { env });
    return { type: 'existing-path', path, source: 'build' };
  }
  return { type: 'cached-download', source: 'download' };
}

export async function resolveTestServerExecutable(opts: ResolveOptions = {}): Promise<ResolvedExecutable> {
  const env = opts.env ?? process.env;
  const root = opts.cacheRoot ?? cacheRoot(env);
  const fromEnv = explicitPath('TEMPORAL_TEST_SERVER_PATH', env);
  if (fromEnv) return fromEnv;
  // The jar check belongs to provisioning; here existence is enough, so every jest worker stays cheap.
  if (cachedTestServerReady(root))
    return { type: 'existing-path', path: testServerPath(root), source: 'cache' };
  if ((opts.build ?? true) && findOnPath('java', env) && findOnPath('mvn', env)) {
    const { path } = await ensureTestServer(root, opts.log ?? defaultLog, { env });
    return { type: 'existing-path', path, source: 'build' };
  }
  return { type: 'cached-download', source: 'download' };
}

/**
 * temporal-server, temporal-sql-tool and the PostgreSQL schema files: the cached build, else a build
 * (Go needed; ProvisionError with the fix when it is missing).
 */
export async function resolveClusterServer(opts: ResolveOptions = {}): Promise<ServerPaths> {
  const env = opts.env ?? process.env;
  const root = opts.cacheRoot ?? cacheRoot(env);
  const { paths } = await ensureServer(root, opts.log ?? defaultLog, { env });
  return paths;
}

/** A variable naming a missing file is a mistake to report, not a reason to silently build or download. */
function explicitPath(variable: string, env: NodeJS.ProcessEnv): ResolvedExecutable | undefined {
  const path = env[variable]?.trim();
  if (!path) return undefined;
  if (!existsSync(path) || !isExecutable(path)) {
    throw new ProvisionError(
      `${variable}=${path}: no executable file there.`,
      `point ${variable} at an executable, or unset it to use the cached build (\`npm run provision\`).`,
    );
  }
  return { type: 'existing-path', path, source: 'env' };
}
