import { Context } from '@temporalio/activity';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

/**
 * Polls `read` until it returns a value, heartbeating between reads and backing off from about 1 s to
 * 30 s. Runs inside an activity: a cancelled wait (the webhook won the race) rejects the sleep, and a
 * worker that died is noticed through the heartbeat timeout and the poll restarts elsewhere.
 */
export async function pollWithBackoff<T>(
  read: () => Promise<T | undefined>,
  { initialMs = 1_000, maxMs = 30_000, factor = 2 }: BackoffOptions = {},
): Promise<T> {
  const ctx = Context.current();
  let delay = initialMs;
  for (let attempt = 1; ; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    ctx.heartbeat({ attempt, nextDelayMs: delay });
    await ctx.sleep(delay);
    delay = Math.min(maxMs, Math.round(delay * factor));
  }
}
