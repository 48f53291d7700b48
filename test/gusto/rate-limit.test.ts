import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
    const limiter = createRateLimiter({ clock });
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
    limiter.blockFor(COMPANY, 5000);
    const done = track(() => limiter.acquire(COMPANY), clock, 2);
    const other = track(() => limiter.acquire(OTHER_COMPANY), clock, 1);
    await clock.advance(4999);
    expect(done).toEqual([]);
    expect(other).toEqual([0]);
    await clock.advance(1);
    expect(done).toEqual([5000, 5000]);
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
