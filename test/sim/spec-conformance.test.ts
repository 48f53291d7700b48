/**
 * Every sandbox operation the processes use, exercised once end to end, with each response checked
 * against the response schema Gusto's OpenAPI document gives for that operation and status.
 * In CI the spec file must be there (a missing file fails); elsewhere the suite skips with a note.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import type { Sandbox } from '../../sim/server.js';
import {
  api,
  company,
  contractor,
  manualClock,
  startSandbox,
  type Api,
  type ApiResponse,
} from './helpers.js';
import { SPEC_PATH, specAvailable, SpecValidator } from './spec.js';

const available = specAvailable();

if (!available && process.env.CI === 'true') {
  describe('spec conformance', () => {
    it('needs the Gusto OpenAPI document in CI', () => {
      throw new Error(`Gusto OpenAPI document not found at ${SPEC_PATH}`);
    });
  });
} else if (!available) {
  console.warn(`spec-conformance: skipped, ${SPEC_PATH} not found (it is required when CI=true)`);
}

const suite = available ? describe : describe.skip;

/** Operations that must each have been checked with their success status by the end. */
const REQUIRED = [
  'GET /v1/companies/{company_id}/payrolls 200',
  'GET /v1/companies/{company_id}/payrolls/{payroll_id} 200',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/prepare 200',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id} 200',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/calculate 202',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit 202',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/cancel 200',
  'GET /v1/payrolls/{payroll_uuid}/receipt 200',
  'GET /v1/payrolls/{payroll_id}/employees/{employee_id}/pay_stub 200',
  'GET /v1/companies/{company_uuid}/payrolls/blockers 200',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/prepare 422',
  'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/calculate 422',
  'POST /v1/companies/{company_id}/payrolls 200',
  'POST /v1/companies/{company_id}/payrolls 422',
  'DELETE /v1/companies/{company_id}/payrolls/{payroll_id} 204',
  'GET /v1/companies/{company_uuid}/contractor_payments/preview 200',
  'POST /v1/companies/{company_id}/contractor_payments 200',
  'GET /v1/companies/{company_id}/contractor_payments 200',
  'GET /v1/companies/{company_id}/contractor_payments/{contractor_payment_id} 200',
  'DELETE /v1/companies/{company_id}/contractor_payments/{contractor_payment_id} 204',
  'GET /v1/contractor_payments/{contractor_payment_uuid}/receipt 200',
  'PUT /v1/contractor_payments/{contractor_payment_uuid}/fund 200',
  'POST /v1/companies/{company_id}/contractor_payment_groups/preview 200',
  'POST /v1/companies/{company_id}/contractor_payment_groups 201',
  'POST /v1/companies/{company_id}/contractor_payment_groups 422',
  'GET /v1/companies/{company_id}/contractor_payment_groups 200',
  'GET /v1/contractor_payment_groups/{contractor_payment_group_uuid} 200',
  'DELETE /v1/contractor_payment_groups/{contractor_payment_group_uuid} 204',
  'PUT /v1/contractor_payment_groups/{contractor_payment_group_uuid}/fund 200',
  'GET /v1/contractors/{contractor_uuid} 200',
  'GET /v1/companies/{company_uuid}/contractors 200',
  'PUT /v1/contractors/{contractor_uuid} 200',
  'PUT /v1/contractors/{contractor_uuid} 409',
  'DELETE /v1/contractors/{contractor_uuid} 204',
  'DELETE /v1/contractors/{contractor_uuid} 422',
  'POST /v1/contractors/{contractor_uuid}/termination 204',
  'POST /v1/contractors/{contractor_uuid}/termination 422',
  'DELETE /v1/contractors/{contractor_uuid}/termination 204',
  'POST /v1/contractors/{contractor_uuid}/rehire 204',
  'DELETE /v1/contractors/{contractor_uuid}/rehire 204',
  'GET /v1/companies/{company_id} 200',
  'GET /v1/events 200',
  'POST /v1/webhook_subscriptions 201',
  'GET /v1/webhook_subscriptions 200',
  'GET /v1/webhook_subscriptions/{webhook_subscription_uuid} 200',
  'PUT /v1/webhook_subscriptions/{webhook_subscription_uuid} 200',
  'PUT /v1/webhook_subscriptions/{webhook_subscription_uuid}/verify 200',
  'PUT /v1/webhook_subscriptions/{webhook_subscription_uuid}/verify 422',
  'GET /v1/webhook_subscriptions/{webhook_subscription_uuid}/request_verification_token 200',
  'DELETE /v1/webhook_subscriptions/{webhook_subscription_uuid} 204',
  'POST /oauth/token 200',
];

suite('spec conformance (Gusto OpenAPI v2025-11-15)', () => {
  let spec: SpecValidator;
  let sandbox: Sandbox;
  const clock = manualClock('2026-03-02T18:00:00Z'); // Monday 10 am Pacific
  const covered = new Set<string>();
  let receiver: Server;
  const received: Array<Record<string, string>> = [];

  /** Asserts the status is documented for the operation and the body matches its schema. */
  function conform<T>(method: string, template: string, res: ApiResponse<T>): T {
    covered.add(`${method} ${template} ${res.status}`);
    expect(spec.statuses(method, template)).toContain(String(res.status));
    const schema = spec.responseSchema(method, template, res.status);
    if (schema) expect(spec.check(schema, res.body, `${method} ${template} ${res.status}`)).toEqual([]);
    else expect(res.text === '' || res.headers.get('content-type') === 'application/pdf').toBe(true);
    return res.body;
  }

  const tick = (ms = 2_000): void => clock.advance(ms);

  beforeAll(async () => {
    spec = new SpecValidator();
    sandbox = await startSandbox({ clock, seed: { seed: 7 } });
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(text) as Record<string, string>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('payrolls: list, show, prepare, update, calculate, submit, receipt, pay stub, cancel, blockers', async () => {
    const co = company(sandbox, 'mid-ny');
    const a = api(sandbox, co.access_token);
    const base = `/v1/companies/${co.uuid}/payrolls`;
    const list = conform(
      'GET',
      '/v1/companies/{company_id}/payrolls',
      await a.get(
        `${base}?processing_statuses=unprocessed,processed&include=payroll_status_meta,totals,taxes,risk_blockers`,
      ),
    );
    const payroll = list.find((p: { processed: boolean }) => !p.processed);
    const id = payroll.payroll_uuid as string;
    const allIncludes =
      'include=benefits,deductions,taxes,payroll_status_meta,totals,risk_blockers,payroll_taxes';
    conform(
      'GET',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.get(`${base}/${id}?${allIncludes}`),
    );
    const prepared = conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}/prepare',
      await a.put(`${base}/${id}/prepare`),
    );
    const comp = prepared.employee_compensations[0];
    const updated = conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.put(`${base}/${id}`, {
        employee_compensations: [
          {
            employee_uuid: comp.employee_uuid,
            version: comp.version,
            fixed_compensations: [{ name: 'Bonus', amount: '150.00' }],
            reimbursements: [{ amount: '42.10', description: 'Parking' }],
          },
        ],
      }),
    );
    const version = updated.employee_compensations[0].version as string;
    const invalid = [
      { employee_uuid: comp.employee_uuid, version, hourly_compensations: [{ name: 'Nope', hours: '1' }] },
    ];
    conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.put(`${base}/${id}`, { employee_compensations: invalid }),
    );
    conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}/calculate',
      await a.put(`${base}/${id}/calculate`),
    );
    tick();
    conform(
      'GET',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.get(`${base}/${id}?${allIncludes}`),
    );
    conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}/submit',
      await a.put(`${base}/${id}/submit`, {}),
    );
    tick();
    const shown = conform(
      'GET',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.get(`${base}/${id}?${allIncludes}`),
    );
    expect(shown.processed).toBe(true);
    conform('GET', '/v1/payrolls/{payroll_uuid}/receipt', await a.get(`/v1/payrolls/${id}/receipt`));
    const stub = await a.get(`/v1/payrolls/${id}/employees/${comp.employee_uuid}/pay_stub`);
    expect(stub.text.startsWith('%PDF-1.4')).toBe(true);
    conform('GET', '/v1/payrolls/{payroll_id}/employees/{employee_id}/pay_stub', stub);
    conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}/cancel',
      await a.put(`${base}/${id}/cancel`),
    );
    conform(
      'PUT',
      '/v1/companies/{company_id}/payrolls/{payroll_id}/cancel',
      await a.put(`${base}/${id}/cancel`),
    );
    conform(
      'GET',
      '/v1/companies/{company_uuid}/payrolls/blockers',
      await a.get(`/v1/companies/${co.uuid}/payrolls/blockers`),
    );
    conform(
      'GET',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.get(`${base}/00000000-0000-4000-8000-000000000000`),
    );
  });

  it('off-cycle payrolls: create, show, refuse a bad check date, delete', async () => {
    const co = company(sandbox, 'denver-co');
    const a = api(sandbox, co.access_token);
    const base = `/v1/companies/${co.uuid}/payrolls`;
    const body = {
      off_cycle: true,
      off_cycle_reason: 'Bonus',
      start_date: '2026-03-01',
      end_date: '2026-03-01',
      check_date: '2026-03-10',
      employee_uuids: [co.employees[0]!.uuid],
    };
    const made = conform('POST', '/v1/companies/{company_id}/payrolls', await a.post(base, body));
    const shown = conform(
      'GET',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.get(`${base}/${made.payroll_uuid}`),
    );
    expect(shown).toMatchObject({
      off_cycle: true,
      off_cycle_reason: 'Bonus',
      skip_regular_deductions: true,
    });
    conform(
      'POST',
      '/v1/companies/{company_id}/payrolls',
      await a.post(base, { ...body, check_date: '2026-03-14' }),
    );
    conform(
      'DELETE',
      '/v1/companies/{company_id}/payrolls/{payroll_id}',
      await a.del(`${base}/${made.payroll_uuid}`),
    );
  });

  it('payroll blockers: a blocked company lists them and prepare and calculate refuse', async () => {
    const co = company(sandbox, 'blocked-onboarding-wa');
    const a = api(sandbox, co.access_token);
    const listed = conform(
      'GET',
      '/v1/companies/{company_uuid}/payrolls/blockers',
      await a.get(`/v1/companies/${co.uuid}/payrolls/blockers`),
    );
    expect(listed.map((b: { key: string }) => b.key)).toEqual([
      'needs_onboarding',
      'missing_federal_tax_setup',
    ]);
    const base = `/v1/companies/${co.uuid}/payrolls`;
    const id = (await a.get(`${base}?processing_statuses=unprocessed`)).body[0].payroll_uuid;
    for (const step of ['prepare', 'calculate']) {
      const refused = conform(
        'PUT',
        `/v1/companies/{company_id}/payrolls/{payroll_id}/${step}`,
        await a.put(`${base}/${id}/${step}`),
      );
      expect(refused.errors[0]).toEqual({
        error_key: 'base',
        category: 'payroll_blocker',
        message: 'Company must complete all onboarding requirements in order to run payroll.',
        metadata: { key: 'needs_onboarding' },
      });
    }
  });

  it('contractor payments: preview, create, show, list (both shapes), fund, receipt, cancel', async () => {
    const co = company(sandbox, 'mid-ny');
    const a = api(sandbox, co.access_token);
    const base = `/v1/companies/${co.uuid}/contractor_payments`;
    const hourly = contractor(co, 'hourly-dd');
    const fixedCheck = contractor(co, 'fixed-check');
    conform(
      'GET',
      '/v1/companies/{company_uuid}/contractor_payments/preview',
      await a.getWithBody(`${base}/preview`, {
        contractor_payments: [
          { contractor_uuid: hourly.uuid, date: '2026-03-06', payment_method: 'Direct Deposit', hours: 10 },
        ],
      }),
    );
    const dd = conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payments',
      await a.post(base, {
        contractor_uuid: hourly.uuid,
        date: '2026-03-04',
        hours: '12.5',
        bonus: '100',
        reimbursement: '20.00',
      }),
    );
    conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payments',
      await a.post(base, { contractor_uuid: hourly.uuid, date: '2026-03-04', wage: '5' }),
    );
    const check = conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payments',
      await a.post(base, {
        contractor_uuid: fixedCheck.uuid,
        date: '2026-03-03',
        payment_method: 'Check',
        wage: '900',
      }),
    );
    conform(
      'GET',
      '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
      await a.get(`${base}/${dd.uuid}`),
    );
    conform(
      'GET',
      '/v1/companies/{company_id}/contractor_payments',
      await a.get(`${base}?start_date=2025-12-01&end_date=2026-03-31`),
    );
    conform(
      'GET',
      '/v1/companies/{company_id}/contractor_payments',
      await a.get(`${base}?start_date=2025-12-01&end_date=2026-03-31&group_by_date=true`),
    );
    conform(
      'GET',
      '/v1/contractor_payments/{contractor_payment_uuid}/receipt',
      await a.get(`/v1/contractor_payments/${dd.uuid}/receipt`),
    );
    conform(
      'PUT',
      '/v1/contractor_payments/{contractor_payment_uuid}/fund',
      await a.put(`/v1/contractor_payments/${dd.uuid}/fund`),
    );
    conform(
      'PUT',
      '/v1/contractor_payments/{contractor_payment_uuid}/fund',
      await a.put(`/v1/contractor_payments/${check.uuid}/fund`),
    );
    conform(
      'GET',
      '/v1/contractor_payments/{contractor_payment_uuid}/receipt',
      await a.get(`/v1/contractor_payments/${dd.uuid}/receipt`),
    );
    conform(
      'DELETE',
      '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
      await a.del(`${base}/${dd.uuid}`),
    );
    conform(
      'DELETE',
      '/v1/companies/{company_id}/contractor_payments/{contractor_payment_id}',
      await a.del(`${base}/${check.uuid}`),
    );
  });

  it('contractor payment groups: preview, create, duplicate token, list, show, fund, cancel', async () => {
    const co = company(sandbox, 'small-ca');
    const a = api(sandbox, co.access_token);
    const base = `/v1/companies/${co.uuid}/contractor_payment_groups`;
    const payments = [
      {
        contractor_uuid: contractor(co, 'hourly-dd').uuid,
        payment_method: 'Direct Deposit',
        hours: '20',
        bonus: '50',
      },
      {
        contractor_uuid: contractor(co, 'fixed-check').uuid,
        payment_method: 'Check',
        wage: '350.00',
        reimbursement: '12.00',
      },
    ];
    const preview = conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payment_groups/preview',
      await a.post(`${base}/preview`, { check_date: '2026-03-06', contractor_payments: payments }),
    );
    const body = {
      check_date: '2026-03-06',
      creation_token: preview.creation_token,
      contractor_payments: payments,
    };
    const group = conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payment_groups',
      await a.post(base, body),
    );
    conform('POST', '/v1/companies/{company_id}/contractor_payment_groups', await a.post(base, body));
    conform(
      'GET',
      '/v1/companies/{company_id}/contractor_payment_groups',
      await a.get(`${base}?start_date=2026-01-01&end_date=2026-03-31`),
    );
    conform(
      'GET',
      '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
      await a.get(`/v1/contractor_payment_groups/${group.uuid}`),
    );
    conform(
      'PUT',
      '/v1/contractor_payment_groups/{contractor_payment_group_uuid}/fund',
      await a.put(`/v1/contractor_payment_groups/${group.uuid}/fund`),
    );
    conform(
      'DELETE',
      '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
      await a.del(`/v1/contractor_payment_groups/${group.uuid}`),
    );
    const second = conform(
      'POST',
      '/v1/companies/{company_id}/contractor_payment_groups',
      await a.post(base, { ...body, creation_token: 'second-group' }),
    );
    conform(
      'DELETE',
      '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
      await a.del(`/v1/contractor_payment_groups/${second.uuid}`),
    );
    conform(
      'GET',
      '/v1/contractor_payment_groups/{contractor_payment_group_uuid}',
      await a.get(`/v1/contractor_payment_groups/${second.uuid}`),
    );
  });

  it('contractors: show, list, update (and 409), delete (and 422), dismissal and rehire', async () => {
    const co = company(sandbox, 'mid-ny');
    const a = api(sandbox, co.access_token);
    const paid = contractor(co, 'hourly-dd');
    const shown = conform(
      'GET',
      '/v1/contractors/{contractor_uuid}',
      await a.get(`/v1/contractors/${paid.uuid}`),
    );
    conform(
      'GET',
      '/v1/companies/{company_uuid}/contractors',
      await a.get(`/v1/companies/${co.uuid}/contractors`),
    );
    conform(
      'PUT',
      '/v1/contractors/{contractor_uuid}',
      await a.put(`/v1/contractors/${paid.uuid}`, { version: shown.version, hourly_rate: '90.00' }),
    );
    conform(
      'PUT',
      '/v1/contractors/{contractor_uuid}',
      await a.put(`/v1/contractors/${paid.uuid}`, { version: shown.version, hourly_rate: '91.00' }),
    );
    conform('DELETE', '/v1/contractors/{contractor_uuid}', await a.del(`/v1/contractors/${paid.uuid}`));
    conform(
      'DELETE',
      '/v1/contractors/{contractor_uuid}',
      await a.del(`/v1/contractors/${contractor(co, 'unpaid-fixed-dd').uuid}`),
    );
    conform(
      'POST',
      '/v1/contractors/{contractor_uuid}/termination',
      await a.post(`/v1/contractors/${paid.uuid}/termination`, { end_date: '2026-04-30' }),
    );
    conform(
      'POST',
      '/v1/contractors/{contractor_uuid}/termination',
      await a.post(`/v1/contractors/${paid.uuid}/termination`, { end_date: '2026-05-30' }),
    );
    conform('GET', '/v1/contractors/{contractor_uuid}', await a.get(`/v1/contractors/${paid.uuid}`));
    conform(
      'DELETE',
      '/v1/contractors/{contractor_uuid}/termination',
      await a.del(`/v1/contractors/${paid.uuid}/termination`),
    );
    const dismissed = contractor(co, 'dismissed');
    conform(
      'POST',
      '/v1/contractors/{contractor_uuid}/rehire',
      await a.post(`/v1/contractors/${dismissed.uuid}/rehire`, { start_date: '2026-04-01' }),
    );
    conform('GET', '/v1/contractors/{contractor_uuid}', await a.get(`/v1/contractors/${dismissed.uuid}`));
    conform(
      'DELETE',
      '/v1/contractors/{contractor_uuid}/rehire',
      await a.del(`/v1/contractors/${dismissed.uuid}/rehire`),
    );
  });

  it('company, events, webhook subscriptions and OAuth tokens', async () => {
    const co = company(sandbox, 'small-ca');
    conform(
      'GET',
      '/v1/companies/{company_id}',
      await api(sandbox, co.access_token).get(`/v1/companies/${co.uuid}`),
    );
    const sys = api(sandbox, sandbox.systemToken);
    conform('GET', '/v1/events', await sys.get('/v1/events?limit=50'));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const sub = conform(
      'POST',
      '/v1/webhook_subscriptions',
      await sys.post('/v1/webhook_subscriptions', { url, subscription_types: ['Payroll', 'Contractor'] }),
    );
    const one = `/v1/webhook_subscriptions/${sub.uuid}`;
    conform('GET', '/v1/webhook_subscriptions', await sys.get('/v1/webhook_subscriptions'));
    conform('GET', '/v1/webhook_subscriptions/{webhook_subscription_uuid}', await sys.get(one));
    conform(
      'PUT',
      '/v1/webhook_subscriptions/{webhook_subscription_uuid}',
      await sys.put(one, { subscription_types: ['Payroll', 'Contractor', 'ContractorPayment'] }),
    );
    conform(
      'GET',
      '/v1/webhook_subscriptions/{webhook_subscription_uuid}/request_verification_token',
      await sys.get(`${one}/request_verification_token`),
    );
    conform(
      'PUT',
      '/v1/webhook_subscriptions/{webhook_subscription_uuid}/verify',
      await sys.put(`${one}/verify`, { verification_token: 'wrong' }),
    );
    await eventually(() => received.length > 0, 3_000, 'the delivery');
    const token = received[0]?.verification_token;
    conform(
      'PUT',
      '/v1/webhook_subscriptions/{webhook_subscription_uuid}/verify',
      await sys.put(`${one}/verify`, { verification_token: token }),
    );
    conform('DELETE', '/v1/webhook_subscriptions/{webhook_subscription_uuid}', await sys.del(one));

    const anon = api(sandbox, null);
    const client = sandbox.oauthClient;
    const system = conform(
      'POST',
      '/oauth/token',
      await anon.post('/oauth/token', { ...client, grant_type: 'system_access' }),
    );
    expect(system.refresh_token).toBeNull();
    const refreshed = await anon.post('/oauth/token', {
      ...client,
      grant_type: 'refresh_token',
      refresh_token: co.refresh_token,
    });
    covered.add(`POST /oauth/token ${refreshed.status}`);
    // The spec's Authentication is oneOf(Create-Token, Refresh-Token), but a refresh answer (its own
    // documented example included) matches both branches, so it is checked against its own branch.
    expect(
      spec.check(spec.componentSchema('Refresh-Token-Authentication'), refreshed.body, 'refresh'),
    ).toEqual([]);
    expect(refreshed.status).toBe(200);
  });

  it('checks Gusto-shaped errors against the error schemas', async () => {
    const co = company(sandbox, 'small-ca');
    const a: Api = api(sandbox, co.access_token);
    const res = await a.post(`/v1/companies/${co.uuid}/contractor_payments`, { date: 'soon' });
    expect(res.status).toBe(422);
    expect(
      spec.check(spec.componentSchema('Unprocessable-Entity-Error-Object'), res.body, 'unprocessable'),
    ).toEqual([]);
    const missing = await a.get(`/v1/contractors/not-a-contractor`);
    expect(spec.check(spec.componentSchema('Not-Found-Error-Object'), missing.body, 'not-found')).toEqual([]);
  });

  it('covered every operation the processes use, with its success status', () => {
    expect(REQUIRED.filter((op) => !covered.has(op))).toEqual([]);
  });
});
