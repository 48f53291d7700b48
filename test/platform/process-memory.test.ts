/** A worker process's memory settings (workers/process-memory.ts): added, and never over an operator's. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { withWorkerMemorySettings, WORKER_MALLOC_ARENA_MAX } from '../../workers/process-memory.js';

describe("a worker process's memory settings", () => {
  it('are added to an environment that has none', () => {
    const env = withWorkerMemorySettings({ TASK_QUEUE: 'payroll' });
    expect(env).toEqual({
      TASK_QUEUE: 'payroll',
      NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=2',
      MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX,
    });
  });

  it("keep the operator's own heap flags and arenas, and the rest of their NODE_OPTIONS", () => {
    const env = withWorkerMemorySettings({
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=512',
      MALLOC_ARENA_MAX: '4',
    });
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps --max-old-space-size=512 --max-semi-space-size=2');
    expect(env.MALLOC_ARENA_MAX).toBe('4');
  });

  it('are the heap limits a Node process started with them runs under', () => {
    const script = 'console.log(require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20)';
    const run = spawnSync(process.execPath, ['-e', script], {
      env: withWorkerMemorySettings({}),
      encoding: 'utf8',
    });
    const limitMb = Number(run.stdout.trim());
    // The old-space cap plus the young generation's semi-spaces.
    expect(limitMb).toBeGreaterThanOrEqual(192);
    expect(limitMb).toBeLessThan(256);
  });
});
