/**
 * Payroll runs under GUSTO_TOKEN_SOURCE=oauth with worker processes and the durable credential store
 * (the file store in a temp DATA_DIR, and PostgreSQL as the cluster uses it):
 * - a worker SIGKILLed mid-run is replaced by a new process that picks up the rotated refresh token
 *   from the store and completes the run, with no person involved;
 * - a refresh token Gusto refuses puts the run into processing_failed with a lastError naming
 *   `payroll credentials load` (no 401 retries without end); after loading one and `retry`, it completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { eventually } from '../harness/eventually.js';
import {
  getPayrollRunState,
  retryPayrollRun,
  startPayrollRun,
  waitForPayrollRun,
  type PayrollRunState,
} from '../../client/payroll.js';
import type { RunningPostgres } from '../../scripts/postgres.js';
import { dataConverterFromConfig } from '../../workers/codec.js';
import { loadConfig } from '../../workers/config.js';
import { gustoStoresFromConfig, type GustoStores } from '../../workers/stores.js';
import { TEST_KEY_ENV } from '../harness/credentials.js';
import {
  devServerEnv,
  spawnWorkerProcess,
  startSandbox,
  uniqueTaskQueue,
  type Sandbox,
  type TestWorkflowEnvironment,
} from '../harness/index.js';
import { testPostgres } from '../harness/postgres.js';
import { HARNESS_ENV } from '../harness/shared.js';
import type { WorkerProcess } from '../harness/index.js';
import { admin } from './helpers.js';

const TOKEN_CALLS = 'POST /oauth/token';

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let pg: RunningPostgres;
let dataDir: string;
const opened: WorkflowHandle[] = [];
const workers: WorkerProcess[] = [];
/** The workers encrypt payloads (PAYLOAD_ENCRYPTION_KEY is required for oauth): so must the client. */
let temporal: Client;

beforeAll(async () => {
  [env, sandbox, pg] = await Promise.all([
    devServerEnv(),
    startSandbox({ calculateLatencyMs: 4_000, submitLatencyMs: 1_000 }),
    testPostgres(),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'payroll-oauth-'));
  const dataConverter = dataConverterFromConfig(loadConfig({ PAYLOAD_ENCRYPTION_KEY: TEST_KEY_ENV }));
  temporal = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
}, 90_000);
afterEach(async () => {
  for (const w of workers.splice(0)) {
    w.kill('SIGKILL');
    await w.exited;
  }
  await Promise.all(opened.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
});
afterAll(async () => {
  await sandbox?.close();
  await env?.teardown();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const deps = (taskQueue: string) => ({ temporal, taskQueue });
const tokenCalls = () => sandbox.counters().calls[TOKEN_CALLS] ?? 0;

async function currentRefreshToken(companyId: string): Promise<string> {
  const list = await admin<{ uuid: string; refresh_token: string }[]>(sandbox, 'GET', '/sandbox/companies');
  return list.find((c) => c.uuid === companyId)!.refresh_token;
}

const backends: [string, () => Record<string, string>, string][] = [
  ['file store', () => ({ DATA_DIR: dataDir, PAYROLL_DATABASE_URL: '' }), 'small-ca'],
  ['PostgreSQL store', () => ({ PAYROLL_DATABASE_URL: pg.url() }), 'denver-co'],
];

describe.each(backends)('oauth with the %s', (_, storeEnv, companyKey) => {
  let stores: GustoStores;
  let workerEnv: Record<string, string>;
  const company = () => sandbox.companies.find((c) => c.key === companyKey)!;

  beforeAll(() => {
    workerEnv = {
      GUSTO_TOKEN_SOURCE: 'oauth',
      GUSTO_CLIENT_ID: sandbox.oauthClient.client_id,
      GUSTO_CLIENT_SECRET: sandbox.oauthClient.client_secret,
      PAYLOAD_ENCRYPTION_KEY: TEST_KEY_ENV,
      ...storeEnv(),
    };
    stores = gustoStoresFromConfig(loadConfig({ ...workerEnv, GUSTO_BASE_URL: sandbox.url }));
  });
  afterAll(async () => {
    await stores?.close();
  });

  const load = async (refreshToken: string) =>
    stores.credentials.update(company().uuid, async () => ({
      state: 'active',
      secret: { refreshToken },
      rotated: true,
      loaded: true,
    }));

  async function workerProcess(taskQueue: string) {
    const address = process.env[HARNESS_ENV.address];
    if (!address) throw new Error('no shared dev server address (globalSetup did not run)');
    const worker = await spawnWorkerProcess({ address, taskQueue, sandboxUrl: sandbox.url, env: workerEnv });
    workers.push(worker);
    return worker;
  }

  it('a worker killed mid-run is replaced and the run completes on the stored, rotated token', async () => {
    const taskQueue = uniqueTaskQueue('oauth-restart');
    const companyId = company().uuid;
    await load(await currentRefreshToken(companyId));
    const before = tokenCalls();

    const first = await workerProcess(taskQueue);
    const { workflowId, payrollId } = await startPayrollRun(deps(taskQueue), { companyId });
    opened.push(temporal.workflow.getHandle(workflowId));
    const ref = { companyId, payrollId };
    await eventually(
      async () =>
        (await getPayrollRunState(deps(taskQueue), ref)).stage === 'calculating' ? true : undefined,
      30_000,
    );
    first.kill('SIGKILL');
    await first.exited;
    expect(tokenCalls() - before).toBe(1);

    // While no worker ran, the access token expired: the next worker must refresh, with the refresh
    // token the killed one stored (the one it was started with is dead since the first refresh).
    await stores.credentials.update(companyId, async (current) => ({
      state: 'active',
      secret: { refreshToken: current!.secret!.refreshToken },
    }));
    await workerProcess(taskQueue);
    const state = (await waitForPayrollRun(deps(taskQueue), {
      ...ref,
      until: 'processed',
      timeoutMs: 90_000,
    })) as PayrollRunState;
    expect(state.stage).toBe('processed');
    expect(state.lastError).toBeUndefined();
    expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
    expect(tokenCalls() - before).toBe(2);
    expect((await stores.credentials.read(companyId))?.state).toBe('active');
  }, 150_000);

  it('a refused refresh token: processing_failed naming the operator command; load + retry completes', async () => {
    const taskQueue = uniqueTaskQueue('oauth-revoked');
    const companyId = company().uuid;
    await load(await currentRefreshToken(companyId));
    const first = await workerProcess(taskQueue);
    const { workflowId, payrollId } = await startPayrollRun(deps(taskQueue), { companyId });
    opened.push(temporal.workflow.getHandle(workflowId));
    const ref = { companyId, payrollId };
    await eventually(
      async () =>
        (await getPayrollRunState(deps(taskQueue), ref)).stage === 'calculating' ? true : undefined,
      30_000,
    );
    first.kill('SIGKILL');
    await first.exited;

    // While no worker ran, the access token expired and the stored refresh token died (spent by
    // someone else): the next worker's refresh is refused with invalid_grant.
    let stored = '';
    await stores.credentials.update(companyId, async (current) => {
      stored = current!.secret!.refreshToken;
      return { state: 'active', secret: { refreshToken: stored } };
    });
    const spent = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...sandbox.oauthClient, grant_type: 'refresh_token', refresh_token: stored }),
    });
    expect(spent.status).toBe(200);
    const before = tokenCalls();
    await workerProcess(taskQueue);

    const failed = await eventually(async () => {
      const state = await getPayrollRunState(deps(taskQueue), ref);
      return state.stage === 'processing_failed' ? state : undefined;
      // The killed worker's activity is retried only once its heartbeat times out.
    }, 150_000);
    expect(failed.lastError?.message).toContain(`payroll credentials load --company ${companyId}`);
    expect(failed.lastError?.message).not.toContain('[REDACTED]');
    expect(failed.lastError?.gustoErrors).toEqual([
      expect.objectContaining({ error_key: 'needs_credentials', category: 'credentials' }),
    ]);
    expect((await stores.credentials.read(companyId))?.state).toBe('needs_credentials');
    // A new start for the company is refused at once with the same instruction.
    const refused = await startPayrollRun(deps(taskQueue), { companyId }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'refused' });
    expect((refused as Error).message).toContain(`payroll credentials load --company ${companyId}`);
    // One refused refresh, then no more token calls: nothing retries a dead token.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(tokenCalls() - before).toBe(1);

    await load(await currentRefreshToken(companyId));
    await retryPayrollRun(deps(taskQueue), ref);
    const done = (await waitForPayrollRun(deps(taskQueue), {
      ...ref,
      until: 'processed',
      timeoutMs: 90_000,
    })) as PayrollRunState;
    expect(done.stage).toBe('processed');
    expect(sandbox.counters().submits_per_payroll[payrollId]).toBe(1);
  }, 330_000);
});
