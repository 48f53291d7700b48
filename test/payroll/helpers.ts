/**
 * Helpers for the payroll tests: the time-skipping files' set-up, sandbox admin calls, picking
 * payrolls, and counter arithmetic.
 */
import { afterAll, beforeAll } from '@jest/globals';
import type { Client } from '@temporalio/client';
import type { PayrollServiceDeps } from '../../client/payroll.js';
import type { GustoClient } from '../../gusto/client.js';
import type { Payroll } from '../../gusto/schemas/payrolls.js';
import {
  timeSkippingWorld,
  type Sandbox,
  type SandboxWorld,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { saveHistory } from '../harness/replay.js';
import type { SandboxCounters } from '../../sim/server.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Registers the set-up of a time-skipping payroll test file (call it first in its describe): in
 * beforeAll the file's own time-skipping env and a sandbox on its clock with zero calculate/submit
 * latency and webhooks off (activities run in real time: the test server does not skip time while one
 * is running, so a latency on the sandbox clock would only make the polling activity wait for real);
 * in afterAll both are closed. `withWorker` runs `fn` with a worker on a fresh task queue named after
 * `queuePrefix` and the client functions' deps bound to it.
 */
export function timeSkippingPayrollTests(queuePrefix: string) {
  let world: SandboxWorld | undefined;
  beforeAll(async () => {
    world = await timeSkippingWorld({
      calculateLatencyMs: 0,
      submitLatencyMs: 0,
      webhooks: { enabled: false },
    });
  });
  afterAll(async () => {
    await world?.close();
  });
  const current = (): SandboxWorld => {
    if (!world)
      throw new Error('the payroll test world is set up in beforeAll: use it inside a test or hook');
    return world;
  };
  return {
    get env(): TestWorkflowEnvironment {
      return current().env;
    },
    get sandbox(): Sandbox {
      return current().sandbox;
    },
    get gusto(): GustoClient {
      return current().gusto;
    },
    withWorker: <T>(fn: (deps: PayrollServiceDeps) => Promise<T>): Promise<T> =>
      current().withWorker(queuePrefix, fn),
  };
}

export { sandboxAdmin as admin } from '../harness/index.js';

export function companyByKey(sandbox: Sandbox, key: string) {
  const company = sandbox.companies.find((c) => c.key === key);
  if (!company) throw new Error(`no sandbox company "${key}"`);
  return company;
}

/** Unprocessed regular payrolls of a company, earliest check date first. */
export async function unprocessedPayrolls(gusto: GustoClient, companyId: string): Promise<Payroll[]> {
  const list = await gusto.payrolls.list(companyId, {
    processingStatuses: ['unprocessed'],
    payrollTypes: ['regular'],
    per: 100,
  });
  return list.sort((a, b) => a.check_date.localeCompare(b.check_date));
}

/** The first unprocessed payroll whose deadline satisfies `ok`. */
export async function payrollWhere(
  gusto: GustoClient,
  companyId: string,
  ok: (deadline: Date) => boolean,
): Promise<Payroll & { deadline: Date }> {
  for (const p of await unprocessedPayrolls(gusto, companyId)) {
    const deadline = new Date(p.payroll_deadline!);
    if (ok(deadline)) return { ...p, deadline };
  }
  const seen = (await unprocessedPayrolls(gusto, companyId)).map((p) => p.payroll_deadline).join(', ');
  throw new Error(
    `company ${companyId} has no unprocessed payroll with a matching deadline (deadlines: ${seen})`,
  );
}

/** Total calls per endpoint between two counter snapshots. */
export function callsBetween(before: SandboxCounters, after: SandboxCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [endpoint, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[endpoint] ?? 0);
    if (d > 0) out[endpoint] = d;
  }
  return out;
}

export const gustoCalls = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([endpoint]) => endpoint.includes(' /v1/'))
    .reduce((sum, [, n]) => sum + n, 0);

/** Calls that change something in Gusto (anything but GET). */
export const writeCalls = (calls: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(calls).filter(([endpoint]) => endpoint.includes(' /v1/') && !endpoint.startsWith('GET ')),
  );

/**
 * With EXPORT_HISTORIES=1, writes the finished run's history to test/histories/payroll-<name>.json,
 * where test/replay.test.ts replays it against the current workflow code on every test run.
 */
export async function exportRunHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.EXPORT_HISTORIES !== '1') return;
  await saveHistory(client, workflowId, `payroll-${name}`);
}
