import { describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pollWithBackoff } from '../../activities/polling.js';

describe('pollWithBackoff', () => {
  it('returns the first value a read gives', async () => {
    const env = new MockActivityEnvironment();
    let reads = 0;
    const value = await env.run(() =>
      pollWithBackoff(async () => (++reads === 3 ? 'calculated' : undefined), { initialMs: 5, maxMs: 10 }),
    );
    expect(value).toBe('calculated');
    expect(reads).toBe(3);
  });

  it('hands the poll over at once when the worker shuts down, instead of sleeping on', async () => {
    const env = new MockActivityEnvironment();
    const shutdown = new AbortController();
    let reads = 0;
    const started = Date.now();
    const polling = env.run(() =>
      pollWithBackoff(
        async () => {
          reads++;
          return undefined;
        },
        { initialMs: 2_000, stopOn: shutdown.signal },
      ),
    );
    setTimeout(() => shutdown.abort(), 50);
    // Retryable: the workflow's retry policy resumes the poll on the next worker.
    await expect(polling).rejects.toMatchObject({ type: 'WorkerShutdown', nonRetryable: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reads).toBe(1);
  });
});
