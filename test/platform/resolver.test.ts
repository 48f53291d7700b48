import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  cliPath,
  serverDir,
  serverPaths,
  testServerDir,
  testServerPath,
} from '../../scripts/provision/paths.js';
import {
  resolveClusterServer,
  resolveDevServerExecutable,
  resolveTestServerExecutable,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_SERVER_VERSION,
  TEST_SERVER_VERSION,
} from '../../scripts/temporal-servers.js';

/** Resolver precedence: env variable > cached build > build with the toolchain > SDK download. */
describe('Temporal server resolver', () => {
  let dir: string;
  let root: string;
  let bin: string;
  const quiet = () => {};
  // PATH with only our fake tools (plus chmod for them): no real go/java/mvn is found.
  const env = (extra: Record<string, string> = {}) => ({ PATH: bin, ...extra });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolver-'));
    root = join(dir, 'cache');
    bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(execFileSync('sh', ['-c', 'command -v chmod']).toString().trim(), join(bin, 'chmod'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const script = async (path: string, body: string) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
  };

  it('uses TEMPORAL_CLI_PATH first, even over a cached build', async () => {
    const own = join(dir, 'my-temporal');
    await script(own, 'exit 0');
    await fakeCachedCli();
    const resolved = await resolveDevServerExecutable({
      env: env({ TEMPORAL_CLI_PATH: own }),
      cacheRoot: root,
    });
    expect(resolved).toEqual({ type: 'existing-path', path: own, source: 'env' });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not an executable file, naming the variable', async () => {
    const missing = join(dir, 'nope');
    await expect(
      resolveDevServerExecutable({ env: env({ TEMPORAL_CLI_PATH: missing }), cacheRoot: root }),
    ).rejects.toThrow(`TEMPORAL_CLI_PATH=${missing}: no executable file there.`);
  });

  it('uses the cached build when there is one', async () => {
    await fakeCachedCli();
    const resolved = await resolveDevServerExecutable({ env: env(), cacheRoot: root });
    expect(resolved).toEqual({ type: 'existing-path', path: cliPath(root), source: 'cache' });
  });

  it('ignores a cached build of another version', async () => {
    await fakeCachedCli('0.0.1');
    const resolved = await resolveDevServerExecutable({ env: env(), cacheRoot: root, build: false });
    expect(resolved.source).toBe('download');
  });

  it('builds with Go when the cache is empty, then finds the cache', async () => {
    // A stand-in `go`: "installs" a temporal binary that reports the pinned version.
    await script(
      join(bin, 'go'),
      `printf '#!/bin/sh\\necho "temporal version ${TEMPORAL_CLI_VERSION}"\\n' > "$GOBIN/temporal"
chmod +x "$GOBIN/temporal"; echo "github.com/temporalio/cli/cmd/temporal"`,
    );
    const lines: string[] = [];
    const built = await resolveDevServerExecutable({
      env: env(),
      cacheRoot: root,
      log: (l) => lines.push(l),
    });
    expect(built).toEqual({ type: 'existing-path', path: cliPath(root), source: 'build' });
    expect(lines.join('\n')).toMatch(/building Temporal CLI .*: done/);
    const again = await resolveDevServerExecutable({ env: env(), cacheRoot: root });
    expect(again.source).toBe('cache');
  });

  it('reports a failed Go build with what failed, how to fix it and the tool output', async () => {
    await script(join(bin, 'go'), 'echo "go: proxy.golang.org: connection refused" >&2; exit 1');
    const failure = resolveDevServerExecutable({ env: env(), cacheRoot: root, log: quiet });
    await expect(failure).rejects.toMatchObject({
      name: 'ProvisionError',
      hint: expect.stringContaining('GOPROXY'),
      output: expect.stringContaining('connection refused'),
    });
  });

  it("falls back to the SDK's download without a toolchain", async () => {
    expect(await resolveDevServerExecutable({ env: env(), cacheRoot: root })).toEqual({
      type: 'cached-download',
      source: 'download',
    });
    expect(await resolveTestServerExecutable({ env: env(), cacheRoot: root })).toEqual({
      type: 'cached-download',
      source: 'download',
    });
  });

  it('orders the test server the same way: variable, then cache', async () => {
    await script(testServerPath(root), 'exit 0');
    await writeFile(
      join(testServerDir(root), 'manifest.json'),
      JSON.stringify({ version: TEST_SERVER_VERSION, builtAt: '', buildMs: 0 }),
    );
    expect((await resolveTestServerExecutable({ env: env(), cacheRoot: root })).source).toBe('cache');
    const own = join(dir, 'ts');
    await script(own, 'exit 0');
    const fromEnv = await resolveTestServerExecutable({
      env: env({ TEMPORAL_TEST_SERVER_PATH: own }),
      cacheRoot: root,
    });
    expect(fromEnv).toEqual({ type: 'existing-path', path: own, source: 'env' });
  });

  it('builds the cluster server and its schema tool with Go once, schema files included, then finds the cache', async () => {
    // A stand-in `go`: "installs" server and sql, and names a module cache holding the schema files.
    const modcache = join(dir, 'modcache');
    const schema = join(
      modcache,
      `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`,
      'schema/postgresql/v12',
    );
    await mkdir(join(schema, 'temporal/versioned/v1.0'), { recursive: true });
    await writeFile(join(schema, 'temporal/versioned/v1.0/schema.sql'), 'CREATE TABLE t (id int);');
    await script(
      join(bin, 'go'),
      `if [ "$1" = env ]; then echo "${modcache}"; exit 0; fi
printf '#!/bin/sh\necho "temporal version ${TEMPORAL_SERVER_VERSION}"\n' > "$GOBIN/server"
printf '#!/bin/sh\nexit 0\n' > "$GOBIN/sql"
chmod +x "$GOBIN/server" "$GOBIN/sql"; echo "go.temporal.io/server/cmd/server"`,
    );
    const lines: string[] = [];
    const paths = await resolveClusterServer({ env: env(), cacheRoot: root, log: (l) => lines.push(l) });
    expect(paths).toEqual(serverPaths(root));
    expect(lines.join('\n')).toMatch(/building Temporal server .*: done/);
    expect(existsSync(join(paths.postgresSchemaRoot, 'v12/temporal/versioned/v1.0/schema.sql'))).toBe(true);
    expect(JSON.parse(readFileSync(join(serverDir(root), 'manifest.json'), 'utf8')).version).toBe(
      TEMPORAL_SERVER_VERSION,
    );
    // Cached now: no Go needed any more.
    await rm(join(bin, 'go'));
    expect(await resolveClusterServer({ env: env(), cacheRoot: root, log: quiet })).toEqual(paths);
  });

  it('says how to get the cluster server when it is not cached and Go is missing', async () => {
    await expect(resolveClusterServer({ env: env(), cacheRoot: root, log: quiet })).rejects.toMatchObject({
      name: 'ProvisionError',
      message: expect.stringContaining('Go is not installed'),
    });
  });

  async function fakeCachedCli(version = TEMPORAL_CLI_VERSION): Promise<void> {
    await script(cliPath(root), 'exit 0');
    await writeFile(
      join(cliPath(root), '..', 'manifest.json'),
      JSON.stringify({ version, builtAt: '', buildMs: 0 }),
    );
  }
});
