/**
 * The per-company request budget shared by every worker (PAYROLL_DATABASE_URL set), on
 * rate-limiter-flexible's PostgreSQL store instead of a second hand-written limiter. Same contract as
 * the in-memory limiter (gusto/rate-limit.ts): wait for a slot at most `maxWaitMs`, else refuse the
 * request unsent; a 429's Retry-After blocks the company for every worker, because the block-until
 * instant is a row in the shared table that each acquire reads first.
 *
 * The library counts in fixed windows, Gusto in a rolling minute. A rolling minute overlaps at most
 * windowMs/sliceMs + 1 consecutive slices, so each slice gets limit·slice/(window+slice) requests
 * (15 per 5 s for 200/min): never more than `limit` in any rolling window, at ~90% of its throughput.
 */
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { GustoApiError } from '../errors.js';
import {
  DEFAULT_MAX_WAIT_MS,
  notSent,
  systemClock,
  type LimiterClock,
  type RateLimiter,
} from '../rate-limit.js';
import { migrate, RATE_BUDGET_TABLE, SCHEMA } from './postgres.js';

export interface SharedRateLimiterOptions {
  pool: pg.Pool;
  /** Requests per rolling window per key. Default 200 (Gusto's limit). */
  limit?: number;
  windowMs?: number;
  /** Length of the library's fixed windows. Default 5 s. */
  sliceMs?: number;
  maxWaitMs?: number;
  clock?: LimiterClock;
}

export function sharedRateLimiter(options: SharedRateLimiterOptions): RateLimiter {
  const limit = options.limit ?? 200;
  const windowMs = options.windowMs ?? 60_000;
  const sliceMs = options.sliceMs ?? 5_000;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const clock = options.clock ?? systemClock;
  const perSlice = Math.floor((limit * sliceMs) / (windowMs + sliceMs));
  if (perSlice < 1)
    throw new RangeError(`rate limit ${limit} per ${windowMs} ms is too low for ${sliceMs} ms slices`);
  const common = {
    storeClient: options.pool,
    storeType: 'pool',
    schemaName: SCHEMA,
    tableName: RATE_BUDGET_TABLE,
    tableCreated: true,
  };
  const budget = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'budget',
    points: perSlice,
    duration: sliceMs / 1000,
  });
  const blocks = new RateLimiterPostgres({ ...common, keyPrefix: 'block', points: 1, duration: 1 });

  /** Milliseconds the company stays blocked by a 429 (0 = not blocked). */
  const blockedFor = async (key: string): Promise<number> => {
    const res = await blocks.get(key);
    return res && res.consumedPoints > 1 ? res.msBeforeNext : 0;
  };

  /** 0 when a slot was taken, else how long until the next slice. */
  const tryTake = async (key: string): Promise<number> => {
    try {
      await budget.consume(key, 1);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
      throw res;
    }
  };

  const storeDown = (endpoint: string, err: unknown) =>
    new GustoApiError({
      status: 0,
      endpoint,
      code: 'RATE_BUDGET_UNAVAILABLE',
      message: `not sent: the shared request budget (PAYROLL_DATABASE_URL) did not answer: ${(err as Error).message}`,
    });

  return {
    async acquire(key, endpoint = 'rate limiter') {
      const deadline = clock.now() + maxWaitMs;
      for (;;) {
        let wait: number;
        try {
          await migrate(options.pool);
          wait = (await blockedFor(key)) || (await tryTake(key));
        } catch (err) {
          throw storeDown(endpoint, err);
        }
        if (wait === 0) return;
        if (clock.now() + wait > deadline) throw notSent(endpoint, wait);
        await clock.sleep(wait);
      }
    },
    async blockFor(key, ms) {
      if (!(ms > 0)) return;
      // One statement in the library's own row format (points above the 1 allowed = blocked), so that
      // of two workers storing different Retry-Afters at once the longer block stays: the library's
      // block() overwrites, and a read-then-write would let a shorter one win the race.
      await options.pool.query(
        `INSERT INTO ${SCHEMA}.${RATE_BUDGET_TABLE} AS b (key, points, expire) VALUES ($1, 2, $2)
         ON CONFLICT (key) DO UPDATE SET points = 2, expire = GREATEST(b.expire, EXCLUDED.expire)`,
        [blocks.getKey(key), Date.now() + ms],
      );
    },
  };
}
