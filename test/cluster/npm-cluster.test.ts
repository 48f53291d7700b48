/**
 * `npm run cluster` as a person runs it (scripts/cluster.ts in its own process, throwaway data, the
 * sandbox included): it lists every part and ends with `ready:`; Ctrl-C (SIGINT) stops the parts in
 * reverse order, exits 0 and leaves nothing running: every port is free again, the data is gone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { temporalPorts } from '../../scripts/cluster/temporal.js';
import { freePort, freePortCheck } from '../../scripts/provision/net.js';
import { REPO_ROOT } from '../harness/shared.js';

async function freeTemporalPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const all = Object.values(temporalPorts(port));
    if ((await Promise.all(all.map((p) => freePortCheck(p)))).every(Boolean)) return port;
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run cluster', () => {
  it('starts every part, says ready, and Ctrl-C stops them all in reverse order', async () => {
    const ports = {
      TEMPORAL_PORT: await freeTemporalPort(),
      API_PORT: await freePort(),
      SANDBOX_PORT: await freePort(),
      CLUSTER_POSTGRES_PORT: await freePort(),
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/cluster.ts'), '--throwaway'],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
          CLUSTER_WORKERS: '1',
          GUSTO_BASE_URL: '',
          LOG_LEVEL: 'warn',
          SHUTDOWN_GRACE_MS: '2000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (!/^ready: /m.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output).toContain(`PostgreSQL      127.0.0.1:${ports.CLUSTER_POSTGRES_PORT}`);
      expect(output).toContain(`Temporal        127.0.0.1:${ports.TEMPORAL_PORT}`);
      expect(output).toContain(`Gusto sandbox   http://127.0.0.1:${ports.SANDBOX_PORT}`);
      expect(output).toMatch(/Worker {10}worker-1 \(pid \d+\)/);
      expect(output).toContain(`HTTP API        http://127.0.0.1:${ports.API_PORT}`);
      const health = await fetch(`http://127.0.0.1:${ports.API_PORT}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', temporal: 'reachable', worker: 'polling' });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    const pids = [...output.matchAll(/\(pid (\d+)/g)].map((m) => Number(m[1]));
    const dataDir = /data in (\S+)\/postgres\)/.exec(output)![1]!;

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const stopped = [...output.matchAll(/^stopped (.+)$/gm)].map((m) => m[1]);
    expect(stopped).toEqual([
      'HTTP API',
      'worker-1',
      'Gusto sandbox',
      'Temporal server',
      'PostgreSQL',
      'throwaway data',
    ]);
    expect(pids.filter(isAlive)).toEqual([]);
    for (const port of [...Object.values(ports), ...Object.values(temporalPorts(ports.TEMPORAL_PORT))])
      expect({ port, free: await freePortCheck(port) }).toEqual({ port, free: true });
    expect(existsSync(dataDir)).toBe(false);
  }, 300_000);
});
