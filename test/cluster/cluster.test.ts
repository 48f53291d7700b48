/**
 * The production topology, for real: PostgreSQL, the multi-service Temporal server on SQL persistence
 * and visibility, two worker processes and the API process, started once for this file by the code
 * behind `npm run cluster` (scripts/cluster). The Gusto sandbox runs in the test, for its counters
 * and clock. Covers a payroll to processed through the API, the visibility queries the API, CLI and
 * webhook ingress make, a Temporal server restart mid-run, and a contractor group funded after the
 * worker holding its funding poll was SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import { runCli } from '../../client/cli/program.js';
import {
  getContractorPaymentState,
  startContractorPayment,
  startContractorPaymentGroup,
  waitForContractorPaymentResult,
} from '../../client/contractor-payments.js';
import { getPayrollRunState, waitForPayrollRun, type PayrollRunState } from '../../client/payroll.js';
import { registerWebhookSubscription } from '../../client/webhook-subscription.js';
import type { GustoClient } from '../../gusto/client.js';
import type { ContractorPaymentGroupState } from '../../domain/contractor-payment.js';
import { startCluster, type Cluster } from '../../scripts/cluster/index.js';
import { temporalPorts } from '../../scripts/cluster/temporal.js';
import { freePort, freePortCheck } from '../../scripts/provision/net.js';
import { loadConfig } from '../../workers/config.js';
import { fixtures, todayAt, weekdayAfter } from '../contractor-payments/helpers.js';
import { gustoClientFor, sandboxAdmin, startSandbox, type Sandbox } from '../harness/index.js';
import { companyByKey } from '../payroll/helpers.js';

const TASK_QUEUE = 'cluster';

let sandbox: Sandbox;
let gusto: GustoClient;
let cluster: Cluster;
let connection: Connection;
let deps: { temporal: Client; taskQueue: string };
const output: string[] = [];

/** A frontend port whose derived service ports (temporalPorts) are all free too. */
async function freeTemporalPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const all = Object.values(temporalPorts(port));
    if ((await Promise.all(all.map((p) => freePortCheck(p)))).every(Boolean)) return port;
  }
}

beforeAll(async () => {
  const started = Date.now();
  sandbox = await startSandbox({ calculateLatencyMs: 1_000, submitLatencyMs: 500 });
  gusto = await gustoClientFor(sandbox);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_PORT: String(await freeTemporalPort()),
    API_PORT: String(await freePort()),
    CLUSTER_POSTGRES_PORT: String(await freePort()),
    CLUSTER_WORKERS: '2',
    GUSTO_BASE_URL: sandbox.url,
    GUSTO_TOKEN_SOURCE: 'sandbox',
    TASK_QUEUE,
    LOG_LEVEL: 'warn',
    METRICS_PORT: '',
    SHUTDOWN_GRACE_MS: '2000',
    POLL_FIRST_READ_MS: '0', // as the harness's workers: the timings here assume an eager net
  };
  cluster = await startCluster({
    config: loadConfig(env),
    env,
    throwaway: true,
    onOutput: (name, line) => {
      output.push(`[${name}] ${line}`);
      if (output.length > 200) output.shift();
    },
  });
  console.log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Webhooks-first, as in production: the sandbox delivers its events to the API process.
  await registerWebhookSubscription(gusto, { url: `${cluster.apiUrl}/webhooks/gusto` });
  connection = await Connection.connect({ address: cluster.temporal.address });
  deps = { temporal: new Client({ connection }), taskQueue: TASK_QUEUE };
}, 300_000);

afterAll(async () => {
  await connection?.close();
  await cluster?.stop();
  await sandbox?.close();
}, 120_000);

/** The last lines the cluster's processes printed, for a failing test's message. */
const recentOutput = () => output.slice(-40).join('\n');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${cluster.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('a payroll run on the cluster', () => {
  const company = () => companyByKey(sandbox, 'small-ca');
  let workflowId: string;

  it('reaches processed when started through the API process, submitted once', async () => {
    const started = await api('POST', `/v1/companies/${company().uuid}/payroll-runs`, {});
    expect(started.status).toBe(201);
    workflowId = started.json.workflowId;
    const payrollId: string = started.json.payrollId;
    const state = (await waitForPayrollRun(deps, {
      companyId: company().uuid,
      payrollId,
      until: 'processed',
      timeoutMs: 120_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${recentOutput()}`);
    })) as PayrollRunState;
    expect(state.stage).toBe('processed');
    expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
  }, 150_000);

  it('is found by the visibility queries of the API, the CLI and the webhook ingress (SQL visibility)', async () => {
    // Visibility is eventually consistent: the final Stage upsert may land a moment after the close.
    const listed = await eventually(async () => {
      const res = await api('GET', `/v1/companies/${company().uuid}/payroll-runs?stage=processed`);
      return res.json.runs?.some((r: { workflowId: string }) => r.workflowId === workflowId)
        ? res.json.runs
        : undefined;
    }, 30_000);
    // Processed, and still running: a run holds until the payroll's cancel cutoff.
    expect(listed[0]).toMatchObject({ workflowId, stage: 'processed', status: 'RUNNING' });
    expect(listed[0].checkDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(listed[0].deadline).toBeDefined();

    let stdout = '';
    const code = await runCli(
      ['list', '--company', company().uuid, '--stage', 'processed', '--json'],
      { out: (s) => void (stdout += s), err: (s) => void (stdout += s), isTty: false },
      { ...process.env, TEMPORAL_ADDRESS: cluster.temporal.address, TASK_QUEUE },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ workflowId, stage: 'processed' })]);

    // Another stage finds nothing; the webhook ingress's "running runs of this company" finds it.
    const none = await api('GET', `/v1/companies/${company().uuid}/payroll-runs?stage=calculating`);
    expect(none.json.runs).toEqual([]);
    const running = deps.temporal.workflow.list({
      query: `CompanyId = '${company().uuid}' AND ExecutionStatus = 'Running'`,
    });
    const ids: string[] = [];
    for await (const run of running) ids.push(run.workflowId);
    expect(ids).toEqual([workflowId]);
    // A Datetime search attribute in a range filter, as operators query deadlines.
    const { count } = await deps.temporal.workflow.count(
      `CompanyId = '${company().uuid}' AND Deadline > '2000-01-01T00:00:00Z'`,
    );
    expect(count).toBe(1);
  }, 60_000);
});

describe('a Temporal server restart', () => {
  it('is healed mid-run: the run goes on to processed with one submit', async () => {
    const company = companyByKey(sandbox, 'denver-co');
    // A slow calculation keeps the run mid-flight while the server is down.
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { calculate_latency_ms: 8_000 });
    const started = await api('POST', `/v1/companies/${company.uuid}/payroll-runs`, {});
    expect(started.status).toBe(201);
    const ref = { companyId: company.uuid, payrollId: started.json.payrollId as string };
    await eventually(
      async () => ((await getPayrollRunState(deps, ref)).stage === 'calculating' ? true : undefined),
      60_000,
      'the calculating stage',
    );
    await cluster.restartTemporal();
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { calculate_latency_ms: 1_000 });
    const state = (await waitForPayrollRun(deps, { ...ref, until: 'processed', timeoutMs: 180_000 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${recentOutput()}`);
      },
    )) as PayrollRunState;
    expect(state.stage).toBe('processed');
    expect(sandbox.counters().submits_per_payroll[ref.payrollId]).toBe(1);
  }, 240_000);
});

describe('a worker SIGKILLed while it holds an activity', () => {
  it('hands the calculation poll to the other worker; the run is processed with one submit', async () => {
    const company = companyByKey(sandbox, 'mid-ny');
    // A long calculation: the poll that waits for it is the activity the killed worker holds.
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { calculate_latency_ms: 30_000 });
    const started = await api('POST', `/v1/companies/${company.uuid}/payroll-runs`, {});
    expect(started.status).toBe(201);
    const ref = { companyId: company.uuid, payrollId: started.json.payrollId as string };
    const handle = deps.temporal.workflow.getHandle(started.json.workflowId as string);
    // Which worker process runs the poll: the SDK's worker identity is "<pid>@<host>".
    const holder = await eventually(
      async () => {
        const { raw } = await handle.describe();
        const identity = raw.pendingActivities?.find((a) => a.lastWorkerIdentity)?.lastWorkerIdentity;
        return identity ? cluster.workers.find((w) => identity.startsWith(`${w.pid}@`)) : undefined;
      },
      60_000,
      'a pending activity on a worker',
    );
    const survivor = cluster.workers.find((w) => w !== holder)!;
    await holder.kill();
    await sandboxAdmin(sandbox, 'PUT', '/sandbox/config', { calculate_latency_ms: 1_000 });

    // The survivor takes over: the workflow task once the killed worker's sticky queue times out, the
    // poll after its 1-minute heartbeat timeout, unless the calculation's webhook wakes the run first.
    const state = (await waitForPayrollRun(deps, { ...ref, until: 'processed', timeoutMs: 200_000 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${recentOutput()}`);
      },
    )) as PayrollRunState;
    expect(state.stage).toBe('processed');
    expect(sandbox.counters().submits_per_payroll[ref.payrollId]).toBe(1);
    // The survivor finished it: it ran activities (the submit among them) and the last workflow task.
    const events = (await handle.fetchHistory()).events ?? [];
    const bySurvivor = (identity?: string | null) => identity?.startsWith(`${survivor.pid}@`) ?? false;
    expect(events.some((e) => bySurvivor(e.activityTaskStartedEventAttributes?.identity))).toBe(true);
    const lastTask = events.filter((e) => e.workflowTaskCompletedEventAttributes).at(-1);
    expect(bySurvivor(lastTask?.workflowTaskCompletedEventAttributes?.identity)).toBe(true);
  }, 300_000);
});

describe('a contractor payment group on the cluster', () => {
  it('is created once and reaches funded, woken through the webhook ingress', async () => {
    const fx = await fixtures(sandbox, gusto);
    const checkDate = weekdayAfter(todayAt(Date.now()), 10);
    const started = await startContractorPaymentGroup(deps, {
      companyId: fx.companyId,
      checkDate,
      payments: [
        { contractorId: fx.fixedDd.uuid, paymentMethod: 'Direct Deposit', wage: '410.00' },
        { contractorId: fx.hourlyDd.uuid, paymentMethod: 'Direct Deposit', hours: '3' },
      ],
    });
    const ref = { kind: 'group' as const, companyId: fx.companyId, businessKey: started.businessKey };
    const created = await eventually(async () => {
      const state = (await getContractorPaymentState(deps, ref)) as ContractorPaymentGroupState;
      return state.stage === 'awaiting_funding' ? state : undefined;
    }, 60_000);
    expect(Object.values(sandbox.counters().groups_per_creation_token)).toEqual([1]);

    // Gusto funds on the debit date, days away; the demo environment's fund action does it now. Gusto
    // sends no event for funding, so the run learns of it on the next event for the company: here a
    // Check payment's contractor_payment.created, which the webhook ingress fans out to the company's
    // running payment runs with a visibility query.
    const fund = await fetch(`${sandbox.url}/v1/contractor_payment_groups/${created.groupId}/fund`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${companyToken(fx.companyId)}`, 'x-gusto-api-version': '2025-11-15' },
    });
    expect(fund.status).toBe(200);
    const check = await startContractorPayment(deps, {
      companyId: fx.companyId,
      contractorId: fx.fixedCheck.uuid,
      date: checkDate,
      paymentMethod: 'Check',
      wage: '120.00',
    });
    const result = await Promise.race([
      waitForContractorPaymentResult(deps, ref),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`not funded in time\n${recentOutput()}`)), 120_000).unref(),
      ),
    ]);
    expect(result).toMatchObject({ outcome: 'funded' });
    await expect(
      waitForContractorPaymentResult(deps, { companyId: fx.companyId, businessKey: check.businessKey }),
    ).resolves.toMatchObject({ outcome: 'completed' });
  }, 200_000);
});

function companyToken(companyId: string): string {
  const company = sandbox.companies.find((c) => c.uuid === companyId);
  if (!company) throw new Error(`no sandbox company ${companyId}`);
  return company.access_token;
}
