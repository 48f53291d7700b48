/**
 * `npm run bench:budget-workflows`: issue 12's load scenario through the workflows. The cluster start
 * code (scripts/cluster: PostgreSQL, Temporal server, three production worker processes sharing one
 * budget in PostgreSQL, the HTTP API and its webhook ingress) against the bench's sandbox. Per phase,
 * one company of BUDGET_EMPLOYEES employees and BUDGET_PAYMENTS Direct Deposit contractors: a regular
 * payroll run with an edit for every employee's compensation, and one payment per contractor, all
 * started at once; when the payroll is processed and every payment waits for funding, the sandbox
 * clock moves past the debit instant so the payments fund and the runs fetch their receipts.
 *
 * Phase 1 keeps the sandbox at Gusto's 200 per rolling minute, phase 2 lowers it (BUDGET_LOW_LIMIT)
 * so 429s come. What the sandbox saw is read from its own per-company record
 * (GET /sandbox/companies/{id}/requests): the most requests in any rolling 60 s, the 429s, and the
 * requests that arrived while a Retry-After it had announced was still open. Exactly once from its
 * counters. BUDGET_TIMEOUT_S bounds the whole run; on timeout it still reports what did not finish.
 * Results go to bench/results/shared-budget-workflows-low-<BUDGET_LOW_LIMIT>.json.
 */
import { loadavg } from 'node:os';
import { z } from 'zod';
import { createPayrollActivities } from '../activities/payroll.js';
import { getContractorPaymentState, startContractorPayment } from '../client/contractor-payments.js';
import { getPayrollRunState, startPayrollRun } from '../client/payroll.js';
import type { RecordedRequest } from '../sim/request-log.js';
import { companySpecSchema } from '../sim/seed-spec.js';
import { createSandbox, type Sandbox, type SeededCompany } from '../sim/server.js';
import {
  gustoFor,
  inBatches,
  log,
  quietRuntime,
  round,
  saveResults,
  sleep,
  terminate,
  type Temporal,
} from './harness.js';
import { clusterStage } from './payday-cluster.js';

const config = z
  .object({
    BUDGET_TIMEOUT_S: z.coerce.number().int().min(60).max(7200).default(1800),
    BUDGET_EMPLOYEES: z.coerce.number().int().min(1).max(3000).default(520),
    BUDGET_PAYMENTS: z.coerce.number().int().min(1).max(200).default(50),
    BUDGET_LOW_LIMIT: z.coerce.number().int().min(20).max(199).default(60),
  })
  .parse(process.env);

const DAY = 86_400_000;
const deadline = Date.now() + config.BUDGET_TIMEOUT_S * 1000;

/** One company: semimonthly in Pacific time, the employees, and contractors never paid before. */
function companySpec(key: string) {
  const n = config.BUDGET_EMPLOYEES;
  const salaried = Math.floor(n / 4);
  return companySpecSchema.parse({
    key,
    name: `Budget ${key} LLC`,
    location: { street_1: '1 Market St', city: 'San Francisco', state: 'CA', zip: '94105' },
    time_zone: 'America/Los_Angeles',
    pay_schedule: 'semimonthly',
    employees: {
      salaried_exempt: salaried,
      salaried_nonexempt: salaried,
      hourly: n - 2 * salaried,
      check_count: Math.floor(n / 20),
    },
    contractors: Array.from({ length: config.BUDGET_PAYMENTS }, () => ({
      wage_type: 'Fixed',
      payment_method: 'Direct Deposit',
      payments: 'none',
    })),
  });
}

async function sandboxCall(sandbox: Sandbox, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : ((await res.json()) as unknown);
}

type Deps = Parameters<typeof startPayrollRun>[0];

async function main(): Promise<void> {
  const startedAt = Date.now();
  // The machine is shared: the load around the run says how to read its times.
  const loadAverageAtStart = loadavg().map((x) => round(x, 2));
  log(`load average at start ${loadAverageAtStart.join(' ')}`);
  quietRuntime('ERROR');
  const sandbox = await createSandbox({
    port: 0,
    quiet: true,
    seed: { seed: 12, companies: 2, fixtures: [companySpec('phase-1'), companySpec('phase-2')] },
    calculateLatencyMs: 1000,
    submitLatencyMs: 1000,
    webhooks: { enabled: true },
  });
  const companies = sandbox.companies;
  // The bench's own Gusto calls (picking each phase's payroll) go outside the workers' budget.
  const gusto = gustoFor(sandbox, companies);
  const stage = await clusterStage(sandbox, gusto, { workers: 3 });
  try {
    const phases = [];
    for (const [i, limit] of [200, config.BUDGET_LOW_LIMIT].entries())
      phases.push(await phase(stage.temporal, stage.taskQueue, sandbox, gusto, companies[i]!, limit));
    const results = {
      at: new Date().toISOString(),
      config,
      workers: 3,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      phases,
      seconds: round((Date.now() - startedAt) / 1000),
    };
    for (const p of phases) printPhase(p);
    await saveResults(`shared-budget-workflows-low-${config.BUDGET_LOW_LIMIT}`, results);
  } catch (err) {
    console.error('[bench] failed:', err);
    process.exitCode = 1;
  } finally {
    await stage.close();
    await sandbox.close();
  }
}

async function phase(
  t: Temporal,
  taskQueue: string,
  sandbox: Sandbox,
  gusto: ReturnType<typeof gustoFor>,
  company: SeededCompany,
  limit: number,
) {
  const deps: Deps = { temporal: t.client, taskQueue };
  await sandboxCall(sandbox, 'PUT', '/sandbox/config', { rate_limit_per_minute: limit });
  const now = (await sandbox.now()).getTime();
  // A payroll whose deadline is ahead on the sandbox clock (which earlier phases moved forward).
  const { result: upcoming } = await createPayrollActivities({ gusto }).listUpcomingPayrolls({
    companyId: company.uuid,
    from: new Date(now + DAY).toISOString(),
    to: new Date(now + 60 * DAY).toISOString(),
  });
  const payroll = upcoming[0];
  if (!payroll) throw new Error(`${company.key}: no upcoming regular payroll`);
  // Same date as the payroll's check date: a bank day with the Direct Deposit lead, debited at its deadline.
  const date = payroll.checkDate;
  const ref = { companyId: company.uuid, payrollId: payroll.payrollId };
  const edits = company.employees.map((e) => ({ employeeId: e.uuid, fixed: { Bonus: '100.00' } }));
  const before = sandbox.counters();
  log(`${company.key}: limit ${limit}/min, ${edits.length} edits, ${company.contractors.length} payments`);

  const t0 = Date.now();
  const starts = { retries: 0, errors: new Set<string>() };
  const keys: string[] = [];
  await Promise.all([
    startUntil(starts, () => startPayrollRun(deps, { ...ref, edits, review: 'auto' })),
    ...company.contractors.map(async (c) => {
      const started = await startUntil(starts, () =>
        startContractorPayment(deps, {
          companyId: company.uuid,
          date,
          contractorId: c.uuid,
          wage: '750.00',
          paymentMethod: 'Direct Deposit',
        }),
      );
      if (started) keys.push(started.businessKey);
    }),
  ]);
  const startedAfterS = round((Date.now() - t0) / 1000);
  log(`${company.key}: started in ${startedAfterS} s (${starts.retries} starts tried again)`);

  const progress = () => stagesOf(deps, company.uuid, ref, keys);
  const created = await until(
    progress,
    (s) =>
      isProcessed(s.payroll) &&
      s.payments.every((p) => p !== 'validating' && p !== 'previewing' && p !== 'creating'),
  );
  const createdAfterS = round((Date.now() - t0) / 1000);
  // The debit instant is the payroll's deadline (4 pm Pacific, two bank days before the check date).
  const fundAt = Date.parse(payroll.deadline) + 3_600_000;
  const clockMovedAfterS = round((Date.now() - t0) / 1000);
  if ((await sandbox.now()).getTime() < fundAt)
    await sandboxCall(sandbox, 'POST', '/sandbox/clock', { set: new Date(fundAt).toISOString() });
  const final = await until(
    progress,
    (s) => isProcessed(s.payroll) && s.payments.every((p) => p === 'funded'),
  );
  const end = Date.now();
  const doneAfterS = round((end - t0) / 1000);
  await terminate(t, [ref]); // a processed run holds open until the cancel cutoff

  const after = sandbox.counters();
  const record = (
    (await sandboxCall(sandbox, 'GET', `/sandbox/companies/${company.uuid}/requests`)) as {
      requests: RecordedRequest[];
    }
  ).requests;
  const paymentsCreated = company.contractors.map(
    (c) =>
      (after.payments_per_contractor_date[`${c.uuid}:${date}`] ?? 0) -
      (before.payments_per_contractor_date[`${c.uuid}:${date}`] ?? 0),
  );
  const unfinished: string[] = [];
  if (keys.length < company.contractors.length)
    unfinished.push(`payments started: ${keys.length} of ${company.contractors.length}`);
  if (!isProcessed(final.payroll)) unfinished.push(`payroll run: ${final.payroll}`);
  const notFunded = final.payments.filter((p) => p !== 'funded');
  if (notFunded.length) unfinished.push(`payments not funded: ${notFunded.join(', ')}`);
  if (!final.done) unfinished.push(`timed out after ${config.BUDGET_TIMEOUT_S} s`);
  return {
    company: company.key,
    sandboxLimitPerMinute: limit,
    employeesEdited: edits.length,
    paymentsStarted: keys.length,
    payrollStage: final.payroll,
    paymentsFunded: final.payments.filter((p) => p === 'funded').length,
    startedAfterS,
    startsTriedAgain: starts.retries,
    startErrors: [...starts.errors],
    createdAfterS: created.done ? createdAfterS : null,
    clockMovedAfterS,
    allDoneAfterS: final.done ? doneAfterS : null,
    submitsForPayroll: after.submits_per_payroll[payroll.payrollId] ?? 0,
    paymentsCreatedPerContractor: { min: Math.min(...paymentsCreated), max: Math.max(...paymentsCreated) },
    ...analyse(record, t0, end),
    unfinished,
  };
}

/**
 * As a backend would: a start that fails (the pre-start check has a 2-minute execution timeout, which
 * a throttled company can outlast) is tried again with the same business key, until the deadline.
 */
async function startUntil<T>(
  starts: { retries: number; errors: Set<string> },
  start: () => Promise<T>,
): Promise<T | undefined> {
  for (;;) {
    try {
      return await start();
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message;
      starts.errors.add(`${(err as Error).message}${cause ? ` (${cause})` : ''}`.slice(0, 200));
      if (Date.now() > deadline) return undefined;
      starts.retries++;
      await sleep(5_000);
    }
  }
}

const isProcessed = (stage: string) => stage === 'processed' || stage === 'complete';

async function stagesOf(
  deps: Deps,
  companyId: string,
  ref: { companyId: string; payrollId: string },
  keys: string[],
) {
  const payroll = await getPayrollRunState(deps, ref).then(
    (s) => s.stage as string,
    () => 'unreadable',
  );
  const payments = await inBatches(keys, 10, (businessKey) =>
    getContractorPaymentState(deps, { companyId, businessKey }).then(
      (s) => s.stage as string,
      () => 'unreadable',
    ),
  );
  return { payroll, payments };
}

/** Polls `read` every 5 s until `done` holds or the bench's deadline passes. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T & { done: boolean }> {
  for (;;) {
    const value = await read();
    if (done(value)) return { ...value, done: true };
    if (Date.now() > deadline) return { ...value, done: false };
    await sleep(5_000);
  }
}

/**
 * What the sandbox saw from the phase's start to its end (later requests, e.g. a terminated run's
 * last poll, are only counted): requests and 429s, the most in any rolling 60 s, and the requests
 * that arrived while a Retry-After was still open. Two readings of "open": the window of the latest
 * 429 before the request (the sandbox's current word), and any window announced so far (stricter:
 * Retry-After is rounded up to whole seconds, so a later 429 can announce an earlier end).
 */
function analyse(all: RecordedRequest[], t0: number, end: number) {
  const record = all.filter((r) => r.at <= end).sort((a, b) => a.at - b.at);
  const accepted = record.filter((r) => r.status !== 429);
  const windows = record
    .filter((r) => r.status === 429)
    .map((r) => ({ from: r.at, until: r.at + (r.retry_after_s ?? 0) * 1000 }));
  const seen = (r: RecordedRequest) => ({
    atS: round((r.at - t0) / 1000, 3),
    endpoint: r.endpoint,
    status: r.status,
    ...(r.retry_after_s === undefined ? {} : { retryAfterS: r.retry_after_s }),
  });
  const insideLatest = record.flatMap((r) => {
    const latest = windows.filter((w) => w.from < r.at).at(-1);
    return latest && r.at < latest.until ? [{ ...seen(r), afterMs: r.at - latest.from }] : [];
  });
  const insideAny = record.filter((r) => windows.some((w) => w.from < r.at && r.at < w.until));
  const byEndpoint: Record<string, number> = {};
  for (const r of record) byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
  return {
    requests: record.length,
    requestsAfterTheEnd: all.length - record.length,
    http429: windows.length,
    maxInRolling60s: maxInWindow(
      record.map((r) => r.at),
      60_000,
    ),
    maxAcceptedInRolling60s: maxInWindow(
      accepted.map((r) => r.at),
      60_000,
    ),
    longestRetryAfterS: Math.max(0, ...windows.map((w) => (w.until - w.from) / 1000)),
    requestsInsideOpenRetryAfter: insideLatest.length,
    insideOpenRetryAfter: insideLatest,
    requestsInsideAnyAnnouncedWindow: insideAny.length,
    requestsPerEndpoint: byEndpoint,
    /** The sandbox's record, relative to the phase's start. */
    record: record.map(seen),
  };
}

/** The most instants in any window [t, t + ms) (two pointers over sorted instants). */
function maxInWindow(sorted: number[], ms: number): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function printPhase(p: Awaited<ReturnType<typeof phase>>): void {
  log(
    `${p.company} (sandbox ${p.sandboxLimitPerMinute}/min): ${p.requests} requests, max ${p.maxInRolling60s} ` +
      `in any rolling 60 s (${p.maxAcceptedInRolling60s} accepted), ${p.http429} × 429, ` +
      `${p.requestsInsideOpenRetryAfter} inside an open Retry-After (${p.requestsInsideAnyAnnouncedWindow} inside any announced); payroll ${p.payrollStage} ` +
      `(${p.submitsForPayroll} submit), ${p.paymentsFunded}/${p.paymentsStarted} funded ` +
      `(created per contractor ${p.paymentsCreatedPerContractor.min}-${p.paymentsCreatedPerContractor.max}), ` +
      `all done after ${p.allDoneAfterS} s` +
      (p.unfinished.length ? `; UNFINISHED: ${p.unfinished.join('; ')}` : ''),
  );
}

await main();
