import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import { admin, contractor, midNySandbox, type Api } from './helpers.js';

const CREATE_PAYMENT = 'POST /v1/companies/{company_id}/contractor_payments';

describe('fault injection', () => {
  let sandbox: Sandbox;
  let co: SeededCompany;
  let a: Api;
  let paymentBody: Record<string, string>;

  beforeEach(async () => {
    ({ sandbox, co, a } = await midNySandbox(51));
    paymentBody = { contractor_uuid: contractor(co, 'hourly-dd').uuid, date: '2026-03-10', hours: '4' };
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const setRules = (rules: unknown[]) => admin(sandbox).put('/sandbox/faults', { rules });
  const created = (): number =>
    sandbox.counters().payments_per_contractor_date[`${paymentBody.contractor_uuid}:2026-03-10`] ?? 0;

  it('answers 5xx a limited number of times, changing nothing', async () => {
    expect((await setRules([{ endpoint: CREATE_PAYMENT, status: 503, times: 2 }])).status).toBe(200);
    const first = await a.post(`/v1/companies/${co.uuid}/contractor_payments`, paymentBody);
    expect(first.status).toBe(503);
    expect(first.body.errors[0].category).toBe('internal_error');
    expect((await a.post(`/v1/companies/${co.uuid}/contractor_payments`, paymentBody)).status).toBe(503);
    expect(created()).toBe(0);
    expect((await a.post(`/v1/companies/${co.uuid}/contractor_payments`, paymentBody)).status).toBe(200);
    expect(created()).toBe(1);
    const listed = (await admin(sandbox).get('/sandbox/faults')).body;
    expect(listed.rules[0]).toMatchObject({ endpoint: CREATE_PAYMENT, fired: 2 });
    expect(sandbox.counters().calls[CREATE_PAYMENT]).toBe(3);
  });

  it('drop_response applies the change and then cuts the connection', async () => {
    await setRules([{ endpoint: CREATE_PAYMENT, drop_response: true, times: 1 }]);
    await expect(
      fetch(`${sandbox.url}/v1/companies/${co.uuid}/contractor_payments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${co.access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(paymentBody),
      }),
    ).rejects.toThrow();
    expect(created()).toBe(1);
    const listed = (
      await a.get(`/v1/companies/${co.uuid}/contractor_payments?start_date=2026-03-10&end_date=2026-03-10`)
    ).body;
    expect(listed.contractor_payments[0].payments).toHaveLength(1);
  });

  it('reset_connection cuts the connection before anything happens', async () => {
    await setRules([{ endpoint: CREATE_PAYMENT, reset_connection: true, times: 1 }]);
    await expect(a.post(`/v1/companies/${co.uuid}/contractor_payments`, paymentBody)).rejects.toThrow();
    expect(created()).toBe(0);
  });

  it('adds latency, and error_rate 0 never fires', async () => {
    await setRules([
      { endpoint: 'GET /v1/companies/{company_id}', error_rate: 0 },
      { endpoint: 'GET /v1/companies/{company_id}', latency_ms: 150 },
    ]);
    const started = Date.now();
    expect((await a.get(`/v1/companies/${co.uuid}`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await admin(sandbox).del('/sandbox/faults')).status).toBe(204);
    expect((await admin(sandbox).get('/sandbox/faults')).body.rules).toEqual([]);
  });

  it('refuses rules for endpoints it does not serve', async () => {
    const res = await setRules([{ endpoint: 'POST /v1/companies/{id}/payments', status: 500 }]);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].message).toContain('POST /v1/companies/{id}/payments');
  });

  it('counts calls per endpoint template and resets counters', async () => {
    await a.get(`/v1/companies/${co.uuid}`);
    await a.get(`/v1/companies/${co.uuid}`);
    expect(sandbox.counters().calls['GET /v1/companies/{company_id}']).toBe(2);
    expect((await admin(sandbox).get('/sandbox/counters')).body.calls['GET /v1/companies/{company_id}']).toBe(
      2,
    );
    await admin(sandbox).del('/sandbox/counters');
    expect(sandbox.counters().calls).toEqual({});
  });
});
