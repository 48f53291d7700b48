import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../scripts/provision/net.js';
import { REPO_ROOT } from '../harness/shared.js';
import { workflowBundlePath } from '../harness/index.js';

/**
 * `npm start` end to end: the same entry (`tsx client/main.ts`) with a temp DATA_DIR and free ports.
 * Slow-ish by nature (two start-ups of the whole stack), so each wait is bounded.
 */
describe('npm start (client/main.ts)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { api: number; sandbox: number; temporal: number; ui: number };
  const leftovers = new Set<number>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    const [api, sandbox, temporal, ui] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    ports = { api, sandbox, temporal, ui };
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      API_PORT: String(api),
      SANDBOX_PORT: String(sandbox),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      TEMPORAL_ADDRESS: '',
      GUSTO_BASE_URL: '',
      METRICS_PORT: '',
      LOG_LEVEL: 'warn',
      // The run's prebuilt bundle: the point here is the stack, not webpack.
      WORKFLOW_BUNDLE_PATH: await workflowBundlePath(),
    };
  });
  afterAll(async () => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('comes up, answers /healthz and the Web UI, and stops cleanly on SIGTERM', async () => {
    const app = await start();
    // Not a terminal and no LOG_FORMAT: every line is JSON, its own lines and the worker's and API's alike.
    const lines = app.output().trim().split('\n');
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l) as { time: string; level: string; msg: string };
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
    for (const p of parsed) expect(p).toMatchObject({ time: expect.any(String), level: expect.any(String) });
    expect(parsed.map((p) => p.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Temporal Web UI +http:\/\/127\.0\.0\.1:\d+/)]),
    );
    const health = await fetch(`http://127.0.0.1:${ports.api}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', worker: 'polling' });
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.sandbox}/sandbox/companies`)).status).toBe(200);
    await startProbeWorkflow();
    // A sandbox change the restart below must find again: its clock, moved days ahead.
    const moved = await fetch(`http://127.0.0.1:${ports.sandbox}/sandbox/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advance_ms: SANDBOX_AHEAD_MS }),
    });
    expect(moved.status).toBe(200);

    const tree = descendants(app.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(2); // the node process and at least the dev server
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    await waitUntil(
      () => tree.every((pid) => !alive(pid)),
      10_000,
      () => `still running: ${tree.filter(alive)}`,
    );
  });

  it('keeps workflows and sandbox state across a restart, and leaves nothing behind when killed outright', async () => {
    const app = await start({ LOG_FORMAT: 'pretty' });
    // LOG_FORMAT=pretty: human lines only, the API's warning included (no JSON line among them).
    expect(app.output()).toMatch(/^Temporal Web UI +http:/m);
    expect(app.output()).toMatch(/^\S+Z WARN {2}API_KEYS is empty/m);
    expect(app.output()).not.toMatch(/^\{/m);
    const clock = (await (await fetch(`http://127.0.0.1:${ports.sandbox}/sandbox/clock`)).json()) as {
      now: string;
    };
    expect(Date.parse(clock.now) - Date.now()).toBeGreaterThan(SANDBOX_AHEAD_MS - 60_000);
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      const description = await new Client({ connection }).workflow.getHandle(PROBE_ID).describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }
    // SIGKILL of the service process itself: no cleanup code runs; the dev server's watchdog must act.
    const tree = descendants(app.child.pid!);
    const main = tree.find((pid) => cmdline(pid).includes('client/main.ts'));
    expect(main).toBeDefined();
    process.kill(main!, 'SIGKILL');
    await app.exited;
    await waitUntil(
      () => tree.every((pid) => !alive(pid)),
      15_000,
      () => `still running: ${tree.filter(alive)}`,
    );
  });

  const PROBE_ID = 'npm-start-probe';
  const SANDBOX_AHEAD_MS = 5 * 86_400_000;

  /** A workflow on a task queue nobody polls: it stays open, which is all a restart check needs. */
  async function startProbeWorkflow(): Promise<void> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      await new Client({ connection }).workflow.start('probeWorkflow', {
        workflowId: PROBE_ID,
        taskQueue: 'npm-start-probe-queue',
      });
    } finally {
      await connection.close();
    }
  }

  async function start(extraEnv: NodeJS.ProcessEnv = {}): Promise<{
    child: ChildProcess;
    exited: Promise<number | null>;
    output: () => string;
  }> {
    const tsx = join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
    const child = spawn(process.execPath, [tsx, 'client/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...env, ...extraEnv },
      stdio: 'pipe',
    });
    leftovers.add(child.pid!);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitUntil(
      () => /^ready:|^\{.*"msg":"ready:/m.test(output),
      60_000,
      () => `no "ready" line:\n${output}`,
      exited,
    );
    for (const pid of descendants(child.pid!)) leftovers.add(pid);
    return { child, exited, output: () => output };
  }
});

async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  describeFailure: () => string,
  exited?: Promise<unknown>,
): Promise<void> {
  let gone = false;
  void exited?.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (gone || Date.now() > deadline) throw new Error(describeFailure());
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) counts as gone.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** All processes below `root` (Linux /proc), however they were spawned (detached ones included). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}
