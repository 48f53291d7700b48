/**
 * Acceptance tests of the HTTP API against the dev server, a sandbox and a real worker: every route's
 * success, 401 without a key, 400 naming the field for bad ids and bodies, 404 for unknown runs, and
 * 409/422 with a reason for refused operations. Every response is checked against /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../harness/eventually.js';
import { createApiServer } from '../../client/http/server.js';
import { API_KEY, startStack, validateOpenApi, type ApiResponse, type Stack } from './stack.js';

let stack: Stack;
const company = (key: string) => {
  const c = stack.sandbox.companies.find((x) => x.key === key);
  if (!c) throw new Error(`no sandbox company ${key}`);
  return c;
};
const contractor = (companyKey: string, key: string) => {
  const c = company(companyKey).contractors.find((x) => x.key === key);
  if (!c) throw new Error(`no contractor ${key} in ${companyKey}`);
  return c.uuid;
};
const ZERO = '00000000-0000-4000-8000-000000000000';

/** Unprocessed regular payrolls of a company, earliest first, straight from the sandbox. */
async function unprocessedPayrolls(companyKey: string): Promise<string[]> {
  const list = await stack.gusto.payrolls.list(company(companyKey).uuid, {
    processingStatuses: ['unprocessed'],
  });
  return list
    .filter((p) => !p.off_cycle)
    .sort((a, b) => String(a.check_date).localeCompare(String(b.check_date)))
    .map((p) => String(p.payroll_uuid ?? p.uuid));
}

/** `days` after the sandbox's today, as YYYY-MM-DD. */
async function sandboxDate(days: number): Promise<string> {
  const now = await stack.sandbox.now();
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

function expectError(res: ApiResponse, status: number, code: string, field?: string): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status, code });
  expect(typeof res.json.error.message).toBe('string');
  expect(res.json.error.message).not.toMatch(/\n\s+at /); // never a stack
  if (field) expect(res.json.error.field).toBe(field);
}

const runUrl = (companyKey: string, payrollId: string) =>
  `/v1/companies/${company(companyKey).uuid}/payroll-runs/${payrollId}`;

async function stageOf(companyKey: string, payrollId: string, stages: string[], timeoutMs = 40_000) {
  return eventually(
    async () => {
      const res = await stack.call('GET', runUrl(companyKey, payrollId));
      return stages.includes(res.json?.stage) ? res.json : undefined;
    },
    timeoutMs,
    `run of ${companyKey} to reach ${stages.join('|')}`,
  );
}

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the document and the gate', () => {
  it('serves an OpenAPI 3.1 document that validates', async () => {
    const res = await stack.call('GET', '/openapi.json', { auth: false });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    await expect(validateOpenApi(res.json)).resolves.toBe('valid');
  });

  it('answers /healthz 200 when a worker polls the task queue, 503 when none does', async () => {
    const ok = await eventually(async () => {
      const res = await stack.call('GET', '/healthz', { auth: false });
      return res.status === 200 ? res : undefined;
    }, 20_000);
    expect(ok.json).toMatchObject({ status: 'ok', temporal: 'reachable', worker: 'polling' });

    const idle = createApiServer({
      temporal: stack.env.client,
      taskQueue: 'nobody-polls-this-queue',
      apiKeys: [API_KEY],
      logger: false,
    });
    const base = await idle.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/healthz`);
    const body = await res.json();
    await idle.close();
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', worker: 'not_polling' });
  });

  it('refuses every authenticated route without a valid key (401 JSON), but not health, docs or webhooks', async () => {
    const ops = Object.entries(stack.doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op: op as { security?: unknown[] } })),
    );
    const url = (path: string) => path.replace('{businessKey}', 'some-key').replace(/\{\w+\}/g, ZERO);
    let checked = 0;
    for (const { path, method, op } of ops) {
      if (!op.security?.length) continue;
      for (const auth of [false, 'wrong-key-wrong-key-wrong'] as const) {
        const res = await stack.call(method.toUpperCase(), url(path), { auth, body: {} });
        expectError(res, 401, 'unauthorized');
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(30);
    const open = ops.filter((o) => !o.op.security?.length).map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual(['get /healthz', 'get /openapi.json', 'post /webhooks/gusto']);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await stack.call('GET', '/v1/nothing-here');
    expectError(res, 404, 'not_found');
  });

  it('answers a wrong method on an existing path with 405 and Allow', async () => {
    const runs = `/v1/companies/${company('small-ca').uuid}/payroll-runs`;
    const collection = await stack.call('PUT', runs, { body: {} });
    expectError(collection, 405, 'method_not_allowed');
    expect(collection.headers.allow).toBe('GET, HEAD, POST');
    const one = await stack.call('PATCH', `${runs}/${ZERO}`, { body: {} });
    expectError(one, 405, 'method_not_allowed');
    expect(one.headers.allow).toBe('GET, HEAD');
    expect(one.json.error.message).toBe(`PATCH is not allowed on ${runs}/${ZERO}; allowed: GET, HEAD`);
    expect((await stack.call('DELETE', '/healthz', { auth: false })).headers.allow).toBe('GET, HEAD');
  });
});

describe('bad input is a 400 naming the field', () => {
  it('rejects path ids that are not UUIDs, naming the parameter', async () => {
    let checked = 0;
    for (const [path, methods] of Object.entries(stack.doc.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const bad of params) {
        if (bad === 'businessKey') continue; // not a UUID: checked below
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === bad ? 'not-a-uuid' : name === 'businessKey' ? 'k1' : ZERO,
        );
        for (const method of Object.keys(methods)) {
          const res = await stack.call(method.toUpperCase(), url, { body: {} });
          expectError(res, 400, 'invalid_input', bad);
          expect(res.json.error.message).toContain(bad);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(30);
    const res = await stack.call('GET', `/v1/companies/${ZERO}/contractor-payments/has%20space`);
    expectError(res, 400, 'invalid_input', 'businessKey');
  });

  const c = () => company('small-ca').uuid;
  const cases: Array<[string, string, () => string, unknown, string]> = [
    [
      'start a payroll run',
      'POST',
      () => `/v1/companies/${c()}/payroll-runs`,
      { review: 'sometimes' },
      'review',
    ],
    [
      'start with a bad edit',
      'POST',
      () => `/v1/companies/${c()}/payroll-runs`,
      { edits: [{ employeeId: ZERO, hours: { 'Regular Hours': '-4' } }] },
      'edits[0].hours.Regular Hours',
    ],
    [
      'approve',
      'POST',
      () => `/v1/companies/${c()}/payroll-runs/${ZERO}/approve`,
      { totals: { company_debit: 'lots', net_pay: '1.00', gross_pay: '1.00' } },
      'totals.company_debit',
    ],
    ['reject', 'POST', () => `/v1/companies/${c()}/payroll-runs/${ZERO}/reject`, {}, 'reason'],
    ['edit', 'POST', () => `/v1/companies/${c()}/payroll-runs/${ZERO}/edit`, { edits: [] }, 'edits'],
    ['retry', 'POST', () => `/v1/companies/${c()}/payroll-runs/${ZERO}/retry`, { surprise: 1 }, 'surprise'],
    [
      'cancel',
      'POST',
      () => `/v1/companies/${c()}/payroll-runs/${ZERO}/cancel`,
      { reason: 'x'.repeat(600) },
      'reason',
    ],
    ['list runs', 'GET', () => `/v1/companies/${c()}/payroll-runs?stage=asleep`, undefined, 'stage'],
    [
      'create schedule',
      'POST',
      () => `/v1/companies/${c()}/payroll-schedule`,
      { timeZone: 'Mars/Olympus' },
      'timeZone',
    ],
    [
      'update schedule',
      'PUT',
      () => `/v1/companies/${c()}/payroll-schedule`,
      { timeZone: 'America/Chicago', hour: 25 },
      'hour',
    ],
    ['pause schedule', 'POST', () => `/v1/companies/${c()}/payroll-schedule/pause`, { note: 7 }, 'note'],
    [
      'pay a contractor',
      'POST',
      () => `/v1/companies/${c()}/contractor-payments`,
      { contractorId: ZERO, date: '2026-13-01', wage: '10.00' },
      'date',
    ],
    [
      'pay a group',
      'POST',
      () => `/v1/companies/${c()}/contractor-payment-groups`,
      { checkDate: '2026-12-01', payments: [] },
      'payments',
    ],
    [
      'approve a payment',
      'POST',
      () => `/v1/companies/${c()}/contractor-payments/k1/approve`,
      { amount: '1.234' },
      'amount',
    ],
    [
      'cancel a group',
      'POST',
      () => `/v1/companies/${c()}/contractor-payment-groups/k1/cancel`,
      { reason: 5 },
      'reason',
    ],
    [
      'list payments',
      'GET',
      () => `/v1/companies/${c()}/contractor-payments?startDate=2026-02-01&endDate=2026-01-01`,
      undefined,
      'endDate',
    ],
    [
      'dismiss',
      'POST',
      () => `/v1/companies/${c()}/contractors/${ZERO}/dismissal`,
      { end_date: 'tomorrow' },
      'end_date',
    ],
    [
      'rehire',
      'POST',
      () => `/v1/companies/${c()}/contractors/${ZERO}/rehire`,
      { start_date: '2026-12-01', policy: 'maybe' },
      'policy',
    ],
    [
      'cancel a dismissal',
      'POST',
      () => `/v1/companies/${c()}/contractors/${ZERO}/dismissal/cancel`,
      { reason: 'x'.repeat(501) },
      'reason',
    ],
  ];
  it.each(cases)('%s', async (_name, method, url, body, field) => {
    const res = await stack.call(method, url(), body === undefined ? {} : { body });
    expectError(res, 400, 'invalid_input', field);
    expect(res.json.error.message).toContain(field);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await stack.call('POST', `/v1/companies/${c()}/payroll-runs`, { rawBody: '{"review":' });
    expectError(res, 400, 'invalid_input');
  });
});

describe('unknown runs are 404', () => {
  it.each([
    ['a payroll run', 'GET', () => `/v1/companies/${company('small-ca').uuid}/payroll-runs/${ZERO}`],
    [
      'approve on a payroll run',
      'POST',
      () => `/v1/companies/${company('small-ca').uuid}/payroll-runs/${ZERO}/approve`,
    ],
    ['a payroll schedule', 'GET', () => `/v1/companies/${company('small-ca').uuid}/payroll-schedule`],
    [
      'a contractor payment',
      'GET',
      () => `/v1/companies/${company('small-ca').uuid}/contractor-payments/no-such-key`,
    ],
    [
      'a payment group',
      'GET',
      () => `/v1/companies/${company('small-ca').uuid}/contractor-payment-groups/no-such-key`,
    ],
    ['a dismissal', 'GET', () => `/v1/companies/${company('small-ca').uuid}/contractors/${ZERO}/dismissal`],
    ['a rehire', 'GET', () => `/v1/companies/${company('small-ca').uuid}/contractors/${ZERO}/rehire`],
  ])('%s', async (_name, method, url) => {
    const body =
      method === 'POST'
        ? { totals: { company_debit: '1.00', net_pay: '1.00', gross_pay: '1.00' } }
        : undefined;
    const res = await stack.call(method, url(), body ? { body } : {});
    expectError(res, 404, 'not_found');
  });
});

describe('payroll runs', () => {
  let payrollId: string;

  it('starts a run (201), finds it again for the same payroll (200), and follows it to processed', async () => {
    const url = `/v1/companies/${company('small-ca').uuid}/payroll-runs`;
    const first = await stack.call('POST', url, { body: {} });
    expect(first.status).toBe(201);
    expect(first.json.started).toBe(true);
    payrollId = first.json.payrollId;
    expect(payrollId).toBe((await unprocessedPayrolls('small-ca'))[0]);

    const again = await stack.call('POST', url, { body: { payrollId } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ started: false, workflowId: first.json.workflowId });

    const state = await stageOf('small-ca', payrollId, ['processed']);
    expect(state.totals.net_pay).toMatch(/^\d+\.\d{2}$/);
    expect(state.gustoCalls).toBeGreaterThan(3);
  }, 60_000);

  it('lists runs by company and stage from visibility', async () => {
    const url = `/v1/companies/${company('small-ca').uuid}/payroll-runs?stage=processed&limit=10`;
    const res = await eventually(async () => {
      const r = await stack.call('GET', url);
      return r.json.runs.length > 0 ? r : undefined;
    });
    expect(res.json.runs[0]).toMatchObject({ stage: 'processed', companyId: company('small-ca').uuid });
  });

  it('serves an employee pay stub as a PDF once processed', async () => {
    const employee = company('small-ca').employees[0]!.uuid;
    const res = await stack.call('GET', `${runUrl('small-ca', payrollId)}/pay-stubs/${employee}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    expect(res.body.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses a retry when nothing failed (422 with the reason)', async () => {
    const res = await stack.call('POST', `${runUrl('small-ca', payrollId)}/retry`, { body: {} });
    expectError(res, 422, 'refused');
    expect(res.json.error.message).toMatch(/retry/i);
  });

  it('cancels a processed run before the cutoff; Gusto reverts the payroll', async () => {
    const res = await stack.call('POST', `${runUrl('small-ca', payrollId)}/cancel`, {
      body: { reason: 'test' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ cancelled: true, gustoCancelled: true });
  });
});

describe('payroll review', () => {
  let payrollId: string;
  const seen = (state: { totals: Record<string, string> }) => ({
    company_debit: state.totals.company_debit,
    net_pay: state.totals.net_pay,
    gross_pay: state.totals.gross_pay,
  });

  it('holds a manual run for review and refuses a pay stub before it is processed (422)', async () => {
    const res = await stack.call('POST', `/v1/companies/${company('mid-ny').uuid}/payroll-runs`, {
      body: { review: 'manual' },
    });
    expect(res.status).toBe(201);
    payrollId = res.json.payrollId;
    await stageOf('mid-ny', payrollId, ['awaiting_review']);
    const employee = company('mid-ny').employees[0]!.uuid;
    const stub = await stack.call('GET', `${runUrl('mid-ny', payrollId)}/pay-stubs/${employee}`);
    expectError(stub, 422, 'refused');
    expect(stub.json.error.message).toMatch(/processed/);
  }, 60_000);

  it('refuses an approval naming totals that are not the current ones (409 with the reason)', async () => {
    const state = await stageOf('mid-ny', payrollId, ['awaiting_review']);
    const stale = { ...seen(state), net_pay: (Number(state.totals.net_pay) + 0.01).toFixed(2) };
    const res = await stack.call('POST', `${runUrl('mid-ny', payrollId)}/approve`, {
      body: { totals: stale },
    });
    expectError(res, 409, 'conflict');
    expect(res.json.error.message).toMatch(/net_pay|totals/);
    // The details carry the current totals in the unit of the message and the state: decimal strings.
    const { company_debit, net_pay, gross_pay } = state.totals;
    expect(res.json.error.details).toEqual([{ current: { company_debit, net_pay, gross_pay } }]);
    expect(res.json.error.message).toContain(`net_pay ${net_pay}`);
  });

  it('takes an edit, recalculates, and then accepts the approval of the new totals', async () => {
    const hourly = company('mid-ny').employees.find((e) => !e.salaried)!.uuid;
    const before = await stageOf('mid-ny', payrollId, ['awaiting_review']);
    const edit = await stack.call('POST', `${runUrl('mid-ny', payrollId)}/edit`, {
      body: { edits: [{ employeeId: hourly, hours: { 'Regular Hours': '47.500' } }] },
    });
    expect(edit.status).toBe(200);
    const after = await eventually(async () => {
      const s = await stageOf('mid-ny', payrollId, ['awaiting_review']);
      return s.rounds > before.rounds ? s : undefined;
    }, 40_000);
    expect(after.totals.gross_pay).not.toBe(before.totals.gross_pay);

    const approve = await stack.call('POST', `${runUrl('mid-ny', payrollId)}/approve`, {
      body: { totals: seen(after), by: 'reviewer@example.com' },
    });
    expect(approve.status).toBe(200);
    await stageOf('mid-ny', payrollId, ['processed']);
  }, 90_000);

  it('rejects a run; a later approval is refused because the run has ended (422)', async () => {
    const res = await stack.call('POST', `/v1/companies/${company('denver-co').uuid}/payroll-runs`, {
      body: { review: 'manual' },
    });
    const id = res.json.payrollId;
    const state = await stageOf('denver-co', id, ['awaiting_review']);
    const reject = await stack.call('POST', `${runUrl('denver-co', id)}/reject`, {
      body: { reason: 'hours look wrong' },
    });
    expect(reject.status).toBe(200);
    await stageOf('denver-co', id, ['rejected']);
    const late = await stack.call('POST', `${runUrl('denver-co', id)}/approve`, {
      body: { totals: seen(state) },
    });
    expectError(late, 422, 'refused');
    expect(late.json.error.message).toMatch(/ended|rejected/);

    // Starting the payroll again: not the dead run (409 run_ended, saying how), then an explicit restart.
    const runs = `/v1/companies/${company('denver-co').uuid}/payroll-runs`;
    const again = await eventually(
      async () => {
        const r = await stack.call('POST', runs, { body: { payrollId: id } });
        return r.status === 409 ? r : undefined;
      },
      20_000,
      'the rejected run to close',
    );
    expectError(again, 409, 'run_ended');
    expect(again.json.error.message).toContain('"restart": true');
    expect(again.json.error.details).toMatchObject({ stage: 'rejected', reason: 'hours look wrong' });
    const restarted = await stack.call('POST', runs, { body: { payrollId: id, restart: true } });
    expect(restarted.status).toBe(201);
    expect(restarted.json).toMatchObject({ payrollId: id, started: true, previousRunId: res.json.runId });
    await stageOf('denver-co', id, ['processed']);
    const twice = await stack.call('POST', runs, { body: { payrollId: id, restart: true } });
    expectError(twice, 409, 'conflict', 'restart');
  }, 90_000);

  it('shows processing_failed with Gusto errors, and a retry carries the run on', async () => {
    const id = (await unprocessedPayrolls('phoenix-az'))[0]!;
    const fail = await stack.sandboxPost(`/sandbox/payrolls/${id}/fail_next`, { stage: 'calculate' });
    expect(fail.status).toBe(200);
    const res = await stack.call('POST', `/v1/companies/${company('phoenix-az').uuid}/payroll-runs`, {
      body: { payrollId: id },
    });
    expect(res.status).toBe(201);
    const failed = await stageOf('phoenix-az', id, ['processing_failed']);
    expect(failed.lastError.gustoErrors[0].message).toMatch(/Simulated calculate failure/);
    const retry = await stack.call('POST', `${runUrl('phoenix-az', id)}/retry`, { body: {} });
    expect(retry.status).toBe(200);
    await stageOf('phoenix-az', id, ['processed']);
  }, 60_000);
});

describe('payroll schedule', () => {
  const url = () => `/v1/companies/${company('large-il').uuid}/payroll-schedule`;

  it('creates (201), refuses a second (409), shows, updates, pauses, unpauses, triggers and deletes', async () => {
    const body = { timeZone: 'America/Chicago', lookAheadDays: 3, paused: true, review: 'manual' };
    // Weekday firings leave Friday to Monday uncovered by a 1-day look-ahead.
    const short = await stack.call('POST', url(), { body: { ...body, lookAheadDays: 1 } });
    expectError(short, 400, 'invalid_input', 'lookAheadDays');
    expect(short.json.error.message).toContain('longest gap between firings');
    const created = await stack.call('POST', url(), { body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      paused: true,
      timeZone: 'America/Chicago',
      hour: 9,
      minute: 0,
      daysOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
      review: 'manual',
    });
    expectError(await stack.call('POST', url(), { body }), 409, 'conflict');

    expect((await stack.call('GET', url())).json.scheduleId).toBe(created.json.scheduleId);
    const updated = await stack.call('PUT', url(), { body: { ...body, hour: 10 } });
    expect(updated.status).toBe(200);
    expect((await stack.call('POST', `${url()}/unpause`, { body: { note: 'go' } })).json.paused).toBe(false);
    expect((await stack.call('POST', `${url()}/pause`, { body: { note: 'holiday' } })).json).toMatchObject({
      paused: true,
      note: 'holiday',
    });
    expect((await stack.call('POST', `${url()}/trigger`, { body: {} })).status).toBe(200);
    expect((await stack.call('DELETE', url())).json).toEqual({ deleted: true });
    expectError(await stack.call('GET', url()), 404, 'not_found');
  });

  it('refuses a Schedule for a company Gusto does not know (naming companyId) and creates nothing', async () => {
    const unknown = `/v1/companies/${ZERO}/payroll-schedule`;
    const res = await stack.call('POST', unknown, { body: { timeZone: 'America/Chicago' } });
    expect([400, 404]).toContain(res.status);
    expect(res.json.error.field).toBe('companyId');
    expect(res.json.error.message).toContain(ZERO);
    expectError(await stack.call('GET', unknown), 404, 'not_found');
  });
});

describe('contractor payments', () => {
  const base = () => `/v1/companies/${company('mid-ny').uuid}/contractor-payments`;
  let date: string;

  it('starts a payment held for approval (201), joins it on a repeat (200), refuses a reused key (409)', async () => {
    date = await sandboxDate(7);
    const body = {
      contractorId: contractor('mid-ny', 'unpaid-fixed-dd'),
      date,
      wage: '500.00',
      businessKey: 'invoice-1001',
      approval: 'manual',
    };
    const first = await stack.call('POST', base(), { body });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ started: true, businessKey: 'invoice-1001' });
    const again = await stack.call('POST', base(), { body });
    expect(again.status).toBe(200);
    expect(again.json.started).toBe(false);
    const reused = await stack.call('POST', base(), { body: { ...body, wage: '600.00' } });
    expectError(reused, 409, 'conflict');
    expect(reused.json.error.message).toMatch(/businessKey/);
  }, 40_000);

  it('shows the run, refuses a stale amount (409), approves the previewed one', async () => {
    const state = await eventually(async () => {
      const res = await stack.call('GET', `${base()}/invoice-1001`);
      return res.json.stage === 'awaiting_approval' ? res.json : undefined;
    });
    expect(state.totals.amount).toBe('500.00');
    expectError(
      await stack.call('POST', `${base()}/invoice-1001/approve`, { body: { amount: '499.00' } }),
      409,
      'conflict',
    );
    const ok = await stack.call('POST', `${base()}/invoice-1001/approve`, { body: { amount: '500.00' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ approved: true });
  }, 40_000);

  it('cancels before funding; a second cancel is refused because the run ended (422)', async () => {
    await eventually(async () => {
      const res = await stack.call('GET', `${base()}/invoice-1001`);
      return res.json.paymentId ? res.json : undefined;
    });
    const res = await stack.call('POST', `${base()}/invoice-1001/cancel`, {
      body: { reason: 'duplicate invoice' },
    });
    expect(res.status).toBe(200);
    expect(res.json.cancelled).toBe(true);
    const again = await stack.call('POST', `${base()}/invoice-1001/cancel`, { body: {} });
    expectError(again, 422, 'refused');
    expect(again.json.error.message).toMatch(/ended|cancel/);
  }, 40_000);

  it("refuses a Direct Deposit dated too soon (400, naming the date and Gusto's earliest) and starts nothing", async () => {
    const res = await stack.call('POST', base(), {
      body: {
        contractorId: contractor('mid-ny', 'hourly-dd'),
        date: await sandboxDate(0),
        hours: '1.000',
        businessKey: 'too-soon',
      },
    });
    expectError(res, 400, 'invalid_input', 'date');
    expect(res.json.error.message).toMatch(/can pay it on \d{4}-\d{2}-\d{2} at the earliest/);
    expectError(await stack.call('GET', `${base()}/too-soon`), 404, 'not_found');
  }, 40_000);

  it('refuses a group paying one contractor twice (400, naming the line)', async () => {
    const res = await stack.call(
      'POST',
      `/v1/companies/${company('mid-ny').uuid}/contractor-payment-groups`,
      {
        body: {
          checkDate: await sandboxDate(9),
          payments: [
            { contractorId: contractor('mid-ny', 'hourly-dd'), hours: '1.000' },
            { contractorId: contractor('mid-ny', 'hourly-dd'), hours: '2.000' },
          ],
        },
      },
    );
    expectError(res, 400, 'invalid_input', 'payments[1].contractorId');
  });

  it('cancels a completed Check payment while Gusto says may_cancel; the run then shows cancelled', async () => {
    const res = await stack.call('POST', base(), {
      body: {
        contractorId: contractor('mid-ny', 'fixed-check'),
        date: await sandboxDate(1),
        paymentMethod: 'Check',
        wage: '210.00',
        businessKey: 'check-77',
      },
    });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const r = await stack.call('GET', `${base()}/check-77`);
      return r.json.stage === 'completed' ? r.json : undefined;
    });
    const cancel = await stack.call('POST', `${base()}/check-77/cancel`, {
      body: { reason: 'voided check' },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.json).toEqual({ cancelled: true, deletedAtGusto: true });
    const after = await stack.call('GET', `${base()}/check-77`);
    expect(after.json).toMatchObject({ stage: 'cancelled', cancelReason: 'voided check' });
  }, 40_000);

  it("lists the company's payments in a date range straight from Gusto", async () => {
    const from = await sandboxDate(-60);
    const to = await sandboxDate(30);
    const res = await stack.call('GET', `${base()}?startDate=${from}&endDate=${to}`);
    expect(res.status).toBe(200);
    expect(res.json.payments.length).toBeGreaterThan(0);
  });

  it('pays a group held for approval (201), shows it, approves it, cancels it', async () => {
    const groups = `/v1/companies/${company('large-il').uuid}/contractor-payment-groups`;
    const res = await stack.call('POST', groups, {
      body: {
        checkDate: await sandboxDate(8),
        businessKey: 'batch-7',
        approval: 'manual',
        payments: [
          { contractorId: contractor('large-il', 'hourly-dd'), hours: '10.000' },
          { contractorId: contractor('large-il', 'fixed-dd'), wage: '800.00' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.state.payments).toBeDefined();
    const held = await eventually(async () => {
      const r = await stack.call('GET', `${groups}/batch-7`);
      return r.json.stage === 'awaiting_approval' ? r.json : undefined;
    });
    expect(held.totals.amount).toMatch(/^\d+\.\d{2}$/);
    const approve = await stack.call('POST', `${groups}/batch-7/approve`, {
      body: { amount: held.totals.amount },
    });
    expect(approve.status).toBe(200);
    await eventually(async () => {
      const r = await stack.call('GET', `${groups}/batch-7`);
      return r.json.groupId ? r.json : undefined;
    });
    const cancel = await stack.call('POST', `${groups}/batch-7/cancel`, { body: { reason: 'wrong batch' } });
    expect(cancel.status).toBe(200);
  }, 40_000);
});

describe('contractor dismissal and rehire', () => {
  const base = (key: string) =>
    `/v1/companies/${company('mid-ny').uuid}/contractors/${contractor('mid-ny', key)}`;
  // Explicit: the company's own zone is read from Gusto otherwise (see the report on GET company).
  const timeZone = 'America/New_York';

  it('schedules a dismissal, joins it on a repeat, refuses another date (409), cancels, refuses a second cancel (422)', async () => {
    const end = await sandboxDate(30);
    const res = await stack.call('POST', `${base('hourly-dd')}/dismissal`, {
      body: { end_date: end, timeZone },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'dismissal', date: end, stage: 'waiting_for_date' });
    expect(
      (await stack.call('POST', `${base('hourly-dd')}/dismissal`, { body: { end_date: end, timeZone } }))
        .status,
    ).toBe(200);
    const other = await stack.call('POST', `${base('hourly-dd')}/dismissal`, {
      body: { end_date: await sandboxDate(31), timeZone },
    });
    expectError(other, 409, 'conflict');
    expect((await stack.call('GET', `${base('hourly-dd')}/dismissal`)).json.stage).toBe('waiting_for_date');

    const cancel = await stack.call('POST', `${base('hourly-dd')}/dismissal/cancel`, {
      body: { reason: 'stays on' },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.json.outcome).toBe('cancelled');
    const again = await stack.call('POST', `${base('hourly-dd')}/dismissal/cancel`, { body: {} });
    expectError(again, 422, 'refused');
  }, 40_000);

  it('does not show one company a run of another company (404)', async () => {
    const other = `/v1/companies/${company('small-ca').uuid}/contractors/${contractor('mid-ny', 'hourly-dd')}/dismissal`;
    expectError(await stack.call('GET', other), 404, 'not_found');
  });

  it('schedules and cancels a rehire of a dismissed contractor', async () => {
    const res = await stack.call('POST', `${base('dismissed')}/rehire`, {
      body: { start_date: await sandboxDate(14), timeZone },
    });
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe('rehire');
    expect((await stack.call('GET', `${base('dismissed')}/rehire`)).status).toBe(200);
    expect((await stack.call('POST', `${base('dismissed')}/rehire/cancel`, { body: {} })).status).toBe(200);
  }, 40_000);

  it('deactivates a contractor now', async () => {
    const url = `/v1/companies/${company('large-il').uuid}/contractors/${contractor('large-il', 'fixed-check')}/deactivate`;
    const res = await stack.call('POST', url, { body: {} });
    expect(res.status).toBe(200);
    expect(res.json.contractor.is_active).toBe(false);
  }, 30_000);

  it('deletes an unpaid contractor, refuses to delete a paid one (422 with the reason)', async () => {
    const ok = await stack.call('DELETE', base('unpaid-hourly-check'));
    expect(ok.status).toBe(200);
    expect(ok.json.deleted).toBe(true);
    const paid = await stack.call('DELETE', base('fixed-check'));
    expectError(paid, 422, 'refused');
    expect(paid.json.error.message).toMatch(/pa(id|yment)/i);
  }, 30_000);
});

describe('off-cycle payrolls', () => {
  /** The first weekday at least `days` days after the sandbox's today (no holiday falls there in tests). */
  async function weekdayAfter(days: number): Promise<string> {
    for (let d = days; ; d++) {
      const date = await sandboxDate(d);
      const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
      if (dow !== 0 && dow !== 6) return date;
    }
  }

  it('starts once per business key (201, then 200), shows its state, 409 on a reused key, 400 naming the field', async () => {
    const co = company('denver-co');
    const url = `/v1/companies/${co.uuid}/off-cycle-payrolls`;
    const employee = co.employees[0]!.uuid;
    const body = {
      businessKey: 'bonus-http',
      reason: 'Bonus',
      startDate: await sandboxDate(-14),
      endDate: await sandboxDate(0),
      checkDate: await weekdayAfter(7),
      employeeIds: [employee],
      edits: [{ employeeId: employee, fixed: { Bonus: '100.00' } }],
      review: 'manual',
    };
    const first = await stack.call('POST', url, { body });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      started: true,
      businessKey: 'bonus-http',
      state: { stage: 'running', payrollId: expect.any(String) },
    });
    expect((await stack.call('POST', url, { body })).status).toBe(200);
    expectError(
      await stack.call('POST', url, { body: { ...body, reason: 'Correction' } }),
      409,
      'conflict',
      'businessKey',
    );
    expectError(
      await stack.call('POST', url, { body: { ...body, reason: 'Holiday' } }),
      400,
      'invalid_input',
      'reason',
    );
    const state = await eventually(
      async () => {
        const res = await stack.call('GET', `${url}/bonus-http`);
        return res.json?.run?.stage === 'awaiting_review' ? res.json : undefined;
      },
      40_000,
      'the off-cycle run awaiting review',
    );
    expect(state).toMatchObject({ stage: 'running', request: { reason: 'Bonus' } });
    expect(state.run.totals.gross_pay).toBe('100.00');
    const cancel = await stack.call('POST', `${runUrl('denver-co', state.payrollId)}/cancel`, { body: {} });
    expect(cancel.status).toBe(200);
    expectError(await stack.call('GET', `${url}/no-such-key`), 404, 'not_found');
  }, 60_000);
});

describe('cancel after the cutoff', () => {
  // Last: it moves the sandbox clock past a payroll deadline for every company in this sandbox.
  it('is refused with 422 naming the cutoff', async () => {
    const res = await stack.call('POST', `/v1/companies/${company('honolulu-hi').uuid}/payroll-runs`, {
      body: {},
    });
    const id = res.json.payrollId;
    const state = await stageOf('honolulu-hi', id, ['processed']);
    const after = new Date(new Date(state.cancelCutoff).getTime() + 60_000).toISOString();
    expect((await stack.sandboxPost('/sandbox/clock', { set: after })).status).toBe(200);
    const cancel = await stack.call('POST', `${runUrl('honolulu-hi', id)}/cancel`, { body: {} });
    expectError(cancel, 422, 'refused');
    expect(cancel.json.error.message).toMatch(/3:30 pm|cutoff|deadline/i);
  }, 60_000);
});

describe('outbound event subscriptions', () => {
  it('subscribe, list, test, rotate, deliveries, replay, delete; bad input names the field and changes nothing', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['webhook-id']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    try {
      expectError(
        await stack.call('POST', '/v1/event-subscriptions', { body: { url: 'http://example.test/x' } }),
        400,
        'invalid_input',
        'url',
      );
      expectError(
        await stack.call('POST', '/v1/event-subscriptions', {
          body: { url, eventTypes: ['payroll_run.nope'] },
        }),
        400,
        'invalid_input',
        'eventTypes[0]',
      );
      expect((await stack.call('GET', '/v1/event-subscriptions')).json.subscriptions).toEqual([]);

      const created = await stack.call('POST', '/v1/event-subscriptions', {
        body: { url, eventTypes: ['test.ping'] },
      });
      expect(created.status).toBe(201);
      expect(created.json.secret).toMatch(/^whsec_/);
      const id = created.json.id as string;
      expectError(
        await stack.call('POST', '/v1/event-subscriptions', { body: { url } }),
        409,
        'conflict',
        'url',
      );
      const listed = await stack.call('GET', '/v1/event-subscriptions');
      expect(listed.json.subscriptions.map((s: { id: string }) => s.id)).toEqual([id]);
      expect(JSON.stringify(listed.json)).not.toContain('whsec_');

      const test = await stack.call('POST', `/v1/event-subscriptions/${id}/test`);
      expect(test.json).toMatchObject({ delivered: true });
      expect(received).toEqual([test.json.eventId]);

      const rotated = await stack.call('POST', `/v1/event-subscriptions/${id}/rotate-secret`);
      expect(rotated.json.secret).not.toBe(created.json.secret);
      expect(rotated.json.previousExpiresAt).toEqual(expect.any(String));
      expect((await stack.call('GET', `/v1/event-deliveries?subscriptionId=${id}`)).json.deliveries).toEqual(
        [],
      );
      expect((await stack.call('POST', `/v1/event-subscriptions/${id}/replay`)).json).toEqual({
        replayed: 0,
      });
      expect((await stack.call('DELETE', `/v1/event-subscriptions/${id}`)).json).toEqual({ deleted: true });
      expectError(await stack.call('DELETE', `/v1/event-subscriptions/${id}`), 404, 'not_found');
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  }, 60_000);
});

describe('the contract', () => {
  it('exercised every documented operation, each answer matching the document', () => {
    const operations = Object.values(stack.doc.paths).flatMap((ops) =>
      Object.values(ops).map((o) => o.operationId),
    );
    const unexercised = operations.filter(
      (op) => ![...(stack.seen.get(op) ?? [])].some((s) => s >= 200 && s < 300),
    );
    // The webhook ingress and the payload codec have their own test files (webhooks, codec).
    expect(unexercised).toEqual(['gustoWebhook', 'codecEncode', 'codecDecode']);
  });
});
