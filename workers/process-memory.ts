/**
 * The memory settings a worker process starts with. Node and glibc read them only when a process
 * starts, so they are given where worker processes are started: `npm run cluster`, the compose file's
 * worker service (checked against these values by test/platform/compose.test.ts), the test harness's
 * worker processes and the payday bench's worker. A worker started otherwise (`npm run worker`, the
 * image's command under another orchestrator) warns at start when they are missing. Measured on the
 * payday bench (docs/BENCHMARKS.md, "Worker memory").
 *
 * - Heap caps, per V8 isolate (the main thread and each workflow thread): without them V8 lets a busy
 *   worker's heap grow far past its live data before collecting. With 250 runs cached, the live data
 *   after a full collection peaked at about 65 MB on the main thread and 50 MB on the workflow thread,
 *   about 0.2 MB per cached run of a 20-employee company; the cap leaves room for larger companies and
 *   bursts of activity responses. Raise it when raising WORKER_MAX_CACHED_WORKFLOWS.
 * - glibc malloc, for the memory Temporal's core and Node keep outside V8's heap:
 *   - MALLOC_ARENA_MAX=1: glibc gives each thread that allocates (three JavaScript threads, Temporal
 *     core's runtime, V8's helpers) an arena of its own and returns little of it. One arena instead
 *     of two took 10-30 MB off a payday worker on its own, at no CPU cost that stood out.
 *   - MALLOC_MMAP_THRESHOLD_ (the trailing underscore is glibc's spelling): blocks of 128 KiB and
 *     more get a mapping of their own, given back to the system when freed. Unset, glibc raises the
 *     threshold to the largest block freed so far (up to 32 MiB), so later large blocks come from
 *     the arena, and once freed they stay in the process as free space the arena cannot return. With
 *     both settings a payday worker's arena ended the day near 50 MiB, against 115-140 MiB in two
 *     arenas before, for about 3.5 % more worker CPU (a mapping and fresh pages per large block).
 *   An empty value counts as unset and gets ours; to leave a choice to glibc, set glibc's own value.
 *
 * An operator's own settings win: theirs come after ours in NODE_OPTIONS, and the last flag counts.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
export const WORKER_MALLOC_SETTINGS = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: String(128 * 1024),
} as const;

const MALLOC_VARIABLES = Object.keys(WORKER_MALLOC_SETTINGS) as (keyof typeof WORKER_MALLOC_SETTINGS)[];

/** The memory variables a worker process started from `env` gets: ours, with the operator's winning. */
export function workerMemorySettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    NODE_OPTIONS: [...WORKER_NODE_FLAGS, env.NODE_OPTIONS].filter(Boolean).join(' '),
    ...Object.fromEntries(MALLOC_VARIABLES.map((k) => [k, env[k] || WORKER_MALLOC_SETTINGS[k]])),
  };
}

/** `env` with the worker's memory settings added, the operator's own settings kept and winning. */
export function withWorkerMemorySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, ...workerMemorySettings(env) };
}

/**
 * The settings a worker process was started without, in NODE_OPTIONS or on its command line
 * (`execArgv`), for a warning at start: see above.
 */
export function missingWorkerMemorySettings(
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = [],
): string[] {
  const given = [env.NODE_OPTIONS ?? '', ...execArgv].join(' ').replaceAll('_', '-');
  const missing: string[] = WORKER_NODE_FLAGS.filter((flag) => !given.includes(`${flag.split('=')[0]}=`));
  for (const k of MALLOC_VARIABLES) if (!env[k]) missing.push(`${k}=${WORKER_MALLOC_SETTINGS[k]}`);
  return missing;
}
