/**
 * Polls a check in real time until it yields a value, for what settles asynchronously: visibility
 * (eventually consistent), webhooks on their way, a worker picking up a task. `undefined`, `null` and
 * `false` mean "not yet". A check that throws is retried too (a query may fail while a worker
 * restarts); if time runs out while the latest attempt threw, the error names it.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
