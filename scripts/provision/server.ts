import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureGoBuild, writeManifest, type GoBuildOptions } from './go-build.js';
import {
  isExecutable,
  readManifest,
  serverDir,
  serverPaths,
  TEMPORAL_SERVER_VERSION,
  type ServerPaths,
} from './paths.js';
import { ProvisionError, type Log } from './run-step.js';

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
export function ensureServer(root: string, log: Log, opts: GoBuildOptions = {}): Promise<ServerBuild> {
  const env = opts.env ?? process.env;
  return ensureGoBuild(
    root,
    log,
    {
      what: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
      building: `Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool`,
      name: 'server',
      installArgs: [
        `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
        `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
      ],
      goMissingHint: '`npm run provision -- --server`.',
      failedHint: '',
      ready: cachedServerReady,
      cached: (r) => ({ paths: serverPaths(r), buildMs: 0 }),
      finish: async (gobin, go, buildMs) => {
        checkVersion(join(gobin, 'server'));
        await install(go, gobin, root, buildMs, env);
        return { paths: serverPaths(root), buildMs };
      },
    },
    opts,
  );
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
  await writeManifest(dir, TEMPORAL_SERVER_VERSION, buildMs);
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}
