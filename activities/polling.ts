import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Heartbeat period while a read is in flight. */
  readHeartbeatMs?: number;
  /** The worker is shutting down: stop between reads with a retryable failure (ActivityDeps.shutdown). */
  stopOn?: AbortSignal;
}

/**
 * Polls `read` until it returns a value, heartbeating between reads and backing off from about 1 s to
 * 30 s. Runs inside an activity: a cancelled wait (the webhook won the race) rejects the sleep, and a
 * worker that died is noticed through the heartbeat timeout and the poll restarts elsewhere.
 *
 * One read can take longer than a heartbeat timeout on its own (up to 45 s waiting for a rate-limit
 * slot plus the 30 s HTTP timeout), so the poller also heartbeats every 10 s while a read is in
 * flight: a live worker is never mistaken for a dead one and restarted from the 1 s backoff.
 */
export async function pollWithBackoff<T>(
  read: () => Promise<T | undefined>,
  { initialMs = 1_000, maxMs = 30_000, factor = 2, readHeartbeatMs = 10_000, stopOn }: BackoffOptions = {},
): Promise<T> {
  const ctx = Context.current();
  let delay = initialMs;
  for (let attempt = 1; ; attempt++) {
    const value = await whileHeartbeating(ctx, readHeartbeatMs, { attempt, reading: true }, read);
    if (value !== undefined) return value;
    ctx.heartbeat({ attempt, nextDelayMs: delay });
    await sleepUnlessStopped(ctx, delay, stopOn);
    delay = Math.min(maxMs, Math.round(delay * factor));
  }
}

/** How often a quiet poll heartbeats; the worker's heartbeat throttle decides how often that is sent. */
const QUIET_HEARTBEAT_MS = 500;

/**
 * Holds a poll's first read back for `ms`, heartbeating meanwhile. A cancel (the webhook won the race)
 * reaches an activity only in the answer to a heartbeat it sends, so a silent sleep would learn of it
 * after the sleep and read once for nothing; with these heartbeats (sent at most once per
 * WORKER_HEARTBEAT_THROTTLE_MS) the poll ends within about that long of the cancel, without a read.
 */
export async function quietBeforeFirstRead(ms: number, stopOn?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  const ctx = Context.current();
  ctx.heartbeat({ quietMs: ms });
  await whileHeartbeating(ctx, QUIET_HEARTBEAT_MS, { quietMs: ms }, () =>
    sleepUnlessStopped(ctx, ms, stopOn),
  );
}

/** The backoff sleep, cut short by a worker shutdown: the poll is retried on the next worker. */
async function sleepUnlessStopped(ctx: Context, ms: number, stopOn: AbortSignal | undefined): Promise<void> {
  if (!stopOn) return ctx.sleep(ms);
  let onAbort = () => {};
  const stopped = new Promise<'stopped'>((resolve) => {
    onAbort = () => resolve('stopped');
    if (stopOn.aborted) onAbort();
    else stopOn.addEventListener('abort', onAbort, { once: true });
  });
  try {
    if ((await Promise.race([ctx.sleep(ms), stopped])) === 'stopped') {
      throw ApplicationFailure.retryable(
        'the worker is shutting down; the poll goes on at the next worker',
        'WorkerShutdown',
      );
    }
  } finally {
    stopOn.removeEventListener('abort', onAbort);
  }
}

async function whileHeartbeating<R>(
  ctx: Context,
  everyMs: number,
  details: object,
  fn: () => Promise<R>,
): Promise<R> {
  const timer = setInterval(() => ctx.heartbeat(details), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
