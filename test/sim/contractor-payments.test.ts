import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import { contractor, midNySandbox, type AnyJson, type Api, type ManualClock } from './helpers.js';

describe('contractor payments', () => {
  let sandbox: Sandbox;
  let clock: ManualClock;
  let co: SeededCompany;
  let a: Api;
  let base: string;

  beforeEach(async () => {
    ({ clock, sandbox, co, a } = await midNySandbox(21)); // Monday, 10 am Pacific
    base = `/v1/companies/${co.uuid}/contractor_payments`;
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const hourlyDd = (): string => contractor(co, 'hourly-dd').uuid;
  const fixedCheck = (): string => contractor(co, 'fixed-check').uuid;

  it('previews the debit date (GET with a body, as Gusto defines it)', async () => {
    const res = await a.getWithBody(`${base}/preview`, {
      contractor_payments: [
        { contractor_uuid: hourlyDd(), date: '2026-03-06', payment_method: 'Direct Deposit', hours: 10 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ expected_debit_date: '2026-03-04' });
    const check = await a.getWithBody(`${base}/preview`, {
      contractor_payments: [
        { contractor_uuid: fixedCheck(), date: '2026-03-06', payment_method: 'Check', wage: 100 },
      ],
    });
    expect(check.body.expected_debit_date).toBe('2026-03-06');
  });

  it('creates a Direct Deposit payment that is funded at 4 pm Pacific on its debit date', async () => {
    const created = await a.post(base, {
      contractor_uuid: hourlyDd(),
      date: '2026-03-05',
      hours: '10.5',
      bonus: '100.00',
      reimbursement: '25.00',
    });
    expect(created.status).toBe(200);
    const p = created.body;
    expect(p).toMatchObject({
      status: 'Unfunded',
      may_cancel: true,
      hours: '10.500',
      hourly_rate: '85.00',
      wage_total: '992.50',
    });
    expect(sandbox.counters().payments_per_contractor_date[`${hourlyDd()}:2026-03-05`]).toBe(1);
    expect((await a.get(`/v1/contractor_payments/${p.uuid}/receipt`)).status).toBe(404);
    // Debit date is Tuesday 3 March; cancellation closes at 3:30 pm PST (23:30Z), funding at 4 pm (00:00Z).
    clock.set('2026-03-03T23:29:00Z');
    expect((await a.get(`${base}/${p.uuid}`)).body).toMatchObject({ status: 'Unfunded', may_cancel: true });
    clock.set('2026-03-03T23:31:00Z');
    expect((await a.get(`${base}/${p.uuid}`)).body).toMatchObject({ status: 'Unfunded', may_cancel: false });
    expect((await a.del(`${base}/${p.uuid}`)).status).toBe(422);
    clock.set('2026-03-04T00:00:00Z');
    expect((await a.get(`${base}/${p.uuid}`)).body).toMatchObject({ status: 'Funded', may_cancel: false });
    const receipt = await a.get(`/v1/contractor_payments/${p.uuid}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.totals.company_debit).toBe('1017.50');
  });

  it('refuses a Direct Deposit date too close to fund, naming the earliest one', async () => {
    const res = await a.post(base, { contractor_uuid: hourlyDd(), date: '2026-03-03', hours: '1' });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ error_key: 'date', category: 'invalid_attribute_value' });
    expect(res.body.errors[0].message).toContain('2026-03-04');
  });

  it('funds on demand (demo action); Check payments are never funded and always cancellable', async () => {
    const dd = (await a.post(base, { contractor_uuid: hourlyDd(), date: '2026-03-10', hours: '2' })).body;
    const funded = await a.put(`/v1/contractor_payments/${dd.uuid}/fund`);
    expect(funded.body).toMatchObject({ status: 'Funded', may_cancel: false });
    expect((await a.put(`/v1/contractor_payments/${dd.uuid}/fund`)).status).toBe(200);
    const check = (
      await a.post(base, {
        contractor_uuid: fixedCheck(),
        date: '2026-03-02',
        payment_method: 'Check',
        wage: '1200',
      })
    ).body;
    expect(check).toMatchObject({ status: 'Unfunded', may_cancel: true, wage_total: '1200.00' });
    expect((await a.put(`/v1/contractor_payments/${check.uuid}/fund`)).status).toBe(422);
    clock.advance(30 * 86_400_000);
    expect((await a.get(`${base}/${check.uuid}`)).body).toMatchObject({
      status: 'Unfunded',
      may_cancel: true,
    });
    expect((await a.get(`/v1/contractor_payments/${check.uuid}/receipt`)).status).toBe(404);
    expect((await a.del(`${base}/${check.uuid}`)).status).toBe(204);
    expect((await a.get(`${base}/${check.uuid}`)).status).toBe(404);
  });

  it('accepts Historical Payments in the past only', async () => {
    const future = await a.post(base, {
      contractor_uuid: hourlyDd(),
      date: '2026-03-09',
      payment_method: 'Historical Payment',
      hours: '3',
    });
    expect(future.status).toBe(422);
    const past = await a.post(base, {
      contractor_uuid: hourlyDd(),
      date: '2026-02-20',
      payment_method: 'Historical Payment',
      hours: '3',
    });
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ status: 'Unfunded', may_cancel: true });
  });

  it('validates amounts against the wage type, and a bad request creates nothing', async () => {
    const before = sandbox.counters().payments_per_contractor_date;
    const attempts = [
      { contractor_uuid: hourlyDd(), date: '2026-03-10', wage: '100' },
      { contractor_uuid: fixedCheck(), date: '2026-03-10', payment_method: 'Check', hours: '3' },
      { contractor_uuid: hourlyDd(), date: '2026-03-10' },
      { contractor_uuid: fixedCheck(), date: '2026-03-10', wage: '10' },
      { contractor_uuid: hourlyDd(), date: '2026-03-10', hours: '-1' },
      { contractor_uuid: 'not-ours', date: '2026-03-10', hours: '1' },
      { contractor_uuid: hourlyDd(), date: '10/03/2026', hours: '1' },
    ];
    for (const body of attempts) expect((await a.post(base, body)).status).toBe(422);
    expect(sandbox.counters().payments_per_contractor_date).toEqual(before);
  });

  it('lists payments by date range, per contractor or per check date, newest first', async () => {
    await a.post(base, { contractor_uuid: hourlyDd(), date: '2026-03-10', hours: '2' });
    await a.post(base, { contractor_uuid: hourlyDd(), date: '2026-03-12', hours: '3' });
    const flat = (await a.get(`${base}?start_date=2026-03-01&end_date=2026-03-31`)).body;
    expect(flat.contractor_payments).toHaveLength(1);
    expect(flat.contractor_payments[0].payments.map((p: AnyJson) => p.date)).toEqual([
      '2026-03-12',
      '2026-03-10',
    ]);
    expect(flat.total).toEqual({ reimbursements: '0.00', wages: '425.00' });
    const byDate = (await a.get(`${base}?start_date=2026-03-01&end_date=2026-03-31&group_by_date=true`)).body;
    expect(byDate.contractor_payments.map((g: AnyJson) => g.check_date)).toEqual([
      '2026-03-12',
      '2026-03-10',
    ]);
    const history = (await a.get(`${base}?start_date=2025-11-01&end_date=2026-03-01`)).body;
    expect(history.contractor_payments.length).toBeGreaterThan(0);
    expect((await a.get(base)).status).toBe(422);
  });

  it('makes one group per creation_token; a replay is a 422 naming the token', async () => {
    const gbase = `/v1/companies/${co.uuid}/contractor_payment_groups`;
    const payments = [
      { contractor_uuid: hourlyDd(), hours: '8' },
      { contractor_uuid: fixedCheck(), payment_method: 'Check', wage: '400' },
    ];
    const preview = await a.post(`${gbase}/preview`, {
      check_date: '2026-03-06',
      contractor_payments: payments,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ uuid: null, debit_date: '2026-03-04', status: 'Unfunded' });
    const body = {
      check_date: '2026-03-06',
      creation_token: 'wf-contractor-group-1',
      contractor_payments: payments,
    };
    const created = await a.post(gbase, body);
    expect(created.status).toBe(201);
    expect(created.body.totals).toEqual({
      amount: '1080.00',
      debit_amount: '680.00',
      wage_amount: '1080.00',
      reimbursement_amount: '0.00',
      check_amount: '400.00',
    });
    const replay = await a.post(gbase, body);
    expect(replay.status).toBe(422);
    expect(replay.body.errors[0]).toMatchObject({
      error_key: 'creation_token',
      metadata: { entity_uuid: created.body.uuid },
    });
    expect(replay.body.errors[0].message).toContain('wf-contractor-group-1');
    const groups = (await a.get(`${gbase}?start_date=2026-03-01&end_date=2026-03-31`)).body;
    expect(groups.filter((g: AnyJson) => g.creation_token === 'wf-contractor-group-1')).toHaveLength(1);
    expect(sandbox.counters().groups_per_creation_token['wf-contractor-group-1']).toBe(2);
  });

  it('funds a group, refuses to cancel it then; cancels an unfunded group entirely', async () => {
    const gbase = `/v1/companies/${co.uuid}/contractor_payment_groups`;
    const payments = [{ contractor_uuid: hourlyDd(), hours: '8' }];
    const g1 = (
      await a.post(gbase, { check_date: '2026-03-06', creation_token: 't1', contractor_payments: payments })
    ).body;
    const funded = await a.put(`/v1/contractor_payment_groups/${g1.uuid}/fund`);
    expect(funded.body.status).toBe('Funded');
    expect((await a.del(`/v1/contractor_payment_groups/${g1.uuid}`)).status).toBe(422);
    const g2 = (
      await a.post(gbase, { check_date: '2026-03-06', creation_token: 't2', contractor_payments: payments })
    ).body;
    const paymentId = g2.contractor_payments[0].uuid;
    expect((await a.del(`/v1/contractor_payment_groups/${g2.uuid}`)).status).toBe(204);
    expect((await a.get(`/v1/contractor_payment_groups/${g2.uuid}`)).status).toBe(404);
    expect((await a.get(`${base}/${paymentId}`)).status).toBe(404);
    expect(
      (await a.post(gbase, { check_date: '2026-03-06', creation_token: 't2', contractor_payments: payments }))
        .status,
    ).toBe(422);
  });

  it('validates a whole group before creating any of it', async () => {
    const gbase = `/v1/companies/${co.uuid}/contractor_payment_groups`;
    const res = await a.post(gbase, {
      check_date: '2026-03-06',
      creation_token: 'bad-group',
      contractor_payments: [
        { contractor_uuid: hourlyDd(), hours: '8' },
        { contractor_uuid: fixedCheck(), payment_method: 'Direct Deposit', wage: '10' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({
      category: 'nested_errors',
      metadata: { contractor_uuid: fixedCheck() },
    });
    expect(sandbox.counters().payments_per_contractor_date).toEqual({});
    expect(
      (
        await a.post(gbase, {
          check_date: '2026-03-06',
          creation_token: 'bad-group',
          contractor_payments: [{ contractor_uuid: hourlyDd(), hours: '1' }],
        })
      ).status,
    ).toBe(201);
  });
});
