/**
 * `npm run bench:payday`: payday at scale. N companies whose regular payrolls share one deadline; each
 * company's payroll Schedule (client/schedules.ts) is created and triggered, so every run starts the
 * way production starts it (upcomingPayrollsWorkflow). A share of the runs needs manual review and is
 * approved by a simulated reviewer; a share of companies also pays a contractor (single payments and
 * groups). Webhooks reach the API's ingress; runs keep their polling net.
 *
 * Reports: time until the last run is processed, runs/s over time, Gusto calls per run against the
 * minimum, 429s and limiter waits, calculated → noticed percentiles, RSS and event-loop lag of the
 * worker process (dev: bench/payday-worker.ts; the bench process's RSS apart), history events per run
 * (sample), when the firings' scans started, and a no-op payday of the same shape on the same server
 * (Schedules triggered the same way, firing a scan that starts a run of no-op activities), as a ratio.
 *
 * Environment: PAYDAY_COMPANIES (1000, max 10000), PAYDAY_TOPOLOGY (dev | cluster), PAYDAY_TIMEOUT_S (1200),
 * PAYDAY_MANUAL_SHARE (0.2), PAYDAY_CONTRACTOR_SHARE (0.1; a quarter of them as groups),
 * PAYDAY_LATENCY_MS (1000: the sandbox's calculation and submission time), PAYDAY_NOOP (on | off: off
 * skips the no-op side, for a 10,000-company run where the day's length, not the ratio, is the question).
 */
import { z } from 'zod';
import { createPayrollActivities, PAYROLL_ENDPOINT } from '../activities/payroll.js';
import { startContractorPayment, startContractorPaymentGroup } from '../client/contractor-payments.js';
import { approvePayrollRun, getPayrollRunState, type PayrollRunState } from '../client/payroll.js';
import { createPayrollSchedule } from '../client/schedules.js';
import type { Sandbox, SeededCompany } from '../sim/server.js';
import { upcomingPayrollsScheduleId } from '../workflows/ids.js';
import { fireAll, firingTimeline, noopPaydayThroughput } from './payday-firings.js';
import {
  gustoFor,
  inBatches,
  log,
  machineBusyMs,
  mean,
  ownCpuMs,
  percentile,
  ratePerWindow,
  quietRuntime,
  round,
  saveResults,
  sleep,
  terminate,
  type Temporal,
} from './harness.js';
import { clusterStage } from './payday-cluster.js';
import { historyTimeline, noticedProfile, runHistory } from './payday-profile.js';
import { devStage, paydaySandbox, PAYDAY_TIME_ZONE, type PaydayStage } from './payday-world.js';
import { workerMemorySettings } from '../workers/process-memory.js';
import { workerOptionsFrom } from '../workers/config-worker.js';
import { loadConfig } from '../workers/config.js';

const config = z
  .object({
    PAYDAY_COMPANIES: z.coerce.number().int().min(1).max(10_000).default(1000),
    PAYDAY_TOPOLOGY: z.enum(['dev', 'cluster']).default('dev'),
    PAYDAY_TIMEOUT_S: z.coerce.number().int().min(30).max(7200).default(1200),
    PAYDAY_MANUAL_SHARE: z.coerce.number().min(0).max(1).default(0.2),
    PAYDAY_CONTRACTOR_SHARE: z.coerce.number().min(0).max(1).default(0.1),
    PAYDAY_LATENCY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
    PAYDAY_NOOP: z.enum(['on', 'off']).default('on'),
  })
  .parse(process.env);

const RECEIPT = 'GET /v1/payrolls/{payroll_uuid}/receipt';
const DAY = 86_400_000;
const HISTORY_SAMPLE = 10;
/** Runs whose state is read after the day: all of them up to this many, else an even sample. */
const STATE_SAMPLE = 2000;
const SCAN_HOUR = 3;
/**
 * The payroll workers' tuning: they get this process's env with the Gusto and metrics settings
 * overridden (bench/payday-worker.ts, bench/payday-cluster.ts), so the same overrides here read the
 * same WORKER_* values without tripping over a shell's own Gusto or metrics variables.
 */
const workerTuning = loadConfig({ ...process.env, GUSTO_TOKEN_SOURCE: 'sandbox', METRICS_PORT: '' }).worker;

/**
 * The settings the worker processes ran with: memory (workers/process-memory.ts, then the bench's
 * flags) and tuning (the WORKER_* variables: the workflow cache above all, see docs/BENCHMARKS.md).
 */
function workerSettings() {
  return {
    tuning: workerTuning,
    ...workerMemorySettings(process.env),
    // Dev only (the cluster's workers start with fixed arguments); on the command line, they win.
    PAYDAY_WORKER_NODE_ARGS:
      config.PAYDAY_TOPOLOGY === 'dev' ? (process.env.PAYDAY_WORKER_NODE_ARGS ?? '') : null,
  };
}

function evenSample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  // ERROR: ending the open runs makes their polling activities' late completions warn, harmlessly.
  quietRuntime('ERROR');
  const sandbox = await paydaySandbox(config.PAYDAY_COMPANIES, config.PAYDAY_LATENCY_MS);
  const companies = sandbox.companies;
  log(`sandbox: ${companies.length} companies in ${Date.now() - startedAt} ms`);
  let stage: PaydayStage | undefined;
  try {
    stage =
      config.PAYDAY_TOPOLOGY === 'dev'
        ? await devStage(sandbox, companies)
        : await clusterStage(sandbox, gustoFor(sandbox, companies));
    const results = await payday(stage, sandbox, companies, startedAt);
    printTable(results);
    // Another company count gets a file of its own, so the default run's results stay.
    const suffix = config.PAYDAY_COMPANIES === 1000 ? '' : `-${config.PAYDAY_COMPANIES}`;
    await saveResults(`payday-${config.PAYDAY_TOPOLOGY}${suffix}`, results);
  } catch (err) {
    // Printed before the connections close: calls still retrying would otherwise hide it.
    console.error('[bench] payday failed:', err);
    process.exitCode = 1;
  } finally {
    await stage?.close();
    await sandbox.close();
  }
}

async function payday(stage: PaydayStage, sandbox: Sandbox, companies: SeededCompany[], startedAt: number) {
  const n = config.PAYDAY_COMPANIES;
  const deadline = startedAt + config.PAYDAY_TIMEOUT_S * 1000;
  const t = stage.temporal;
  const taskQueue = stage.taskQueue;
  // The bench's own calls (schedules, reviewer) use a client of their own, without the workers' limiter.
  const gusto = gustoFor(sandbox, companies);
  const deps = { temporal: t.client, taskQueue, gusto };
  const unfinished: string[] = [];
  const lookAheadDays = await daysToDeadline(gusto, companies[0]!.uuid);
  const manual = new Set(companies.slice(0, Math.round(n * config.PAYDAY_MANUAL_SHARE)).map((c) => c.uuid));
  await inBatches(companies, 32, (c) =>
    createdOnce(() =>
      createPayrollSchedule(deps, {
        companyId: c.uuid,
        timeZone: PAYDAY_TIME_ZONE,
        // Fires daily at 03:00 Pacific; the bench triggers it now instead of waiting.
        hour: SCAN_HOUR,
        daysOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'],
        lookAheadDays,
        review: manual.has(c.uuid) ? 'manual' : 'auto',
      }),
    ),
  );
  log(`schedules: ${n} created (look-ahead ${lookAheadDays} days, ${manual.size} manual review)`);

  const before = sandbox.counters();
  const t0 = Date.now();
  const cpu0 = { machine: machineBusyMs(), worker: stage.workerCpuMs?.(), bench: ownCpuMs() };
  // A run has fetched its receipt once it is processed: the sandbox's count is the progress.
  const timeline: Array<{ s: number; processed: number }> = [];
  const sampler = setInterval(() => {
    const processed = (sandbox.counters().calls[RECEIPT] ?? 0) - (before.calls[RECEIPT] ?? 0);
    timeline.push({ s: round((Date.now() - t0) / 1000), processed });
    if (timeline.length % 30 === 0) log(`${timeline.at(-1)!.s} s: ${processed} runs processed`);
  }, 1000);
  sampler.unref(); // a failure must not keep the process alive
  await fireAll(
    t,
    companies.map((c) => upcomingPayrollsScheduleId(c.uuid)),
  );
  const triggeredAfterS = round((Date.now() - t0) / 1000);
  log(`schedules: ${n} triggered in ${triggeredAfterS} s`);
  const contractors = startContractors(deps, companies, deadline);
  const reviewer = simulatedReviewer(t, deps, deadline);

  const expected = await runsStarted(t, taskQueue, n, deadline);
  if (expected.length < n) unfinished.push(`companies: ${n - expected.length} of ${n} had no run started`);
  for (;;) {
    const processed = timeline.at(-1)?.processed ?? 0;
    if (processed >= expected.length) break;
    if (Date.now() > deadline) {
      unfinished.push(`payroll runs: ${expected.length - processed} of ${expected.length} not processed`);
      break;
    }
    await sleep(250);
  }
  const cpu = cpuPerRun(cpu0, stage, timeline.at(-1)?.processed ?? 0);
  // The state reads below replay every run the worker no longer caches: their peak is the bench's own.
  const workerRssUntilProcessedMb = stage.workerRssMaxSoFarMb();
  clearInterval(sampler);
  const lastProcessedAfterS = timeline.at(-1)?.s ?? NaN;
  await reviewer.stop();
  const contractorOutcome = await contractors;
  if (contractorOutcome.failed)
    unfinished.push(`contractor payments: ${contractorOutcome.failed} failed to start`);
  const after = sandbox.counters();

  // Each state is a query the worker answers, replaying the run if it is not cached: past
  // STATE_SAMPLE runs an even sample stands for the day, and the sandbox's receipts count processed.
  const sampled = evenSample(expected, STATE_SAMPLE);
  const states = await inBatches(sampled, 32, (ref) =>
    getPayrollRunState(deps, ref).catch(() => undefined as PayrollRunState | undefined),
  );
  const slowestRuns = await Promise.all(
    slowest(states, t0, 3).map(async (r) => ({
      ...r,
      history: await historyTimeline(t, r, t0),
    })),
  );
  const historyEvents = await sampleHistories(t, expected.slice(0, HISTORY_SAMPLE));
  // From the sample's histories: noticed ends when the acting task completes, which the run's stage
  // times (the workflow clock at a task's start) cannot tell.
  const noticed = await noticedProfile(t, sampled, (id) => stage.arrivalOf(id));
  await terminate(t, expected);
  const submits = Object.values(after.submits_per_payroll);
  const calls = callBreakdown(before.calls, after.calls, expected.length);
  const payrollPerSecond = (timeline.at(-1)?.processed ?? 0) / Math.max(lastProcessedAfterS, 0.001);
  const firings = await firingTimeline(
    t,
    `WorkflowType = 'upcomingPayrollsWorkflow' AND TaskQueue = '${taskQueue}'`,
    t0,
  );
  const serverWarnings = stage.serverWarnings?.();
  const noop = await noopSide(stage, expected.length, mean(historyEvents.activities), lastProcessedAfterS);
  if (noop && noop.done < noop.runs)
    unfinished.push(`no-op baseline: ${noop.runs - noop.done} of ${noop.runs} not done`);
  const proc = stage.process();
  const limiterStats = stage.limiter;
  const webhooks = stage.webhooks();
  return {
    at: new Date().toISOString(),
    topology: config.PAYDAY_TOPOLOGY,
    config,
    workerSettings: workerSettings(),
    companies: n,
    runs: expected.length,
    processed:
      sampled.length === expected.length
        ? states.filter((st) => st?.stage === 'processed').length
        : (timeline.at(-1)?.processed ?? 0),
    statesRead: { sampled: sampled.length, of: expected.length },
    manualReviews: manual.size,
    approvedByReviewer: reviewer.approved,
    contractorPayments: contractorOutcome,
    duplicateSubmits: submits.filter((k) => k > 1).length,
    http429: limiterStats?.http429 ?? null,
    limiter: limiterStats ? { ...limiterStats, waitedMs: Math.round(limiterStats.waitedMs) } : null,
    workerRssMaxMb: proc.rssMaxMb,
    workerRssMaxUntilProcessedMb: workerRssUntilProcessedMb,
    benchProcessRssMaxMb: proc.benchRssMaxMb ?? null,
    eventLoopLagMs: proc.eventLoopLagMs ?? null,
    lastProcessedAfterS,
    runsPerSecond: round(payrollPerSecond, 2),
    timeline: ratePerWindow(
      timeline.map((p) => ({ s: p.s, count: p.processed })),
      10,
    ),
    triggeredAfterS,
    firings,
    noopRunsPerSecond: noop ? round(noop.perSecond, 2) : null,
    noop: noop ? { ...noop, perSecond: round(noop.perSecond, 2) } : null,
    orchestrationRatio: noop ? round(payrollPerSecond / noop.perSecond, 2) : null,
    // Machine CPU per run done on each side, and no-op ÷ payroll: the same ratio by work done.
    coreSecondsPerRun: {
      payroll: cpu.machine,
      noop: noop ? round(noop.coreSecondsPerRun, 3) : null,
      ratio: noop ? round(noop.coreSecondsPerRun / cpu.machine, 2) : null,
      payrollByProcess: cpu.byProcess,
    },
    callsPerRun: calls.perRun,
    minimumCallsPerRun: calls.minimum,
    callsByEndpointPerRun: calls.byEndpoint,
    otherProcessCalls: calls.other,
    noticedMs: noticed,
    noticedP95Ms: noticed.p95,
    historyEventsPerRun: historyEvents,
    webhookEvents: webhooks.events,
    webhookFailures: webhooks.failures,
    slowestRuns,
    serverWarnings: serverWarnings ?? null,
    unfinished,
    seconds: round((Date.now() - startedAt) / 1000),
  };
}

/** The no-op payday of the same shape, unless PAYDAY_NOOP=off. */
async function noopSide(stage: PaydayStage, runs: number, activities: number, payrollSideS: number) {
  if (config.PAYDAY_NOOP === 'off') return undefined;
  log(`payroll side done; the no-op payday of the same shape (${runs} Schedules) next`);
  const payrollTemporal = stage.temporal;
  const onBaseline = await stage.baselineTemporal();
  return noopPaydayThroughput(onBaseline, {
    runs,
    activities: Math.round(activities),
    spec: { calendars: [{ hour: SCAN_HOUR }], timezone: PAYDAY_TIME_ZONE },
    // Its own bound, no longer than the payroll side took (a slower no-op is measured on what it did).
    deadline: Date.now() + Math.min(config.PAYDAY_TIMEOUT_S, Math.max(120, payrollSideS)) * 1000,
    workerOptions: workerOptionsFrom(workerTuning),
  }).finally(() => (onBaseline !== payrollTemporal ? onBaseline.close() : undefined));
}

/**
 * Set-up, not payday: creating thousands of Schedules on a busy dev server, the describe that follows
 * each create (a query the server's scheduler answers) can time out. Tried again; a conflict then
 * means the earlier attempt did create it.
 */
async function createdOnce(create: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await create();
      return;
    } catch (err) {
      if ((err as { code?: string }).code === 'conflict' && attempt > 1) return;
      if (attempt >= 5) throw err;
      await sleep(1000 * attempt);
    }
  }
}

/** Whole days from now to the first company's next regular deadline: the look-ahead that finds it. */
async function daysToDeadline(gusto: ReturnType<typeof gustoFor>, companyId: string): Promise<number> {
  const now = Date.now();
  const { result } = await createPayrollActivities({ gusto }).listUpcomingPayrolls({
    companyId,
    from: new Date(now).toISOString(),
    to: new Date(now + 60 * DAY).toISOString(),
  });
  const first = result[0];
  if (!first) throw new Error('the sandbox lists no upcoming regular payroll');
  return Math.max(1, Math.ceil((Date.parse(first.deadline) - now) / DAY));
}

/** Every payroll run the firings started, once their count stops growing. */
async function runsStarted(t: Temporal, taskQueue: string, companies: number, deadline: number) {
  let refs: Array<{ companyId: string; payrollId: string }> = [];
  for (let stable = 0; stable < 3 && Date.now() < deadline;) {
    const next: typeof refs = [];
    for await (const w of t.client.workflow.list({
      query: `WorkflowType = 'payrollRunWorkflow' AND TaskQueue = '${taskQueue}'`,
    })) {
      const [, companyId, payrollId] = /^payroll:([^:]+):(.+)$/.exec(w.workflowId) ?? [];
      if (companyId && payrollId) next.push({ companyId, payrollId });
    }
    stable = next.length === refs.length && next.length >= companies ? stable + 1 : 0;
    refs = next;
    // Listing every run is itself load on the server: not too often.
    await sleep(3000);
  }
  return refs;
}

/** Approves every run waiting for review, with the totals it shows, until stopped. */
function simulatedReviewer(
  t: Temporal,
  deps: { temporal: Temporal['client']; taskQueue: string },
  deadline: number,
) {
  let stopped = false;
  const done = new Set<string>();
  const reviewRound = async () => {
    const waiting: Array<{ companyId: string; payrollId: string }> = [];
    for await (const w of t.client.workflow.list({
      query: `WorkflowType = 'payrollRunWorkflow' AND TaskQueue = '${deps.taskQueue}' AND Stage = 'awaiting_review'`,
    })) {
      const [, companyId, payrollId] = /^payroll:([^:]+):(.+)$/.exec(w.workflowId) ?? [];
      if (companyId && payrollId && !done.has(payrollId)) waiting.push({ companyId, payrollId });
    }
    await inBatches(waiting, 16, async (ref) => {
      const state = await getPayrollRunState(deps, ref);
      if (state.stage !== 'awaiting_review' || !state.totals) return;
      await approvePayrollRun(deps, { ...ref, totals: state.totals, by: 'payday-bench' });
      done.add(ref.payrollId);
    });
  };
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      // A failed listing or approval is tried again on the next round.
      await reviewRound().catch(() => undefined);
      await sleep(500);
    }
  })();
  return {
    get approved() {
      return done.size;
    },
    stop() {
      stopped = true;
      return loop;
    },
  };
}

/** A share of companies pays one contractor: three in four as single payments, the rest as groups. */
async function startContractors(
  deps: { temporal: Temporal['client']; taskQueue: string },
  companies: SeededCompany[],
  deadline: number,
) {
  const count = Math.round(companies.length * config.PAYDAY_CONTRACTOR_SHARE);
  const date = new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10);
  const paying = companies.slice(companies.length - count);
  let payments = 0;
  let groups = 0;
  let failed = 0;
  const errors = new Set<string>();
  // How long a caller waited for its answer (check, start, preview), failed requests included.
  const answeredMs: number[] = [];
  await inBatches(paying, 16, async (c) => {
    const contractor = c.contractors.find((x) => x.is_active) ?? c.contractors[0];
    if (!contractor || Date.now() > deadline) return;
    const line =
      contractor.wage_type === 'Hourly'
        ? { contractorId: contractor.uuid, hours: '8.000' }
        : { contractorId: contractor.uuid, wage: '750.00' };
    const paid = {
      ...line,
      paymentMethod: contractor.payment_method === 'Check' ? 'Check' : 'Direct Deposit',
    };
    const asked = Date.now();
    try {
      if (groups * 3 < payments) {
        groups++;
        await startContractorPaymentGroup(deps, { companyId: c.uuid, checkDate: date, payments: [paid] });
      } else {
        payments++;
        await startContractorPayment(deps, { companyId: c.uuid, date, ...paid });
      }
    } catch (err) {
      failed++;
      errors.add((err as Error).message.slice(0, 160));
    }
    answeredMs.push(Date.now() - asked);
  });
  const answered = (p: number) => (answeredMs.length ? Math.round(percentile(answeredMs, p)) : null);
  return {
    payments,
    groups,
    failed,
    errors: [...errors].slice(0, 3),
    answeredMs: { p50: answered(50), p95: answered(95), max: answered(100) },
  };
}

/** History length and activities of a sample of runs (they are open: events until processed). */
async function sampleHistories(t: Temporal, refs: Array<{ companyId: string; payrollId: string }>) {
  const sample = await Promise.all(
    refs.map(async (r) => {
      const events = await runHistory(t, r);
      return {
        events: events.length,
        activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
      };
    }),
  );
  const events = sample.map((s) => s.events);
  return {
    sampled: sample.length,
    meanEvents: round(mean(events)),
    maxEvents: Math.max(...events),
    activities: sample.map((s) => s.activities),
  };
}

/**
 * One run's Gusto calls when nothing repeats: find, blockers, prepare, calculate, submit, receipt, and
 * one read of the payroll per wait (calculated, processed). A webhook only wakes the run; the read
 * decides (DESIGN, "Waiting on Gusto"), so each wait ends on exactly one read at best.
 */
const MINIMUM_CALLS: Partial<Record<keyof typeof PAYROLL_ENDPOINT, number>> = {
  list: 1,
  blockers: 1,
  prepare: 1,
  calculate: 1,
  get: 2,
  submit: 1,
  receipt: 1,
};

/**
 * The payroll process's calls per run, overall and per endpoint, against MINIMUM_CALLS. Calls to
 * endpoints the payroll process never uses (contractor payments read the company, for one) are
 * reported apart as `other`, so they do not count against the runs.
 */
function callBreakdown(before: Record<string, number>, after: Record<string, number>, runs: number) {
  const delta = (endpoint: string) => (after[endpoint] ?? 0) - (before[endpoint] ?? 0);
  const payroll = new Set<string>(Object.values(PAYROLL_ENDPOINT));
  const byEndpoint: Record<string, number> = {};
  const other: Record<string, number> = {};
  let total = 0;
  for (const endpoint of Object.keys(after)) {
    const d = delta(endpoint);
    if (d <= 0 || !endpoint.includes(' /v1/') || endpoint.includes('webhook_subscriptions')) continue;
    if (!payroll.has(endpoint)) other[endpoint] = d;
    else {
      byEndpoint[endpoint] = round(d / runs, 2);
      total += d;
    }
  }
  const minimum = Object.values(MINIMUM_CALLS).reduce((a, b) => a + b, 0);
  return { perRun: round(total / runs, 2), minimum, byEndpoint, other };
}

/**
 * Core-seconds per processed run: the machine's, and split into the worker process (dev), this process
 * (sandbox, ingress, reviewer, clients) and the rest (the Temporal server, and PostgreSQL on a cluster).
 */
function cpuPerRun(
  at0: { machine: number; worker: number | undefined; bench: number },
  stage: PaydayStage,
  runs: number,
) {
  const per = (ms: number) => round(ms / 1000 / Math.max(runs, 1), 3);
  const machine = machineBusyMs() - at0.machine;
  const bench = ownCpuMs() - at0.bench;
  const worker = at0.worker === undefined ? undefined : stage.workerCpuMs!() - at0.worker;
  const byProcess =
    worker === undefined
      ? { bench: per(bench), rest: per(machine - bench) }
      : { worker: per(worker), bench: per(bench), server: per(machine - bench - worker) };
  return { machine: per(machine), byProcess };
}

/** ingress→signal, signal→woken task, task→read done, read→acted on. */
function profileLine(p: Awaited<ReturnType<typeof noticedProfile>>): string {
  const parts = p.segments.map((s) => `${s.segment} ${s.p50}/${s.p95}`);
  return `${parts.join(', ')} (${p.samples} runs)`;
}

/**
 * The runs processed last, with when each entered each stage (seconds from the first trigger), its
 * webhooks and calls: a straggler shows where it waited.
 */
function slowest(states: Array<PayrollRunState | undefined>, t0: number, count: number) {
  // A run not processed sorts first: it is the slowest of all.
  const processedAt = (s: PayrollRunState) =>
    Date.parse(s.stageTimes.processed ?? '') || Number.MAX_SAFE_INTEGER;
  return states
    .filter((s): s is PayrollRunState => s !== undefined)
    .sort((a, b) => processedAt(b) - processedAt(a))
    .slice(0, count)
    .map((s) => ({
      companyId: s.companyId,
      payrollId: s.payrollId,
      review: s.review.policy,
      webhookEvents: s.webhookEvents,
      gustoCalls: s.gustoCalls,
      stagesAtS: Object.fromEntries(
        Object.entries(s.stageTimes).map(([stage, at]) => [stage, round((Date.parse(at) - t0) / 1000)]),
      ),
    }));
}

function printTable(r: Awaited<ReturnType<typeof payday>>): void {
  const rows: Array<[string, string | number]> = [
    ['companies (runs started)', `${r.companies} (${r.runs})`],
    ['processed', `${r.processed} of ${r.runs}`],
    ['last run processed after', `${r.lastProcessedAfterS} s`],
    ['runs/s (payroll / no-op, same shape)', `${r.runsPerSecond} / ${r.noopRunsPerSecond ?? '-'}`],
    [
      'scans started: last after (payroll / no-op)',
      `${r.firings.lastStartedAfterS} s / ${r.noop?.firings.lastStartedAfterS ?? '-'} s (triggers sent in ${r.triggeredAfterS} s)`,
    ],
    [
      'CPU per run, core-s (payroll / no-op = ratio)',
      `${r.coreSecondsPerRun.payroll} / ${r.coreSecondsPerRun.noop ?? '-'} = ${r.coreSecondsPerRun.ratio ?? '-'}`,
    ],
    [
      '  payroll side by process',
      Object.entries(r.coreSecondsPerRun.payrollByProcess)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['orchestration ratio', r.orchestrationRatio ?? '- (PAYDAY_NOOP=off)'],
    ['manual reviews approved', `${r.approvedByReviewer} of ${r.manualReviews}`],
    [
      'contractor payments / groups (failed)',
      `${r.contractorPayments.payments} / ${r.contractorPayments.groups} (${r.contractorPayments.failed})`,
    ],
    [
      '  answered p50 / p95 / max',
      r.contractorPayments.answeredMs.p50 === null
        ? '-'
        : `${r.contractorPayments.answeredMs.p50} / ${r.contractorPayments.answeredMs.p95} / ${r.contractorPayments.answeredMs.max} ms`,
    ],
    ['Gusto calls per run (minimum)', `${r.callsPerRun} (${r.minimumCallsPerRun})`],
    ['duplicate submits', r.duplicateSubmits],
    [
      '429s / limiter waits',
      r.limiter
        ? `${r.http429} / ${r.limiter.waits} (${r.limiter.waitedMs} ms)`
        : 'not visible (worker processes)',
    ],
    [
      r.statesRead.sampled < r.statesRead.of
        ? `slowest runs of ${r.statesRead.sampled} sampled (stage: s after first trigger)`
        : 'slowest runs (stage: s after first trigger)',
      r.slowestRuns
        .map((x) =>
          Object.entries(x.stagesAtS)
            .map(([stage, at]) => `${stage} ${at}`)
            .join(', '),
        )
        .join(' | '),
    ],
    ['calculated → noticed p50/p95/p99', `${r.noticedMs.p50} / ${r.noticedMs.p95} / ${r.noticedMs.p99} ms`],
    ['  where (p50/p95 ms)', profileLine(r.noticedMs)],
    [
      r.topology === 'dev' ? 'RSS max (worker process)' : 'RSS max (largest worker process)',
      `${r.workerRssMaxMb} MB (${r.workerRssMaxUntilProcessedMb} MB until the last run processed; then the state reads)`,
    ],
    [
      'RSS max (bench: sandbox, ingress, clients)',
      r.benchProcessRssMaxMb ? `${r.benchProcessRssMaxMb} MB` : '-',
    ],
    [
      'event-loop lag p50/p99/max',
      r.eventLoopLagMs
        ? `${r.eventLoopLagMs.p50} / ${r.eventLoopLagMs.p99} / ${r.eventLoopLagMs.max} ms`
        : 'not visible (worker processes)',
    ],
    [
      'history events per run (sample)',
      `${r.historyEventsPerRun.meanEvents} (max ${r.historyEventsPerRun.maxEvents})`,
    ],
    ['runs/s over time (10 s windows)', r.timeline.map((w) => w.perSecond).join(' ')],
    ['scans started/s over time (10 s windows)', r.firings.perWindow.map((w) => w.perSecond).join(' ')],
    [
      'Temporal server warnings and errors',
      r.serverWarnings
        ? Object.entries(r.serverWarnings)
            .map(([line, n]) => `${n} × ${line}`)
            .join('; ') || 'none'
        : 'not read (dev)',
    ],
  ];
  console.log(`\nPayday benchmark, ${r.topology} topology (${r.seconds} s)\n`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(40)} ${v}`);
  if (r.unfinished.length) console.log(`\n  NOT FINISHED: ${r.unfinished.join('; ')}`);
  console.log('');
}

await main();
