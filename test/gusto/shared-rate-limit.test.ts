/**
 * The per-company budget shared through PostgreSQL (rate-limiter-flexible's store), with several
 * limiter instances on separate pools standing in for separate workers: together they stay within
 * the limit in every rolling window (each alone would allow the whole limit), refuse unsent after
 * maxWaitMs, and a Retry-After one of them saw holds back the others, also end to end with a 429
 * from the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGustoClient } from '../../gusto/client.js';
import { isGustoApiError } from '../../gusto/errors.js';
import type { RateLimiter } from '../../gusto/rate-limit.js';
import { createPool } from '../../gusto/stores/postgres.js';
import { sharedRateLimiter, type SharedRateLimiterOptions } from '../../gusto/stores/postgres-rate-limit.js';
import { staticTokenProvider } from '../../gusto/tokens.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import type { Sandbox } from '../../sim/server.js';
import { sandboxAdmin, startSandbox } from '../harness/index.js';
import { testPostgres } from '../harness/postgres.js';

let pg: RunningPostgres;
const pools: ReturnType<typeof createPool>[] = [];
beforeAll(async () => {
  pg = await testPostgres();
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pg?.stop();
});

/** A limiter as another worker would have it: its own pool, the same database. */
function worker(options: Omit<SharedRateLimiterOptions, 'pool'> = {}): RateLimiter {
  const pool = createPool(pg.url());
  pools.push(pool);
  return sharedRateLimiter({ pool, ...options });
}

/** Most grants inside any window of `windowMs` (half-open), from sorted instants. */
function busiestWindow(stamps: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while (stamps[i]! - stamps[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('shared rate budget (PostgreSQL)', () => {
  it('three workers together stay within the limit in every rolling window', async () => {
    // Scaled down for test time: 20 per rolling 3 s, 0.5 s slices (2 grants each).
    const options = { limit: 20, windowMs: 3_000, sliceMs: 500, maxWaitMs: 30_000 };
    const workers = [worker(options), worker(options), worker(options)];
    const stamps: number[] = [];
    const started = Date.now();
    await Promise.all(
      workers.flatMap((limiter) =>
        Array.from({ length: 12 }, async () => {
          await limiter.acquire('company-a', 'GET /test');
          stamps.push(Date.now());
        }),
      ),
    );
    stamps.sort((a, b) => a - b);
    expect(stamps).toHaveLength(36);
    // Each worker alone would have granted its 12 at once; shared, no window holds more than 20.
    expect(busiestWindow(stamps, 3_000)).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeGreaterThan(3_000);
  }, 60_000);

  it('the default budget is 15 per 5 s slice: at most 195 in any rolling minute', async () => {
    const limiter = worker({ maxWaitMs: 0 });
    let granted = 0;
    for (let i = 0; i < 20; i++) {
      const err = await limiter.acquire('company-b').catch((e: unknown) => e);
      if (err === undefined) granted++;
      else expect(err).toMatchObject({ status: 429, code: 'NOT_SENT_RATE_LIMITED', retryable: true });
    }
    // 13 slices overlap a rolling minute: 13 × 15 = 195 ≤ 200.
    expect(granted).toBe(15);
  });

  it('a Retry-After seen by one worker blocks the company for the others', async () => {
    const [a, b, c] = [worker(), worker(), worker({ maxWaitMs: 300 })];
    await a.blockFor('company-c', 1_500);
    const started = Date.now();
    const refused = await c.acquire('company-c', 'GET /x').catch((e: unknown) => e);
    expect(isGustoApiError(refused)).toBe(true);
    expect(refused).toMatchObject({ status: 429, code: 'NOT_SENT_RATE_LIMITED' });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(900);
    await b.acquire('company-c');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    // Other companies are not held back.
    const other = Date.now();
    await b.acquire('company-d');
    expect(Date.now() - other).toBeLessThan(1_000);
  });

  it('two workers storing different Retry-Afters at once: the longer block stays', async () => {
    const [a, b, c] = [worker(), worker(), worker({ maxWaitMs: 0 })];
    for (let round = 0; round < 5; round++) {
      const key = `company-race-${round}`;
      // The shorter one lands last in half the rounds, in whatever order the store sees them.
      const order =
        round % 2 === 0
          ? [a.blockFor(key, 30_000), b.blockFor(key, 500)]
          : [b.blockFor(key, 500), a.blockFor(key, 30_000)];
      await Promise.all(order);
      await b.blockFor(key, 500); // and once more, alone, after it
      const refused = await c.acquire(key, 'GET /x').catch((e: unknown) => e);
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    }
  });

  it('an unreachable store refuses the request unsent, as a retryable failure', async () => {
    const pool = createPool('postgres://nobody:nothing@127.0.0.1:9/none');
    pools.push(pool);
    const err = await sharedRateLimiter({ pool })
      .acquire('company-e', 'GET /x')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'RATE_BUDGET_UNAVAILABLE', retryable: true });
    expect((err as Error).message).toContain('PAYROLL_DATABASE_URL');
  });

  describe('end to end with the sandbox', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox();
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it("a 429 one client got holds back another client's calls until the Retry-After", async () => {
      const company = sandbox.companies[0]!;
      const clientOf = (maxWaitMs?: number) =>
        createGustoClient({
          baseUrl: sandbox.url,
          tokens: staticTokenProvider({ companies: { [company.uuid]: company.access_token } }),
          rateLimiter: worker(maxWaitMs === undefined ? {} : { maxWaitMs }),
        });
      const [one, two] = [clientOf(), clientOf(0)];
      // The sandbox allows 3 per minute: the fourth call gets 429 with Retry-After.
      await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { rate_limit_per_minute: 3 });
      for (let i = 0; i < 3; i++) await one.companies.get(company.uuid);
      const throttled = await one.companies.get(company.uuid).catch((e: unknown) => e);
      expect(throttled).toMatchObject({ status: 429 });
      const retryAfterMs = (throttled as { retryAfterMs: number }).retryAfterMs;
      expect(retryAfterMs).toBeGreaterThan(1_000);
      // The other client never saw the 429; it refuses unsent, naming when the block ends.
      const calls = async () =>
        (await sandboxAdmin<{ calls: Record<string, number> }>(sandbox, 'GET', '/sandbox/counters')).calls;
      const before = await calls();
      const second = await two.companies.get(company.uuid).catch((e: unknown) => e);
      expect(second).toMatchObject({ status: 429, code: 'NOT_SENT_RATE_LIMITED' });
      expect((second as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(retryAfterMs - 5_000);
      expect(await calls()).toEqual(before);
      await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { rate_limit_per_minute: 0 });
    }, 90_000);
  });
});
