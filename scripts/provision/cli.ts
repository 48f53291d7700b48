import { spawnSync } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from './lock.js';
import {
  cliDir,
  cliPath,
  findOnPath,
  isExecutable,
  MANIFEST,
  readManifest,
  TEMPORAL_CLI_VERSION,
  type Manifest,
} from './paths.js';
import { ProvisionError, runStep, type Log } from './run-step.js';

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
export async function ensureCli(
  root: string,
  log: Log,
  { force = false, env = process.env }: { force?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<BuildResult> {
  if (!force && cachedCliReady(root)) return { path: cliPath(root), buildMs: 0 };
  const go = findOnPath('go', env);
  if (!go) {
    throw new ProvisionError(
      `Cannot build the Temporal CLI ${TEMPORAL_CLI_VERSION}: Go is not installed (no "go" on PATH).`,
      'install Go 1.23 or newer (https://go.dev/dl, or apt-get install golang-go), then run `npm run provision`; ' +
        'or set TEMPORAL_CLI_PATH to an existing temporal binary.',
    );
  }
  await mkdir(root, { recursive: true });
  return withLock(join(root, '.lock-cli'), log, async () => {
    if (!force && cachedCliReady(root)) return { path: cliPath(root), buildMs: 0 };
    return build(go, root, log, env);
  });
}

async function build(go: string, root: string, log: Log, env: NodeJS.ProcessEnv): Promise<BuildResult> {
  const tmp = join(root, `.build-cli-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const buildMs = await goInstall(go, tmp, log, env);
    checkVersion(join(tmp, 'temporal'));
    await install(tmp, root, buildMs);
    return { path: cliPath(root), buildMs };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function goInstall(go: string, gobin: string, log: Log, env: NodeJS.ProcessEnv): Promise<number> {
  let downloads = 0;
  let packages = 0;
  return runStep({
    label: `building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (3-5 min on a cold machine)`,
    command: go,
    args: [
      'install',
      '-v',
      '-ldflags',
      `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
      `${MODULE}@v${TEMPORAL_CLI_VERSION}`,
    ],
    // Pure Go build: the CLI's SQLite is modernc (no cgo), so no C toolchain is needed.
    env: { ...env, CGO_ENABLED: '0', GOBIN: gobin },
    log,
    hint:
      'check that the Go module proxy is reachable (`go env GOPROXY`, default https://proxy.golang.org) and ' +
      'that Go is 1.23 or newer (`go version`); or set TEMPORAL_CLI_PATH to an existing temporal binary.',
    onLine: (line) => (line.startsWith('go: downloading') ? downloads++ : packages++),
    progress: () => `${downloads} modules downloaded, ${packages} packages compiled`,
  });
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

/** The manifest is written last: its presence is what marks the cache as complete. */
async function install(tmp: string, root: string, buildMs: number): Promise<void> {
  const dir = cliDir(root);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await rename(join(tmp, 'temporal'), cliPath(root));
  const manifest: Manifest = { version: TEMPORAL_CLI_VERSION, builtAt: new Date().toISOString(), buildMs };
  await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}
