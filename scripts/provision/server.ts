import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from './lock.js';
import {
  findOnPath,
  isExecutable,
  MANIFEST,
  readManifest,
  serverDir,
  serverPaths,
  TEMPORAL_SERVER_VERSION,
  type Manifest,
  type ServerPaths,
} from './paths.js';
import { ProvisionError, runStep, type Log } from './run-step.js';

const MODULE = 'go.temporal.io/server';

/** The multi-service server, its schema tool and the schema files, as `npm run cluster` needs them. */
export function cachedServerReady(root: string): boolean {
  const paths = serverPaths(root);
  return (
    readManifest(serverDir(root))?.version === TEMPORAL_SERVER_VERSION &&
    isExecutable(paths.server) &&
    isExecutable(paths.sqlTool)
  );
}

export interface ServerBuild {
  paths: ServerPaths;
  /** Milliseconds spent building; 0 when the cache already held it. */
  buildMs: number;
}

/**
 * Builds the Temporal server (`cmd/server`) and `temporal-sql-tool` (`cmd/tools/sql`) from the Go
 * module proxy into the cache, once, and copies the PostgreSQL schema files out of the module so the
 * cluster does not depend on Go's module cache staying where it was.
 */
export async function ensureServer(
  root: string,
  log: Log,
  { force = false, env = process.env }: { force?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerBuild> {
  if (!force && cachedServerReady(root)) return { paths: serverPaths(root), buildMs: 0 };
  const go = findOnPath('go', env);
  if (!go) {
    throw new ProvisionError(
      `Cannot build the Temporal server ${TEMPORAL_SERVER_VERSION}: Go is not installed (no "go" on PATH).`,
      'install Go 1.23 or newer (https://go.dev/dl, or apt-get install golang-go), then run ' +
        '`npm run provision -- --server`.',
    );
  }
  await mkdir(root, { recursive: true });
  return withLock(join(root, '.lock-server'), log, async () => {
    if (!force && cachedServerReady(root)) return { paths: serverPaths(root), buildMs: 0 };
    return build(go, root, log, env);
  });
}

async function build(go: string, root: string, log: Log, env: NodeJS.ProcessEnv): Promise<ServerBuild> {
  const tmp = join(root, `.build-server-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const buildMs = await goInstall(go, tmp, log, env);
    checkVersion(join(tmp, 'server'));
    await install(go, tmp, root, buildMs, env);
    return { paths: serverPaths(root), buildMs };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function goInstall(go: string, gobin: string, log: Log, env: NodeJS.ProcessEnv): Promise<number> {
  let downloads = 0;
  let packages = 0;
  return runStep({
    label: `building Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool with Go (3-5 min on a cold machine)`,
    command: go,
    args: [
      'install',
      '-v',
      `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
      `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
    ],
    // Pure Go: the PostgreSQL driver (pgx) and SQLite (modernc) need no C toolchain.
    env: { ...env, CGO_ENABLED: '0', GOBIN: gobin },
    log,
    hint:
      'check that the Go module proxy is reachable (`go env GOPROXY`, default https://proxy.golang.org) and ' +
      'that Go is 1.23 or newer (`go version`).',
    onLine: (line) => (line.startsWith('go: downloading') ? downloads++ : packages++),
    progress: () => `${downloads} modules downloaded, ${packages} packages compiled`,
  });
}

function checkVersion(binary: string): void {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (!`${out.stdout}${out.stderr}`.includes(TEMPORAL_SERVER_VERSION)) {
    throw new ProvisionError(
      `The built Temporal server does not report version ${TEMPORAL_SERVER_VERSION}.`,
      'delete the cache folder and run `npm run provision -- --server` again.',
      `${out.stdout ?? ''}${out.stderr ?? ''}`,
    );
  }
}

/** Where `go install` left the module's source (schema files ship in it). */
function moduleSource(go: string, env: NodeJS.ProcessEnv): string {
  const out = spawnSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8', env });
  const modcache = out.stdout?.trim();
  if (out.status !== 0 || !modcache) {
    throw new ProvisionError('`go env GOMODCACHE` failed.', 'check the Go installation.', out.stderr ?? '');
  }
  return join(modcache, `${MODULE}@v${TEMPORAL_SERVER_VERSION}`);
}

/** The manifest is written last: its presence is what marks the cache as complete. */
async function install(
  go: string,
  tmp: string,
  root: string,
  buildMs: number,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const dir = serverDir(root);
  const paths = serverPaths(root);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await rename(join(tmp, 'server'), paths.server);
  await rename(join(tmp, 'sql'), paths.sqlTool);
  await cp(join(moduleSource(go, env), 'schema', 'postgresql'), paths.postgresSchemaRoot, {
    recursive: true,
  });
  // Go's module cache is read-only; the copy must not be, or deleting the cache folder fails.
  await makeWritable(paths.postgresSchemaRoot);
  const manifest: Manifest = {
    version: TEMPORAL_SERVER_VERSION,
    builtAt: new Date().toISOString(),
    buildMs,
  };
  await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}
