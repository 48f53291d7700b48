/** A worker process's memory settings (workers/process-memory.ts): added, and never over an operator's. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import {
  missingWorkerMemorySettings,
  withWorkerMemorySettings,
  WORKER_MALLOC_SETTINGS,
} from '../../workers/process-memory.js';

describe("a worker process's memory settings", () => {
  it('are added to an environment that has none', () => {
    const env = withWorkerMemorySettings({ TASK_QUEUE: 'payroll' });
    expect(env).toEqual({
      TASK_QUEUE: 'payroll',
      NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=2',
      MALLOC_ARENA_MAX: '1',
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
  });

  it("keep the operator's own settings, which win whatever their spelling", () => {
    const env = withWorkerMemorySettings({
      NODE_OPTIONS: '--enable-source-maps --max_old_space_size=512',
      MALLOC_ARENA_MAX: '4',
      MALLOC_MMAP_THRESHOLD_: '1048576',
    });
    expect(env.NODE_OPTIONS).toBe(
      '--max-old-space-size=192 --max-semi-space-size=2 --enable-source-maps --max_old_space_size=512',
    );
    expect(env.MALLOC_ARENA_MAX).toBe('4');
    expect(env.MALLOC_MMAP_THRESHOLD_).toBe('1048576');
    expect(heapLimitMb(env)).toBeGreaterThanOrEqual(512);
  });

  it('name what a worker was started without', () => {
    expect(missingWorkerMemorySettings({})).toEqual([
      '--max-old-space-size=192',
      '--max-semi-space-size=2',
      'MALLOC_ARENA_MAX=1',
      'MALLOC_MMAP_THRESHOLD_=131072',
    ]);
    expect(
      missingWorkerMemorySettings({
        NODE_OPTIONS: '--max_old_space_size=512',
        ...WORKER_MALLOC_SETTINGS,
        MALLOC_ARENA_MAX: '2',
      }),
    ).toEqual(['--max-semi-space-size=2']);
    expect(missingWorkerMemorySettings(withWorkerMemorySettings({}))).toEqual([]);
    // On the command line instead (a Kubernetes command, a Dockerfile CMD).
    expect(
      missingWorkerMemorySettings(WORKER_MALLOC_SETTINGS, [
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

  it('give freed large blocks back to the system, which glibc on its own does not', () => {
    // A block freed from its own mapping raises glibc's threshold, so the next large blocks come
    // from the arena; with small blocks allocated after them, freeing them returns nothing.
    expect(largeBlocksReturned({})).toBeLessThan(0.1);
    expect(largeBlocksReturned(withWorkerMemorySettings({}))).toBeGreaterThan(0.9);
  });
});

/** The share of 32 MiB of freed 512 KiB buffers (Node allocates them with malloc) that leaves RSS. */
function largeBlocksReturned(env: NodeJS.ProcessEnv): number {
  // V8 frees a collected buffer's memory from a background task, after gc() returns: each step
  // waits until the process's buffer total shows the free.
  const script = `
    const buffers = () => process.memoryUsage().arrayBuffers;
    const freed = async (below) => {
      for (let i = 0; i < 200 && buffers() >= below; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (buffers() >= below) throw new Error('buffers not freed');
    };
    (async () => {
      const size = 512 * 1024, count = 64;
      const start = buffers();
      let first = Buffer.allocUnsafeSlow(size);
      first = null;
      await freed(start + size / 2);
      let large = [];
      const small = [];
      for (let i = 0; i < count; i++) {
        large.push(Buffer.allocUnsafeSlow(size).fill(1));
        small.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1));
      }
      const held = buffers();
      const before = process.memoryUsage().rss;
      large = null;
      await freed(held - (size * count) / 2);
      console.log((before - process.memoryUsage().rss) / (size * count), small.length);
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const { stdout, stderr } = spawnSync(process.execPath, ['--expose-gc', '-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  const share = Number(stdout.split(' ')[0]);
  if (!stdout || !Number.isFinite(share)) throw new Error(`the allocation script failed: ${stderr}`);
  return share;
}

function heapLimitMb(env: NodeJS.ProcessEnv): number {
  const script = 'console.log(require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20)';
  return Number(spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).stdout.trim());
}
