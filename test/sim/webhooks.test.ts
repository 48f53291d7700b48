import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import {
  admin,
  api,
  company,
  contractor,
  manualClock,
  startReceiver,
  startSandbox,
  type Api,
  type Delivery,
  type ManualClock,
  type Receiver,
} from './helpers.js';

describe('webhooks', () => {
  let sandbox: Sandbox;
  let clock: ManualClock;
  let receiver: Receiver;
  let sys: Api;
  let co: SeededCompany;
  let a: Api;

  beforeEach(async () => {
    clock = manualClock('2026-03-02T18:00:00Z');
    sandbox = await startSandbox({
      clock,
      tickMs: 20,
      webhooks: { retryDelaysMs: [50, 50] },
      seed: { seed: 61 },
    });
    receiver = await startReceiver();
    sys = api(sandbox, sandbox.systemToken);
    co = company(sandbox, 'small-ca');
    a = api(sandbox, co.access_token);
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  /** Creates a subscription and completes the verification handshake; returns its token. */
  async function subscribe(types = ['Payroll', 'Contractor', 'ContractorPayment']): Promise<string> {
    const created = await sys.post('/v1/webhook_subscriptions', {
      url: receiver.url,
      subscription_types: types,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending');
    const mine = (d: Delivery): boolean => d.json.webhook_subscription_uuid === created.body.uuid;
    await receiver.waitFor((d) => d.some(mine));
    const handshake = receiver.deliveries.find(mine)!;
    expect(handshake.json.verification_token).toMatch(/^[0-9a-f]{32}$/);
    const verified = await sys.put(`/v1/webhook_subscriptions/${created.body.uuid}/verify`, {
      verification_token: handshake.json.verification_token,
    });
    expect(verified.body.status).toBe('verified');
    receiver.deliveries.length = 0;
    return handshake.json.verification_token as string;
  }

  const events = (type?: string): Delivery[] =>
    receiver.deliveries.filter((d) => d.json.event_type && (!type || d.json.event_type === type));

  async function calculatePayroll(): Promise<string> {
    const base = `/v1/companies/${co.uuid}/payrolls`;
    const id = (await a.get(`${base}?processing_statuses=unprocessed`)).body[0].payroll_uuid as string;
    expect((await a.put(`${base}/${id}/calculate`)).status).toBe(202);
    clock.advance(1_000);
    return id;
  }

  it('delivers thin events signed with HMAC-SHA256 of the raw body, without anyone reading', async () => {
    const token = await subscribe();
    const id = await calculatePayroll();
    await receiver.waitFor(() => events('payroll.calculated').length === 1);
    const delivery = events('payroll.calculated')[0]!;
    expect(delivery.json).toEqual({
      uuid: expect.any(String),
      event_type: 'payroll.calculated',
      resource_type: 'Company',
      resource_uuid: co.uuid,
      entity_type: 'Payroll',
      entity_uuid: id,
      timestamp: Date.parse('2026-03-02T18:00:01Z') / 1000,
    });
    const expected = createHmac('sha256', token).update(delivery.raw).digest('hex');
    expect(delivery.headers['x-gusto-signature']).toBe(expected);
    const logged = (await sys.get(`/v1/events?resource_uuid=${co.uuid}&event_type=payroll.*`)).body;
    expect(logged.map((e: { uuid: string }) => e.uuid)).toContain(delivery.json.uuid);
  });

  it('sends nothing to a subscription that is not verified, or not subscribed to the type', async () => {
    await sys.post('/v1/webhook_subscriptions', { url: receiver.url, subscription_types: ['Payroll'] });
    await receiver.waitFor((d) => d.length === 1);
    await subscribe(['Contractor']);
    await calculatePayroll();
    await new Promise((r) => setTimeout(r, 200));
    expect(events()).toEqual([]);
  });

  it('retries a failed delivery', async () => {
    await subscribe();
    receiver.status = 500;
    await calculatePayroll();
    await receiver.waitFor(() => events('payroll.calculated').length === 2);
    receiver.status = 200;
    await receiver.waitFor(() => events('payroll.calculated').length === 3);
    await new Promise((r) => setTimeout(r, 150));
    expect(events('payroll.calculated')).toHaveLength(3);
    const log = (await admin(sandbox).get('/sandbox/webhook_deliveries')).body;
    expect(
      log
        .filter((d: { event_type: string }) => d.event_type === 'payroll.calculated')
        .map((d: { status: number }) => d.status),
    ).toEqual([500, 500, 200]);
  });

  it('can duplicate deliveries on purpose', async () => {
    await subscribe();
    await admin(sandbox).put('/sandbox/config', { webhooks: { duplicate: true } });
    await calculatePayroll();
    await receiver.waitFor(() => events('payroll.calculated').length === 2);
    const [one, two] = events('payroll.calculated');
    expect(one!.json.uuid).toBe(two!.json.uuid);
  });

  it('can deliver out of order on purpose', async () => {
    await subscribe(['Contractor']);
    await admin(sandbox).put('/sandbox/config', { webhooks: { out_of_order: true } });
    const { uuid } = contractor(co, 'hourly-dd');
    for (let i = 0; i < 6; i++) {
      await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-04-30' });
      await a.del(`/v1/contractors/${uuid}/termination`);
    }
    const logged = (await sys.get(`/v1/events?limit=100&event_type=contractor.*`)).body.map(
      (e: { uuid: string }) => e.uuid,
    );
    expect(logged).toHaveLength(18);
    await receiver.waitFor(() => events().length === 18);
    const delivered = events().map((d) => d.json.uuid as string);
    expect(new Set(delivered)).toEqual(new Set(logged));
    expect(delivered).not.toEqual(logged);
  });

  it('reports contractor and contractor payment events', async () => {
    await subscribe();
    const { uuid } = contractor(co, 'hourly-dd');
    await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-02-27' });
    const payment = await a.post(`/v1/companies/${co.uuid}/contractor_payments`, {
      contractor_uuid: contractor(co, 'fixed-check').uuid,
      date: '2026-03-05',
      payment_method: 'Check',
      wage: '10',
    });
    await eventually(() => events().length === 3);
    expect(events().map((d) => [d.json.event_type, d.json.entity_type])).toEqual(
      expect.arrayContaining([
        ['contractor.deactivated', 'Contractor'],
        ['contractor.deactivation_effective', 'Contractor'],
        ['contractor_payment.created', 'ContractorPayment'],
      ]),
    );
    expect(events('contractor_payment.created')[0]!.json.entity_uuid).toBe(payment.body.uuid);
  });
});
