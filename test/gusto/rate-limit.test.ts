import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GustoApiError } from '../../gusto/errors.js';
import { createRateLimiter } from '../../gusto/rate-limit.js';
import {
  COMPANY,
  OTHER_COMPANY,
  PAYROLL,
  clientFor,
  manualClock,
  payrollBody,
  startFakeGusto,
  type FakeGusto,
} from './fake-gusto.js';

/** Start `n` acquisitions and record the clock time at which each resolves. */
function track(acquire: () => Promise<void>, clock: { now(): number }, n: number): number[] {
  const done: number[] = [];
  for (let i = 0; i < n; i++) void acquire().then(() => done.push(clock.now()));
  return done;
}

describe('rate limiter (sliding window, injected clock)', () => {
  it('lets `limit` requests through, then waits for the oldest to leave the window', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 3, windowMs: 1000, clock });
    const done = track(() => limiter.acquire(COMPANY), clock, 5);
    await clock.advance(0);
    expect(done).toEqual([0, 0, 0]);
    await clock.advance(999);
    expect(done).toEqual([0, 0, 0]);
    await clock.advance(1);
    expect(done).toEqual([0, 0, 0, 1000, 1000]);
  });

  it('is a rolling window, not a fixed one', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, clock });
    await limiter.acquire(COMPANY); // t=0
    await clock.advance(600);
    await limiter.acquire(COMPANY); // t=600
    const done = track(() => limiter.acquire(COMPANY), clock, 2);
    await clock.advance(400); // t=1000: the t=0 slot leaves
    expect(done).toEqual([1000]);
    await clock.advance(599);
    expect(done).toEqual([1000]);
    await clock.advance(1); // t=1600: the t=600 slot leaves
    expect(done).toEqual([1000, 1600]);
  });

  it('keeps companies apart', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, clock });
    await limiter.acquire(COMPANY);
    const other = track(() => limiter.acquire(OTHER_COMPANY), clock, 1);
    const same = track(() => limiter.acquire(COMPANY), clock, 1);
    await clock.advance(0);
    expect(other).toEqual([0]);
    expect(same).toEqual([]);
  });

  it('defaults to 200 per rolling minute', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ clock, maxWaitMs: 60_000 });
    const done = track(() => limiter.acquire(COMPANY), clock, 201);
    await clock.advance(0);
    expect(done).toHaveLength(200);
    await clock.advance(60_000);
    expect(done).toHaveLength(201);
    expect(done[200]).toBe(60_000);
  });

  it('blockFor (after a 429) closes the bucket until Retry-After', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 100, windowMs: 1000, clock });
    void limiter.blockFor(COMPANY, 5000);
    const done = track(() => limiter.acquire(COMPANY), clock, 2);
    const other = track(() => limiter.acquire(OTHER_COMPANY), clock, 1);
    await clock.advance(4999);
    expect(done).toEqual([]);
    expect(other).toEqual([0]);
    await clock.advance(1);
    expect(done).toEqual([5000, 5000]);
  });

  it('bounds the wait at 45 s by default', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ clock });
    for (let i = 0; i < 200; i++) await limiter.acquire(COMPANY);
    await clock.advance(10_000);
    // The next slot frees at t=60 s: 50 s away, beyond the bound.
    await expect(limiter.acquire(COMPANY)).rejects.toMatchObject({ status: 429, retryAfterMs: 50_000 });
    await clock.advance(10_000);
    // Now 40 s away: it waits.
    const done = track(() => limiter.acquire(COMPANY), clock, 1);
    await clock.advance(40_000);
    expect(done).toEqual([60_000]);
  });

  it('refuses at once when the free slot is further than maxWaitMs, and takes no slot', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, maxWaitMs: 45_000, clock });
    await limiter.acquire(COMPANY); // t=0
    await clock.advance(10_000);
    await limiter.acquire(COMPANY); // t=10 s
    const refused = await limiter.acquire(COMPANY, 'POST /v1/x').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GustoApiError);
    expect(refused).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 50_000,
      code: 'NOT_SENT_RATE_LIMITED',
      endpoint: 'POST /v1/x',
    });
    expect((refused as Error).message).toMatch(/not sent/);
    expect(clock.now()).toBe(10_000);
    // 5 s later the slot is 45 s away: within the bound, so it waits and gets it at t=60 s.
    await clock.advance(5_000);
    const done = track(() => limiter.acquire(COMPANY), clock, 1);
    await clock.advance(44_999);
    expect(done).toEqual([]);
    await clock.advance(1);
    expect(done).toEqual([60_000]);
  });

  it('bounds the wait behind a queue: a waiter gives up when its own deadline cannot be met', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 30_000, maxWaitMs: 45_000, clock });
    await limiter.acquire(COMPANY); // t=0
    const first = track(() => limiter.acquire(COMPANY), clock, 1); // slot at 30 s
    const second = limiter.acquire(COMPANY).catch((e: unknown) => e); // slot at 60 s > 45 s
    await clock.advance(30_000);
    expect(first).toEqual([30_000]);
    expect(await second).toMatchObject({ status: 429, retryAfterMs: 30_000 });
    expect(clock.now()).toBe(30_000);
  });

  it('a 429 block longer than maxWaitMs is refused unsent, with the block’s end as retryAfterMs', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 100, windowMs: 1000, maxWaitMs: 45_000, clock });
    void limiter.blockFor(COMPANY, 120_000);
    const refused = await limiter.acquire(COMPANY).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000 });
    await clock.advance(80_000);
    const done = track(() => limiter.acquire(COMPANY), clock, 1);
    await clock.advance(40_000);
    expect(done).toEqual([120_000]);
  });

  it('serves waiters first come, first served', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 100, clock });
    const order: number[] = [];
    for (let i = 0; i < 4; i++) void limiter.acquire(COMPANY).then(() => order.push(i));
    await clock.advance(1000);
    expect(order).toEqual([0, 1, 2, 3]);
  });
});

describe('client + limiter', () => {
  let fake: FakeGusto;
  let calls = 0;
  beforeAll(async () => {
    fake = await startFakeGusto(() => {
      calls += 1;
      return calls === 1
        ? {
            status: 429,
            headers: { 'retry-after': '2' },
            body: { errors: [{ error_key: 'rate', category: 'rate_limit_exceeded' }] },
          }
        : { body: payrollBody() };
    });
  });
  afterAll(() => fake.close());

  it('a 429 blocks that company’s bucket for Retry-After', async () => {
    const clock = manualClock();
    const client = clientFor(fake, { rateLimiter: createRateLimiter({ clock }) });
    const first = await client.payrolls.get(COMPANY, PAYROLL).catch((e: unknown) => e);
    expect(first).toMatchObject({ status: 429, retryAfterMs: 2000 });

    let second: unknown;
    void client.payrolls.get(COMPANY, PAYROLL).then((p) => (second = p));
    await clock.advance(1999);
    expect(fake.requests).toHaveLength(1);
    await clock.advance(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requests).toHaveLength(2);
    expect(second).toMatchObject({ payroll_uuid: PAYROLL });
  });
});
