import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { cliPath, testServerDir, testServerPath } from '../../scripts/provision/paths.js';
import {
  resolveDevServerExecutable,
  resolveTestServerExecutable,
  TEMPORAL_CLI_VERSION,
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

  async function fakeCachedCli(version = TEMPORAL_CLI_VERSION): Promise<void> {
    await script(cliPath(root), 'exit 0');
    await writeFile(
      join(cliPath(root), '..', 'manifest.json'),
      JSON.stringify({ version, builtAt: '', buildMs: 0 }),
    );
  }
});
