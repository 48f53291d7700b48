/**
 * Per-company request budget. Gusto allows 200 requests per rolling 60 s per token and answers 429
 * beyond that; a payroll run for a large company can fan out past it. Waiting here for a free slot
 * is cheaper than collecting 429s, and after a 429 that company's bucket stays closed until the
 * Retry-After instant, so no request of ours lands inside Gusto's penalty window.
 *
 * The window is a log of request instants (exact sliding window, at most `limit` entries per key).
 * Waiters are served first come, first served per key.
 *
 * The wait is bounded (`maxWaitMs`): a request whose slot (or the end of a 429 block) lies further
 * away is refused with a retryable 429 GustoApiError without being sent. Activities rely on this:
 * an attempt finishes, sent or not, within maxWaitMs plus the HTTP timeout, so a timed-out attempt
 * can never send its POST after the retry has already looked for it (see the creator's
 * startToCloseTimeout in workflows/contractor-payment-process.ts).
 */
import { GustoApiError } from './errors.js';

export const DEFAULT_MAX_WAIT_MS = 45_000;

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiter {
  /**
   * Resolves when a request for `key` may be sent; the slot is taken on resolution. Rejects with a
   * retryable 429 GustoApiError (code NOT_SENT_RATE_LIMITED, `retryAfterMs` = when the slot frees)
   * when that would be more than `maxWaitMs` after the call; the request must then not be sent.
   */
  acquire(key: string, endpoint?: string): Promise<void>;
  /** Gusto said 429: no request for `key` before `ms` from now (for every worker sharing the budget). */
  blockFor(key: string, ms: number): void | Promise<void>;
}

export interface RateLimiterOptions {
  /** Requests per window per key. Default 200 (Gusto's limit). Per process: workers share gusto/stores/postgres-rate-limit.ts. */
  limit?: number;
  windowMs?: number;
  /** Longest wait for a slot before the request is refused unsent. Default 45 s. */
  maxWaitMs?: number;
  clock?: LimiterClock;
}

interface Bucket {
  /** Instants of requests still inside the window, oldest first. */
  stamps: number[];
  blockedUntil: number;
  /** Tail of the FIFO chain of waiters. */
  tail: Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const limit = options.limit ?? 200;
  const windowMs = options.windowMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rate limit must be a positive integer');
  if (!(maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be zero or more');
  const buckets = new Map<string, Bucket>();

  const bucketFor = (key: string): Bucket => {
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { stamps: [], blockedUntil: 0, tail: Promise.resolve() };
      buckets.set(key, bucket);
    }
    return bucket;
  };

  /** How long until `bucket` has a free slot (0 = now). */
  const waitTime = (bucket: Bucket, now: number): number => {
    while (bucket.stamps.length && (bucket.stamps[0] as number) <= now - windowMs) bucket.stamps.shift();
    if (bucket.blockedUntil > now) return bucket.blockedUntil - now;
    if (bucket.stamps.length < limit) return 0;
    return (bucket.stamps[0] as number) + windowMs - now;
  };

  /**
   * Waiters queue behind each other, and each one gives up as soon as its slot would come after its
   * own deadline, so no waiter (and nobody behind it) waits past its deadline.
   */
  const takeSlot = async (bucket: Bucket, deadline: number, endpoint: string): Promise<void> => {
    for (;;) {
      const now = clock.now();
      const wait = waitTime(bucket, now);
      if (wait <= 0) {
        bucket.stamps.push(now);
        return;
      }
      if (now + wait > deadline) throw notSent(endpoint, wait);
      await clock.sleep(wait);
    }
  };

  return {
    acquire(key, endpoint = 'rate limiter') {
      const bucket = bucketFor(key);
      const deadline = clock.now() + maxWaitMs;
      const turn = bucket.tail.then(() => takeSlot(bucket, deadline, endpoint));
      bucket.tail = turn.catch(() => undefined);
      return turn;
    },
    blockFor(key, ms) {
      if (!(ms > 0)) return;
      const bucket = bucketFor(key);
      bucket.blockedUntil = Math.max(bucket.blockedUntil, clock.now() + ms);
    },
  };
}

/** The refusal of a request that was never sent: retryable once the slot frees. */
export function notSent(endpoint: string, retryAfterMs: number): GustoApiError {
  return new GustoApiError({
    status: 429,
    endpoint,
    retryAfterMs,
    code: 'NOT_SENT_RATE_LIMITED',
    message: `not sent: the request budget frees a slot in ${retryAfterMs} ms, beyond the wait bound`,
  });
}
