/**
 * The memory settings a worker process starts with. Node and glibc read them only when a process
 * starts, so they are given where worker processes are started: `npm run cluster`, the compose file's
 * worker service (checked against these values by test/platform/compose.test.ts), the test harness's
 * worker processes and the payday bench's worker. Measured on the payday bench (README, "Memory").
 *
 * - Heap caps, per V8 isolate (the main thread and each workflow thread): without them V8 lets a busy
 *   worker's heap grow far past its live data before collecting. With 250 runs cached, the live data
 *   after a full collection peaked at about 65 MB on the main thread and 50 MB on the workflow thread,
 *   about 0.2 MB per cached run of a 20-employee company; the cap leaves room for larger companies and
 *   bursts of activity responses. Raise it with WORKER_MAX_CACHED_WORKFLOWS.
 * - MALLOC_ARENA_MAX: glibc gives each thread that allocates (Temporal core's runtime, V8's helpers)
 *   an arena of its own and returns little of it; two arenas are enough for a process whose work is
 *   on two threads.
 *
 * An operator's own NODE_OPTIONS heap flags or MALLOC_ARENA_MAX win over these.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
export const WORKER_MALLOC_ARENA_MAX = '2';

/** `env` with the worker's memory settings added where the operator has not set their own. */
export function withWorkerMemorySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const given = env.NODE_OPTIONS ?? '';
  const flagName = (flag: string) => flag.split('=')[0]!;
  const added = WORKER_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag)));
  return {
    ...env,
    NODE_OPTIONS: [given, ...added].filter(Boolean).join(' '),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? WORKER_MALLOC_ARENA_MAX,
  };
}
