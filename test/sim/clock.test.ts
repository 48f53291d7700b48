import { describe, expect, it } from '@jest/globals';
import { admin, api, company, contractor, startSandbox } from './helpers.js';

describe('sandbox clock', () => {
  it('runs on real time and moves forward (only) with POST /sandbox/clock', async () => {
    const sandbox = await startSandbox({ seed: { seed: 71 } });
    try {
      const ops = admin(sandbox);
      const before = Date.parse((await ops.get('/sandbox/clock')).body.now);
      expect(Math.abs(before - Date.now())).toBeLessThan(5_000);
      const moved = await ops.post('/sandbox/clock', { advance_ms: 86_400_000 });
      expect(moved.status).toBe(200);
      expect(Date.parse(moved.body.now) - Date.now()).toBeGreaterThan(86_000_000);
      const back = await ops.post('/sandbox/clock', { set: new Date(Date.now()).toISOString() });
      expect(back.status).toBe(422);
      expect(back.body.errors[0].message).toContain('only moves forward');
      expect(Date.parse((await sandbox.now()).toISOString()) - Date.now()).toBeGreaterThan(86_000_000);
    } finally {
      await sandbox.close();
    }
  });

  it('funds a Direct Deposit payment once the clock passes its debit date', async () => {
    const sandbox = await startSandbox({ seed: { seed: 72 } });
    try {
      const co = company(sandbox, 'mid-ny');
      const a = api(sandbox, co.access_token);
      const uuid = contractor(co, 'hourly-dd').uuid;
      const base = `/v1/companies/${co.uuid}/contractor_payments`;
      // Ask for today: too soon for a Direct Deposit, so the 422 names the earliest possible date.
      const today = (await sandbox.now()).toISOString().slice(0, 10);
      const refused = await a.post(base, { contractor_uuid: uuid, date: today, hours: '1' });
      const earliest = /(\d{4}-\d{2}-\d{2}) at the earliest/.exec(refused.body.errors[0].message)?.[1] ?? '';
      const payment = (await a.post(base, { contractor_uuid: uuid, date: earliest, hours: '1' })).body;
      expect(payment.status).toBe('Unfunded');
      await admin(sandbox).post('/sandbox/clock', { set: `${earliest}T12:00:00Z` });
      // The clock move itself funds it and says so (before anyone reads the payment), so a run
      // waiting on funding is woken by the webhook instead of its real-time timer.
      const sys = api(sandbox, sandbox.systemToken);
      const events = (await sys.get('/v1/events?limit=100&event_type=contractor_payment.*')).body as Array<{
        event_type: string;
        entity_uuid: string;
      }>;
      expect(events.filter((e) => e.entity_uuid === payment.uuid).map((e) => e.event_type)).toEqual([
        'contractor_payment.created',
        'contractor_payment.funded',
      ]);
      expect((await a.get(`${base}/${payment.uuid}`)).body).toMatchObject({
        status: 'Funded',
        may_cancel: false,
      });
    } finally {
      await sandbox.close();
    }
  });

  it('refuses to move an injected clock, and reads an async one', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const sandbox = await startSandbox({ clock: async () => new Date(now), seed: { seed: 73 } });
    try {
      const ops = admin(sandbox);
      const refused = await ops.post('/sandbox/clock', { advance_ms: 1000 });
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0].message).toContain('injected');
      now += 90 * 86_400_000;
      expect((await ops.get('/sandbox/clock')).body).toEqual({
        now: '2026-08-30T12:00:00.000Z',
        injected: true,
      });
    } finally {
      await sandbox.close();
    }
  });

  it('keeps generating upcoming payrolls as time moves on', async () => {
    let now = Date.parse('2026-03-02T18:00:00Z');
    const sandbox = await startSandbox({ clock: () => new Date(now), seed: { seed: 74 } });
    try {
      const co = company(sandbox, 'small-ca');
      const a = api(sandbox, co.access_token);
      const list = async () =>
        (await a.get(`/v1/companies/${co.uuid}/payrolls?processing_statuses=unprocessed&per=100`)).body;
      const first = await list();
      now += 120 * 86_400_000;
      const later = await list();
      expect(later.length).toBeGreaterThan(first.length);
      const lastCheck = later[later.length - 1].check_date as string;
      expect(lastCheck > '2026-08-01').toBe(true);
      // Missed payrolls stay unprocessed and report themselves late.
      const missed = (
        await a.get(`/v1/companies/${co.uuid}/payrolls/${first[0].payroll_uuid}?include=payroll_status_meta`)
      ).body;
      expect(missed.processed).toBe(false);
      expect(missed.payroll_status_meta.payroll_late).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});
