/**
 * What building a Temporal binary from the Go module proxy into the cache takes, whatever the binary
 * (the CLI for the dev server, the multi-service server): find Go, take the cache's lock, `go install`
 * into a scratch GOBIN with progress lines, let the caller check and install what it built (manifest
 * last), and clear the scratch folder whatever happens.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from './lock.js';
import { findOnPath, MANIFEST, type Manifest } from './paths.js';
import { ProvisionError, runStep, type Log } from './run-step.js';

export interface GoBuildSpec<R> {
  /** For messages: "Temporal CLI 1.5.1". */
  what: string;
  /** The progress line's subject, when it says more than `what`. */
  building?: string;
  /** Names the lock and scratch folders in the cache root: `.lock-<name>`, `.build-<name>-<pid>`. */
  name: string;
  /** The `go install` arguments after `install -v` (packages at their versions, flags). */
  installArgs: string[];
  /** What the user can do when Go is missing or the build fails, after the common advice. */
  goMissingHint: string;
  failedHint: string;
  ready(root: string): boolean;
  cached(root: string): R;
  /** Checks and moves the binaries out of `gobin` into the cache (writeManifest last); the result. */
  finish(gobin: string, go: string, buildMs: number): Promise<R>;
}

export interface GoBuildOptions {
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

const GO_HINT = 'install Go 1.23 or newer (https://go.dev/dl, or apt-get install golang-go), then run ';
const PROXY_HINT =
  'check that the Go module proxy is reachable (`go env GOPROXY`, default https://proxy.golang.org) and ' +
  'that Go is 1.23 or newer (`go version`)';

export async function ensureGoBuild<R>(
  root: string,
  log: Log,
  spec: GoBuildSpec<R>,
  { force = false, env = process.env }: GoBuildOptions = {},
): Promise<R> {
  if (!force && spec.ready(root)) return spec.cached(root);
  const go = findOnPath('go', env);
  if (!go) {
    throw new ProvisionError(
      `Cannot build the ${spec.what}: Go is not installed (no "go" on PATH).`,
      GO_HINT + spec.goMissingHint,
    );
  }
  await mkdir(root, { recursive: true });
  return withLock(join(root, `.lock-${spec.name}`), log, async () => {
    if (!force && spec.ready(root)) return spec.cached(root);
    const gobin = join(root, `.build-${spec.name}-${process.pid}`);
    await rm(gobin, { recursive: true, force: true });
    await mkdir(gobin, { recursive: true });
    try {
      const buildMs = await goInstall(go, gobin, log, env, spec);
      return await spec.finish(gobin, go, buildMs);
    } finally {
      await rm(gobin, { recursive: true, force: true });
    }
  });
}

function goInstall<R>(
  go: string,
  gobin: string,
  log: Log,
  env: NodeJS.ProcessEnv,
  spec: GoBuildSpec<R>,
): Promise<number> {
  let downloads = 0;
  let packages = 0;
  return runStep({
    label: `building ${spec.building ?? spec.what} with Go (3-5 min on a cold machine)`,
    command: go,
    args: ['install', '-v', ...spec.installArgs],
    // Pure Go: SQLite (modernc) and the PostgreSQL driver (pgx) need no C toolchain.
    env: { ...env, CGO_ENABLED: '0', GOBIN: gobin },
    log,
    hint: `${PROXY_HINT}${spec.failedHint}.`,
    onLine: (line) => (line.startsWith('go: downloading') ? downloads++ : packages++),
    progress: () => `${downloads} modules downloaded, ${packages} packages compiled`,
  });
}

/** The manifest marks a cache folder complete, so it is written last. */
export async function writeManifest(dir: string, version: string, buildMs: number): Promise<void> {
  const manifest: Manifest = { version, builtAt: new Date().toISOString(), buildMs };
  await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}
