/**
 * `npm run bench:sandbox`: how many simple authenticated GETs per second the Gusto sandbox serves on
 * this machine. The sandbox runs as its own process (as in a real benchmark) on loopback; this
 * process drives it with keep-alive connections for a bounded time and request count.
 *
 * Environment: BENCH_SECONDS (5), BENCH_MAX_REQUESTS (2,000,000), BENCH_CONCURRENCY (32),
 * BENCH_COMPANIES (1000: the size benchmarks seed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { freePort } from '../scripts/provision/net.js';

const env = z
  .object({
    BENCH_SECONDS: z.coerce.number().positive().max(120).default(5),
    BENCH_MAX_REQUESTS: z.coerce.number().int().positive().default(2_000_000),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(32),
    BENCH_COMPANIES: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .parse(process.env);

interface Target {
  path: string;
  token: string;
}

/** Starts `sim/main.ts` on a free loopback port; resolves with its URL once it listens. */
async function startSandbox(): Promise<{ child: ChildProcess; url: string }> {
  const main = fileURLToPath(new URL('../sim/main.ts', import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_COMPANIES: String(env.BENCH_COMPANIES),
      // The limiter stays on (its cost is part of every request) but cannot trip.
      SANDBOX_RATE_LIMIT: '1000000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early (code ${code})`)));
  });
}

async function targets(url: string): Promise<Target[]> {
  const res = await fetch(`${url}/sandbox/companies`);
  const companies = (await res.json()) as Array<{
    uuid: string;
    access_token: string;
    contractors: Array<{ uuid: string }>;
  }>;
  return companies.flatMap((c) => [
    { path: `/v1/companies/${c.uuid}`, token: c.access_token },
    ...c.contractors.slice(0, 1).map((k) => ({ path: `/v1/contractors/${k.uuid}`, token: c.access_token })),
  ]);
}

function get(agent: Agent, base: URL, target: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path: target.path,
        headers: { Authorization: `Bearer ${target.token}`, 'X-Gusto-API-Version': '2025-11-15' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Result {
  count: number;
  errors: number;
  latencies: number[];
  seconds: number;
}

async function drive(url: string, list: Target[], seconds: number, maxRequests: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: env.BENCH_CONCURRENCY });
  const base = new URL(url);
  const result: Result = { count: 0, errors: 0, latencies: [], seconds: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && next < maxRequests) {
      const target = list[next++ % list.length];
      if (!target) return;
      const t0 = performance.now();
      const status = await get(agent, base, target).catch(() => 0);
      result.latencies.push(performance.now() - t0);
      result.count++;
      if (status !== 200) result.errors++;
    }
  };
  await Promise.all(Array.from({ length: env.BENCH_CONCURRENCY }, worker));
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function main(): Promise<void> {
  const { child, url } = await startSandbox();
  try {
    const list = await targets(url);
    await drive(url, list, 1, 20_000); // warm-up: JIT, connections
    const r = await drive(url, list, env.BENCH_SECONDS, env.BENCH_MAX_REQUESTS);
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const rate = Math.round(r.count / r.seconds);
    console.log(
      `sandbox: ${rate} authenticated GETs/s over ${r.seconds.toFixed(1)} s ` +
        `(${r.count} requests, ${r.errors} errors, ${env.BENCH_CONCURRENCY} keep-alive connections, ` +
        `p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, ` +
        `${env.BENCH_COMPANIES} companies seeded)`,
    );
    if (r.errors > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
