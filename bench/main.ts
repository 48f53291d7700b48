/**
 * `npm run bench`: what a payroll run costs, on this machine, on loopback only.
 *
 *  1. Gusto calls per run, and how long after the sandbox finishes a calculation the run notices it,
 *     with webhook signals only, signals plus the polling net, and polling only (2 s calculations).
 *  2. Payroll runs per second against a no-op workflow of the same shape (a one-activity finder, then
 *     as many activities as a run schedules) on the same server and worker settings: the ratio is
 *     what orchestrating real Gusto steps costs on top of Temporal itself.
 *  3. History events per auto-approved run: up to `processed` on the dev server, and a whole run
 *     (through the cancel cutoff) on the time-skipping server.
 *
 * Bounded: BENCH_RUNS_PER_MODE (5, max 20) and BENCH_THROUGHPUT_RUNS (30, max 200). Starts its own dev
 * server and in-process sandboxes; writes the figures to bench/results/ as JSON as well.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities/index.js';
import { getPayrollRunState, startPayrollRun, type PayrollRunState } from '../client/payroll.js';
import { createGustoClient } from '../gusto/client.js';
import { staticTokenProvider } from '../gusto/tokens.js';
import { startDevServer, type DevServerHandle } from '../scripts/dev-server.js';
import { resolveDevServerExecutable } from '../scripts/temporal-servers.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sim/server.js';
import { prebuiltWorkflowBundle } from '../test/harness/bundle.js';
import { runWorker, startSandbox, timeSkippingEnv } from '../test/harness/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test/harness/webhook-receiver.js';
import { payrollRunId } from '../workflows/ids.js';

const config = z
  .object({
    BENCH_RUNS_PER_MODE: z.coerce.number().int().min(1).max(20).default(5),
    BENCH_THROUGHPUT_RUNS: z.coerce.number().int().min(1).max(200).default(30),
  })
  .parse(process.env);

const RECEIPT = 'GET /v1/payrolls/{payroll_uuid}/receipt';
const log = (line: string) => console.log(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const round = (x: number, places = 1) => Number(x.toFixed(places));

interface Temporal {
  server: DevServerHandle;
  client: Client;
  native: NativeConnection;
  bundlePath: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  // Worker lifecycle lines would bury the report; warnings and errors still show.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const server = await startDevServer({ executable: await resolveDevServerExecutable(), logLevel: 'error' });
  const t: Temporal = {
    server,
    client: new Client({
      connection: await Connection.connect({ address: server.address }),
      namespace: server.namespace,
    }),
    native: await NativeConnection.connect({ address: server.address }),
    bundlePath: await prebuiltWorkflowBundle(log),
  };
  try {
    const waiting = await waitingBench(t);
    const throughput = await throughputBench(t);
    const history = { ...(await fullRunEvents()), eventsToProcessed: throughput.eventsToProcessed };
    const results = {
      at: new Date().toISOString(),
      config,
      waiting,
      throughput,
      history,
      seconds: (Date.now() - started) / 1000,
    };
    report(results);
    await save(results);
  } finally {
    await t.native.close();
    await t.client.connection.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. Calls and notice delay per waiting mode

const MODES = [
  { name: 'signals only', forward: true, polling: false },
  { name: 'signals + polling net', forward: true, polling: true },
  { name: 'polling only', forward: false, polling: true },
] as const;

async function waitingBench(t: Temporal) {
  const runs = config.BENCH_RUNS_PER_MODE;
  const sandbox = await benchSandbox({
    calculateLatencyMs: 2_000,
    submitLatencyMs: 2_000,
    tickMs: 10,
    seed: { companies: runs * MODES.length + 6, seed: 42 },
  });
  const gusto = gustoFor(sandbox);
  const receiver = await startWebhookReceiver(t.client, gusto);
  const companies = sandbox.companies.map((c) => c.uuid);
  const out = [];
  try {
    for (const [i, mode] of MODES.entries()) {
      receiver.forward = mode.forward;
      const mine = companies.slice(i * runs, (i + 1) * runs);
      out.push({ mode: mode.name, ...(await measureMode(t, sandbox, receiver, mine, mode.polling)) });
      log(`waiting: ${mode.name} done`);
    }
  } finally {
    await receiver.close();
    await sandbox.close();
  }
  return out;
}

async function measureMode(
  t: Temporal,
  sandbox: Sandbox,
  receiver: WebhookReceiver,
  companies: string[],
  polling: boolean,
) {
  const taskQueue = `bench-wait-${polling ? 'poll' : 'sig'}-${Date.now()}`;
  const deps = { temporal: t.client, taskQueue };
  return withPayrollWorker(t, sandbox, taskQueue, async () => {
    const before = sandbox.counters();
    const startedRuns = await Promise.all(
      companies.map((companyId) => startPayrollRun(deps, { companyId, polling })),
    );
    const refs = startedRuns.map((s, i) => ({ companyId: companies[i]!, payrollId: s.payrollId }));
    const states = await Promise.all(refs.map((ref) => untilProcessed(deps, ref)));
    const calls = totalGustoCalls(sandbox) - totalGustoCalls(sandbox, before);
    const delays = states.map(
      (s) =>
        Date.parse(s.stageTimes.submitting!) - receiver.arrivals.get(`payroll.calculated:${s.payrollId}`)!,
    );
    await terminate(t, refs);
    return {
      runs: companies.length,
      gustoCallsPerRun: round(calls / companies.length),
      runCallsPerRun: round(mean(states.map((s) => s.gustoCalls))),
      noticeDelayMs: { mean: Math.round(mean(delays)), max: Math.max(...delays), min: Math.min(...delays) },
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// 2. Throughput against a no-op of the same shape

async function throughputBench(t: Temporal) {
  const n = config.BENCH_THROUGHPUT_RUNS;
  const sandbox = await benchSandbox({
    calculateLatencyMs: 0,
    submitLatencyMs: 0,
    webhooks: { enabled: false },
    seed: { companies: 2 * n + 1, seed: 7 },
  });
  try {
    const taskQueue = `bench-throughput-${Date.now()}`;
    const deps = { temporal: t.client, taskQueue };
    const companies = sandbox.companies.map((c) => c.uuid);
    // Two alternating rounds, best of each: a 2-core machine shared with other work is noisy.
    const rounds = [];
    for (const round of [0, 1]) {
      const mine = companies.slice(round * n, (round + 1) * n);
      const payroll = await withPayrollWorker(t, sandbox, taskQueue, async () => {
        if (round === 0) await warmUp(t, deps, companies.at(-1)!);
        return payrollRound(t, sandbox, deps, mine);
      });
      const noop = await noopThroughput(t, n, payroll.activities);
      rounds.push({ payroll, noop });
      log(`throughput: round ${round + 1} done`);
    }
    const payrollBest = Math.max(...rounds.map((r) => r.payroll.perSecond));
    const noopBest = Math.max(...rounds.map((r) => r.noop.perSecond));
    return {
      payrollRunsPerSecond: round(payrollBest, 2),
      noopRunsPerSecond: round(noopBest, 2),
      overheadRatio: round(noopBest / payrollBest, 2),
      rounds: rounds.map((r) => ({
        payroll: round(r.payroll.perSecond, 2),
        noop: round(r.noop.perSecond, 2),
      })),
      runs: n,
      activitiesPerRun: rounds[0]!.payroll.activities,
      eventsToProcessed: rounds[0]!.payroll.eventsToProcessed,
    };
  } finally {
    await sandbox.close();
  }
}

/** Starts one run per company at once; done when every run has fetched its receipt (then: processed). */
async function payrollRound(
  t: Temporal,
  sandbox: Sandbox,
  deps: { temporal: Client; taskQueue: string },
  companies: string[],
) {
  const receiptsBefore = sandbox.counters().calls[RECEIPT] ?? 0;
  const t0 = performance.now();
  const runs = await Promise.all(companies.map((companyId) => startPayrollRun(deps, { companyId })));
  while ((sandbox.counters().calls[RECEIPT] ?? 0) - receiptsBefore < runs.length) await sleep(20);
  const seconds = (performance.now() - t0) / 1000;
  const refs = runs.map((r, i) => ({ companyId: companies[i]!, payrollId: r.payrollId }));
  await untilProcessed(deps, refs[0]!);
  const events = (await t.client.workflow.getHandle(runs[0]!.workflowId).fetchHistory()).events ?? [];
  await terminate(t, refs);
  return {
    perSecond: runs.length / seconds,
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    eventsToProcessed: events.length,
  };
}

/** One run first, so bundle loading and connection set-up stay out of the measurement. */
async function warmUp(t: Temporal, deps: { temporal: Client; taskQueue: string }, companyId: string) {
  const run = await startPayrollRun(deps, { companyId });
  await untilProcessed(deps, { companyId, payrollId: run.payrollId });
  await terminate(t, [{ companyId, payrollId: run.payrollId }]);
}

async function noopThroughput(t: Temporal, runs: number, activities: number) {
  const taskQueue = `bench-noop-${Date.now()}`;
  const worker = await Worker.create({
    connection: t.native,
    namespace: t.server.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
    activities: { noop: async (step: number) => step },
  });
  return worker.runUntil(async () => {
    const one = async (i: number | string) => {
      await t.client.workflow.execute('noopFinderWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-find-${i}`,
      });
      await t.client.workflow.execute('noopRunWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-run-${i}`,
        args: [activities],
      });
    };
    await one('warm-up');
    const t0 = performance.now();
    await Promise.all(Array.from({ length: runs }, (_, i) => one(i)));
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, perSecond: runs / seconds };
  });
}

// ---------------------------------------------------------------------------------------------------
// 3. A whole auto-approved run's history, on the time-skipping server

async function fullRunEvents() {
  const env = await timeSkippingEnv();
  const sandbox = await startSandbox({
    env,
    calculateLatencyMs: 0,
    submitLatencyMs: 0,
    webhooks: { enabled: false },
    quiet: true,
  });
  try {
    const taskQueue = `bench-history-${Date.now()}`;
    const deps = { temporal: env.client, taskQueue };
    return await runWorker(env, { taskQueue, sandbox }, async () => {
      const run = await startPayrollRun(deps, { companyId: sandbox.companies[0]!.uuid });
      await env.client.workflow.getHandle(run.workflowId).result();
      const events = (await env.client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
      log('history: full run done');
      return { eventsWholeRun: events.length };
    });
  } finally {
    await sandbox.close();
    await env.teardown();
  }
}

// ---------------------------------------------------------------------------------------------------
// Plumbing

async function benchSandbox(options: SandboxOptions): Promise<Sandbox> {
  return createSandbox({ port: 0, quiet: true, rateLimitPerMinute: 0, ...options });
}

function gustoFor(sandbox: Sandbox) {
  const companies = Object.fromEntries(sandbox.companies.map((c) => [c.uuid, c.access_token]));
  // The benchmark measures orchestration, not Gusto's per-company rate limit.
  return createGustoClient({
    baseUrl: sandbox.url,
    tokens: staticTokenProvider({ companies, system: sandbox.systemToken }),
    rateLimiter: false,
  });
}

async function withPayrollWorker<T>(
  t: Temporal,
  sandbox: Sandbox,
  taskQueue: string,
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({
    connection: t.native,
    namespace: t.server.namespace,
    taskQueue,
    workflowBundle: { codePath: t.bundlePath },
    activities: createActivities({ gusto: gustoFor(sandbox) }),
  });
  return worker.runUntil(fn);
}

async function untilProcessed(
  deps: { temporal: Client; taskQueue: string },
  ref: { companyId: string; payrollId: string },
) {
  for (;;) {
    const state: PayrollRunState = await getPayrollRunState(deps, ref);
    if (state.stage === 'processed') return state;
    if (['complete', 'cancelled', 'rejected', 'stopped', 'processing_failed'].includes(state.stage)) {
      throw new Error(`run ${ref.payrollId} ended in ${state.stage}: ${state.lastError?.message ?? ''}`);
    }
    await sleep(100);
  }
}

/** Processed runs hold open until the cancel cutoff (days away); the benchmark ends them. */
async function terminate(t: Temporal, refs: Array<{ companyId: string; payrollId: string }>) {
  const handles: WorkflowHandle[] = refs.map((r) =>
    t.client.workflow.getHandle(payrollRunId(r.companyId, r.payrollId)),
  );
  await Promise.all(handles.map((h) => h.terminate('benchmark over').catch(() => undefined)));
}

function totalGustoCalls(sandbox: Sandbox, counters = sandbox.counters()): number {
  return Object.entries(counters.calls)
    .filter(([endpoint]) => endpoint.includes(' /v1/') && !endpoint.includes('webhook_subscriptions'))
    .reduce((sum, [, n]) => sum + n, 0);
}

function report(r: {
  waiting: Awaited<ReturnType<typeof waitingBench>>;
  throughput: Awaited<ReturnType<typeof throughputBench>>;
  history: { eventsWholeRun: number; eventsToProcessed: number };
  seconds: number;
}): void {
  const lines = [
    '',
    'Payroll run benchmark (loopback, in-process sandbox, one worker)',
    '',
    'Waiting on Gusto (2 s calculation and submission), per run:',
    ...r.waiting.map(
      (w) =>
        `  ${w.mode.padEnd(22)} ${String(w.gustoCallsPerRun).padStart(5)} Gusto calls (sandbox count)   ` +
        `calculation noticed after ${w.noticeDelayMs.mean} ms (min ${w.noticeDelayMs.min}, max ${w.noticeDelayMs.max})`,
    ),
    '',
    `Throughput, ${r.throughput.runs} concurrent runs, zero Gusto latency (best of 2 rounds):`,
    `  payroll runs to processed   ${r.throughput.payrollRunsPerSecond} per second`,
    `  no-op runs, same shape      ${r.throughput.noopRunsPerSecond} per second (finder + ${r.throughput.activitiesPerRun} activities)`,
    `  orchestration overhead      x${r.throughput.overheadRatio}`,
    '',
    'History events per auto-approved run:',
    `  up to processed (dev server)               ${r.history.eventsToProcessed}`,
    `  whole run, through the cancel cutoff       ${r.history.eventsWholeRun}`,
    '',
    `(${r.seconds.toFixed(0)} s)`,
  ];
  console.log(lines.join('\n'));
}

async function save(results: object): Promise<void> {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${file}`);
}

await main();
