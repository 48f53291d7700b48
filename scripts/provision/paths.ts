import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Pinned versions: CLI 1.5.1 is the last tag `go install` builds directly (later tags carry a replace). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEST_SERVER_VERSION = '1.38.0';
/** The multi-service server `npm run cluster` runs: the version docker-compose.yml pins. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

/**
 * Builds live outside the clone: CI runs in a fresh clone every time, so an in-repo cache would be
 * empty there and every run would rebuild for minutes.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'payroll-orchestrator');
}

export const cliDir = (root: string): string => join(root, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
export const cliPath = (root: string): string => join(cliDir(root), 'temporal');
export const testServerDir = (root: string): string =>
  join(root, `temporal-test-server-${TEST_SERVER_VERSION}`);
export const testServerPath = (root: string): string => join(testServerDir(root), 'temporal-test-server');
export const serverDir = (root: string): string => join(root, `temporal-server-${TEMPORAL_SERVER_VERSION}`);

export interface ServerPaths {
  server: string;
  sqlTool: string;
  /** Holds v12/temporal/versioned and v12/visibility/versioned, as in the server's module. */
  postgresSchemaRoot: string;
}

export function serverPaths(root: string): ServerPaths {
  const dir = serverDir(root);
  return {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    postgresSchemaRoot: join(dir, 'schema', 'postgresql'),
  };
}

/** Written last by a successful build, so a half-finished build never counts as cached. */
export const MANIFEST = 'manifest.json';

export interface Manifest {
  version: string;
  builtAt: string;
  buildMs: number;
  [extra: string]: unknown;
}

export function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH lookup without spawning anything: the resolver runs in every jest worker and must be cheap. */
export function findOnPath(tool: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
  }
  return undefined;
}
