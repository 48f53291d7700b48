/** A worker process's memory settings (workers/process-memory.ts): added, and never over an operator's. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import {
  missingWorkerMemorySettings,
  withWorkerMemorySettings,
  WORKER_MALLOC_ARENA_MAX,
} from '../../workers/process-memory.js';

describe("a worker process's memory settings", () => {
  it('are added to an environment that has none', () => {
    const env = withWorkerMemorySettings({ TASK_QUEUE: 'payroll' });
    expect(env).toEqual({
      TASK_QUEUE: 'payroll',
      NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=2',
      MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX,
    });
  });

  it("keep the operator's own settings, which win whatever their spelling", () => {
    const env = withWorkerMemorySettings({
      NODE_OPTIONS: '--enable-source-maps --max_old_space_size=512',
      MALLOC_ARENA_MAX: '4',
    });
    expect(env.NODE_OPTIONS).toBe(
      '--max-old-space-size=192 --max-semi-space-size=2 --enable-source-maps --max_old_space_size=512',
    );
    expect(env.MALLOC_ARENA_MAX).toBe('4');
    expect(heapLimitMb(env)).toBeGreaterThanOrEqual(512);
  });

  it('name what a worker was started without', () => {
    expect(missingWorkerMemorySettings({})).toEqual([
      '--max-old-space-size=192',
      '--max-semi-space-size=2',
      'MALLOC_ARENA_MAX=2',
    ]);
    expect(
      missingWorkerMemorySettings({ NODE_OPTIONS: '--max_old_space_size=512', MALLOC_ARENA_MAX: '1' }),
    ).toEqual(['--max-semi-space-size=2']);
    expect(missingWorkerMemorySettings(withWorkerMemorySettings({}))).toEqual([]);
    // On the command line instead (a Kubernetes command, a Dockerfile CMD).
    expect(
      missingWorkerMemorySettings({ MALLOC_ARENA_MAX: '2' }, [
        '--max-old-space-size=256',
        '--max-semi-space-size=2',
        '--import',
        'tsx',
      ]),
    ).toEqual([]);
  });

  it('are the heap limits a Node process started with them runs under', () => {
    const limitMb = heapLimitMb(withWorkerMemorySettings({}));
    // The old-space cap plus the young generation's semi-spaces.
    expect(limitMb).toBeGreaterThanOrEqual(192);
    expect(limitMb).toBeLessThan(256);
  });
});

function heapLimitMb(env: NodeJS.ProcessEnv): number {
  const script = 'console.log(require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20)';
  return Number(spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).stdout.trim());
}
