/**
 * Gusto's limit: N requests per token over a rolling 60 s window (N = 200 unless configured), read
 * on the sandbox clock so a time-skipping test's jumps also clear the window. An exact sliding log:
 * each token keeps the instants of its requests still inside the window (never more than N).
 */

const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Instant (ms) when the oldest request in the window leaves it. */
  resetAt: number;
  /** Whole seconds until a slot frees up (only when refused). */
  retryAfterSeconds: number;
}

class Log {
  stamps: number[] = [];
  head = 0;

  get size(): number {
    return this.stamps.length - this.head;
  }

  dropBefore(cutoff: number): void {
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) <= cutoff) this.head++;
    // Compact now and then instead of shifting the array on every request.
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }

  oldest(): number | undefined {
    return this.stamps[this.head];
  }
}

export class RateLimiter {
  private readonly logs = new Map<string, Log>();

  constructor(public limit: number) {}

  get enabled(): boolean {
    return Number.isFinite(this.limit) && this.limit > 0;
  }

  take(token: string, nowMs: number): RateDecision {
    let log = this.logs.get(token);
    if (!log) {
      log = new Log();
      this.logs.set(token, log);
    }
    log.dropBefore(nowMs - WINDOW_MS);
    const allowed = log.size < this.limit;
    if (allowed) log.stamps.push(nowMs);
    const resetAt = (log.oldest() ?? nowMs) + WINDOW_MS;
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - log.size),
      resetAt,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - nowMs) / 1000)),
    };
  }

  reset(): void {
    this.logs.clear();
  }
}

let lastSecond = -1;
let lastHeader = '';

/** "2025-07-08 22:35:40 +0000": the datetime style Gusto uses in X-RateLimit-Reset (cached per second). */
export function rateLimitResetHeader(ms: number): string {
  const second = Math.ceil(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastHeader = `${new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
  }
  return lastHeader;
}
