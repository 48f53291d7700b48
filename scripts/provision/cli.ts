import { spawnSync } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureGoBuild, writeManifest, type GoBuildOptions } from './go-build.js';
import { cliDir, cliPath, isExecutable, readManifest, TEMPORAL_CLI_VERSION } from './paths.js';
import { ProvisionError, type Log } from './run-step.js';

const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export function cachedCliReady(root: string): boolean {
  return readManifest(cliDir(root))?.version === TEMPORAL_CLI_VERSION && isExecutable(cliPath(root));
}

export interface BuildResult {
  path: string;
  /** Milliseconds spent building; 0 when the cache already held it. */
  buildMs: number;
}

/** Builds the Temporal CLI (the dev server) from the Go module proxy into the cache, once. */
export function ensureCli(root: string, log: Log, opts: GoBuildOptions = {}): Promise<BuildResult> {
  return ensureGoBuild(
    root,
    log,
    {
      what: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
      name: 'cli',
      installArgs: [
        '-ldflags',
        `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
        `${MODULE}@v${TEMPORAL_CLI_VERSION}`,
      ],
      goMissingHint: '`npm run provision`; or set TEMPORAL_CLI_PATH to an existing temporal binary.',
      failedHint: '; or set TEMPORAL_CLI_PATH to an existing temporal binary',
      ready: cachedCliReady,
      cached: (r) => ({ path: cliPath(r), buildMs: 0 }),
      finish: async (gobin, _go, buildMs) => {
        checkVersion(join(gobin, 'temporal'));
        await install(gobin, root, buildMs);
        return { path: cliPath(root), buildMs };
      },
    },
    opts,
  );
}

function checkVersion(binary: string): void {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (!out.stdout?.includes(TEMPORAL_CLI_VERSION)) {
    throw new ProvisionError(
      `The built Temporal CLI does not report version ${TEMPORAL_CLI_VERSION}.`,
      'delete the cache folder and run `npm run provision` again.',
      `${out.stdout ?? ''}${out.stderr ?? ''}`,
    );
  }
}

async function install(gobin: string, root: string, buildMs: number): Promise<void> {
  const dir = cliDir(root);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await rename(join(gobin, 'temporal'), cliPath(root));
  await writeManifest(dir, TEMPORAL_CLI_VERSION, buildMs);
}
