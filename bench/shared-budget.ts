/**
 * `npm run bench:budget`: three worker processes share one company's Gusto budget through PostgreSQL
 * (gusto/stores/postgres-rate-limit.ts) and call the sandbox as fast as their budget lets them.
 *
 * Phase 1, sandbox at Gusto's 200 per rolling minute: the sandbox's exact sliding-window limiter
 * answers 429 the moment the three together exceed it, so "0 × 429" means at most 200 in every
 * rolling minute. Phase 2, sandbox lowered to 100: 429s must come, and a worker that gets one
 * stores the Retry-After block for all; the count of 429s (against requests refused unsent while
 * blocked) shows whether the others honoured it.
 *
 * This measures the shared budget under load with real processes; the payroll and contractor
 * workflows themselves run in bench/shared-budget-workflows.ts (`npm run bench:budget-workflows`). Environment: BENCH_SECONDS per phase (75), BENCH_CONCURRENCY per
 * worker (8).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createGustoClient } from '../gusto/client.js';
import { isGustoApiError } from '../gusto/errors.js';
import { createPool } from '../gusto/stores/postgres.js';
import { sharedRateLimiter } from '../gusto/stores/postgres-rate-limit.js';
import { staticTokenProvider } from '../gusto/tokens.js';
import { startPostgres } from '../scripts/postgres.js';
import { freePort } from '../scripts/provision/net.js';
import { createSandbox } from '../sim/server.js';

const env = z
  .object({
    BENCH_SECONDS: z.coerce.number().positive().max(600).default(75),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  })
  .parse(process.env);

interface WorkerResult {
  sent: number;
  ok: number;
  gusto429: number;
  notSent: number;
}

/** Child mode: one "worker" hammering the company until the deadline. */
async function child(): Promise<void> {
  const { BENCH_URL, BENCH_DB, BENCH_COMPANY, BENCH_TOKEN, BENCH_UNTIL } = process.env;
  const pool = createPool(BENCH_DB!);
  const client = createGustoClient({
    baseUrl: BENCH_URL!,
    tokens: staticTokenProvider({ companies: { [BENCH_COMPANY!]: BENCH_TOKEN! } }),
    rateLimiter: sharedRateLimiter({ pool, maxWaitMs: 5_000 }),
  });
  const result: WorkerResult = { sent: 0, ok: 0, gusto429: 0, notSent: 0 };
  const until = Number(BENCH_UNTIL);
  const loop = async () => {
    while (Date.now() < until) {
      try {
        await client.companies.get(BENCH_COMPANY!);
        result.sent++;
        result.ok++;
      } catch (err) {
        if (isGustoApiError(err) && err.code === 'NOT_SENT_RATE_LIMITED') {
          // As Temporal would: the next attempt comes when the budget says a slot frees.
          result.notSent++;
          await new Promise((resolve) => setTimeout(resolve, err.retryAfterMs ?? 1_000));
        } else if (isGustoApiError(err) && err.status === 429) {
          result.sent++;
          result.gusto429++;
        } else throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: env.BENCH_CONCURRENCY }, loop));
  await pool.end();
  console.log(`RESULT ${JSON.stringify(result)}`);
}

function runChild(vars: Record<string, string>): Promise<WorkerResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', self, '--child'], {
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => {
      const m = /RESULT (.*)/.exec(out);
      if (code === 0 && m?.[1]) resolve(JSON.parse(m[1]) as WorkerResult);
      else reject(new Error(`worker exited ${code}: ${out}`));
    });
  });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-budget-'));
  chmodSync(root, 0o755); // as root, the server runs as `postgres` and must reach its data directory
  const pg = await startPostgres({
    dataDir: join(root, 'pg'),
    port: await freePort(),
    password: 'bench',
    throwaway: true,
  });
  const sandbox = await createSandbox({ port: 0, quiet: true });
  try {
    const company = sandbox.companies[0]!;
    const vars = {
      BENCH_URL: sandbox.url,
      BENCH_DB: pg.url(),
      BENCH_COMPANY: company.uuid,
      BENCH_TOKEN: company.access_token,
    };
    for (const limit of [200, 100]) {
      await fetch(`${sandbox.url}/sandbox/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate_limit_per_minute: limit }),
      });
      // Children take a few seconds to start; the phase starts when all can run.
      const until = String(Date.now() + 5_000 + env.BENCH_SECONDS * 1000);
      const started = Date.now();
      const results = await Promise.all([1, 2, 3].map(() => runChild({ ...vars, BENCH_UNTIL: until })));
      const total = results.reduce(
        (a, r) => ({
          sent: a.sent + r.sent,
          ok: a.ok + r.ok,
          gusto429: a.gusto429 + r.gusto429,
          notSent: a.notSent + r.notSent,
        }),
        { sent: 0, ok: 0, gusto429: 0, notSent: 0 },
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `sandbox limit ${limit}/min, 3 workers × ${env.BENCH_CONCURRENCY}, ${seconds.toFixed(0)} s: ` +
          `sent ${total.sent} (${((total.sent / seconds) * 60).toFixed(0)}/min), ok ${total.ok}, ` +
          `429 from the sandbox ${total.gusto429}, refused unsent ${total.notSent}; per worker sent ${results.map((r) => r.sent).join('/')}`,
      );
      // The next phase starts with a fresh sandbox window and no stored block.
      await new Promise((resolve) => setTimeout(resolve, 61_000));
      const pool = createPool(pg.url());
      await pool.query('DELETE FROM payroll_gusto.rate_budget');
      await pool.end();
    }
  } finally {
    await sandbox.close();
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await (process.argv.includes('--child') ? child() : main());
