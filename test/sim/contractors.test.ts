import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import { api, contractor, midNySandbox, type AnyJson, type Api, type ManualClock } from './helpers.js';

const HOUR = 3600_000;

describe('contractors', () => {
  let sandbox: Sandbox;
  let clock: ManualClock;
  let co: SeededCompany;
  let a: Api;
  let sys: Api;

  beforeEach(async () => {
    ({ clock, sandbox, co, a } = await midNySandbox(31)); // Monday, 1 pm in New York
    sys = api(sandbox, sandbox.systemToken);
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const get = async (uuid: string): Promise<AnyJson> => (await a.get(`/v1/contractors/${uuid}`)).body;
  const events = async (uuid: string): Promise<string[]> =>
    (await sys.get('/v1/events?limit=100&event_type=contractor.*')).body
      .filter((e: AnyJson) => e.entity_uuid === uuid)
      .map((e: AnyJson) => e.event_type);

  it('schedules a dismissal that takes effect the day after end_date, in the company time zone', async () => {
    const { uuid } = contractor(co, 'hourly-dd');
    expect((await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-03-10' })).status).toBe(
      204,
    );
    expect(await get(uuid)).toMatchObject({
      is_active: true,
      dismissal_date: '2026-03-10',
      dismissal_cancellation_eligible: true,
    });
    expect(sandbox.counters().terminations_per_contractor[uuid]).toBe(1);
    clock.set('2026-03-11T03:59:00Z'); // 11:59 pm EDT on the 10th
    expect((await get(uuid)).is_active).toBe(true);
    clock.set('2026-03-11T04:00:00Z'); // midnight EDT: the 11th begins
    expect(await get(uuid)).toMatchObject({ is_active: false, dismissal_cancellation_eligible: false });
    expect(await events(uuid)).toEqual(['contractor.deactivated', 'contractor.deactivation_effective']);
    expect((await a.del(`/v1/contractors/${uuid}/termination`)).status).toBe(422);
  });

  it('cancels a scheduled dismissal before it takes effect', async () => {
    const { uuid } = contractor(co, 'hourly-dd');
    await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-03-20' });
    expect((await a.del(`/v1/contractors/${uuid}/termination`)).status).toBe(204);
    expect(await get(uuid)).toMatchObject({
      is_active: true,
      dismissal_date: null,
      dismissal_cancellation_eligible: false,
    });
    expect(await events(uuid)).toEqual([
      'contractor.deactivated',
      'contractor.deactivation_cancelled',
      'contractor.reactivated',
    ]);
    expect((await a.del(`/v1/contractors/${uuid}/termination`)).status).toBe(422);
  });

  it('lets a past-dated dismissal be cancelled for 2 days after it was recorded', async () => {
    const { uuid } = contractor(co, 'hourly-dd');
    await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-02-20' });
    expect(await get(uuid)).toMatchObject({ is_active: false, dismissal_cancellation_eligible: true });
    clock.advance(47 * HOUR);
    expect((await a.del(`/v1/contractors/${uuid}/termination`)).status).toBe(204);
    expect((await get(uuid)).is_active).toBe(true);
    await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-02-20' });
    clock.advance(49 * HOUR);
    expect((await get(uuid)).dismissal_cancellation_eligible).toBe(false);
    expect((await a.del(`/v1/contractors/${uuid}/termination`)).status).toBe(422);
  });

  it('refuses conflicting transitions with 422s', async () => {
    const { uuid } = contractor(co, 'hourly-dd');
    const version = (await get(uuid)).version;
    expect((await a.post(`/v1/contractors/${uuid}/rehire`, { start_date: '2026-04-01' })).status).toBe(422);
    await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-03-20' });
    expect((await a.post(`/v1/contractors/${uuid}/termination`, { end_date: '2026-03-25' })).status).toBe(
      422,
    );
    expect((await a.post(`/v1/contractors/${uuid}/rehire`, { start_date: '2026-04-01' })).status).toBe(422);
    const current = (await get(uuid)).version;
    expect(current).not.toBe(version);
    const deactivate = await a.put(`/v1/contractors/${uuid}`, { version: current, is_active: false });
    expect(deactivate.status).toBe(422);
    expect(deactivate.body.errors[0]).toMatchObject({
      error_key: 'is_active',
      category: 'invalid_attribute_value',
    });
    expect((await get(uuid)).dismissal_date).toBe('2026-03-20');

    const dismissed = contractor(co, 'dismissed').uuid;
    await a.post(`/v1/contractors/${dismissed}/rehire`, { start_date: '2026-03-16' });
    expect((await a.post(`/v1/contractors/${dismissed}/rehire`, { start_date: '2026-03-17' })).status).toBe(
      422,
    );
    expect(
      (await a.post(`/v1/contractors/${dismissed}/termination`, { end_date: '2026-03-30' })).status,
    ).toBe(422);
    const v = (await get(dismissed)).version;
    expect((await a.put(`/v1/contractors/${dismissed}`, { version: v, is_active: true })).status).toBe(422);
  });

  it('rehires a dismissed contractor on the start date, cancellable until then', async () => {
    const { uuid } = contractor(co, 'dismissed');
    const before = await get(uuid);
    expect(before.is_active).toBe(false);
    expect(before.dismissal_date).not.toBeNull();
    expect(
      (await a.post(`/v1/contractors/${uuid}/rehire`, { start_date: before.dismissal_date })).status,
    ).toBe(422);
    expect((await a.post(`/v1/contractors/${uuid}/rehire`, { start_date: '2026-03-16' })).status).toBe(204);
    expect(await get(uuid)).toMatchObject({
      is_active: false,
      upcoming_employment: { start_date: '2026-03-16' },
      rehire_cancellation_eligible: true,
    });
    expect(sandbox.counters().rehires_per_contractor[uuid]).toBe(1);
    clock.set('2026-03-16T04:00:00Z'); // midnight EDT
    expect(await get(uuid)).toMatchObject({
      is_active: true,
      start_date: '2026-03-16',
      dismissal_date: null,
      upcoming_employment: null,
      rehire_cancellation_eligible: false,
    });
    expect(await events(uuid)).toEqual(['contractor.reactivated', 'contractor.reactivation_effective']);
    expect((await a.del(`/v1/contractors/${uuid}/rehire`)).status).toBe(422);
  });

  it('cancels a scheduled rehire', async () => {
    const { uuid } = contractor(co, 'dismissed');
    const dismissalDate = (await get(uuid)).dismissal_date;
    await a.post(`/v1/contractors/${uuid}/rehire`, { start_date: '2026-03-16' });
    expect((await a.del(`/v1/contractors/${uuid}/rehire`)).status).toBe(204);
    expect(await get(uuid)).toMatchObject({
      is_active: false,
      dismissal_date: dismissalDate,
      upcoming_employment: null,
    });
    expect(await events(uuid)).toEqual([
      'contractor.reactivated',
      'contractor.reactivation_cancelled',
      'contractor.deactivated',
    ]);
  });

  it('deletes a contractor without payments; one with payments is a 422 and stays', async () => {
    const unpaid = contractor(co, 'unpaid-fixed-dd');
    const paid = contractor(co, 'hourly-dd');
    expect(unpaid.has_payments).toBe(false);
    expect(paid.has_payments).toBe(true);
    expect((await a.del(`/v1/contractors/${unpaid.uuid}`)).status).toBe(204);
    expect((await a.get(`/v1/contractors/${unpaid.uuid}`)).status).toBe(404);
    const refused = await a.del(`/v1/contractors/${paid.uuid}`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].category).toBe('invalid_operation');
    expect((await a.get(`/v1/contractors/${paid.uuid}`)).status).toBe(200);
  });

  it('updates with the current version, 409 for a stale one, and deactivates/reactivates immediately', async () => {
    const { uuid } = contractor(co, 'hourly-dd');
    const v1 = (await get(uuid)).version;
    const updated = await a.put(`/v1/contractors/${uuid}`, {
      version: v1,
      hourly_rate: '95.00',
      email: 'dana@example.com',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ hourly_rate: '95.00', email: 'dana@example.com' });
    expect(updated.body.version).not.toBe(v1);
    const stale = await a.put(`/v1/contractors/${uuid}`, { version: v1, hourly_rate: '1.00' });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].category).toBe('invalid_resource_version');
    expect((await get(uuid)).hourly_rate).toBe('95.00');
    expect((await a.put(`/v1/contractors/${uuid}`, { hourly_rate: '1.00' })).status).toBe(422);
    const off = await a.put(`/v1/contractors/${uuid}`, { version: updated.body.version, is_active: false });
    expect(off.body).toMatchObject({ is_active: false, dismissal_date: '2026-03-02' });
    const on = await a.put(`/v1/contractors/${uuid}`, { version: off.body.version, is_active: true });
    expect(on.body).toMatchObject({ is_active: true, dismissal_date: null, start_date: '2026-03-02' });
  });

  it('lists contractors with Gusto filters', async () => {
    const all = (await a.get(`/v1/companies/${co.uuid}/contractors`)).body;
    expect(all).toHaveLength(co.contractors.length);
    const terminated = (await a.get(`/v1/companies/${co.uuid}/contractors?terminated=true`)).body;
    expect(terminated.map((c: AnyJson) => c.uuid)).toEqual([contractor(co, 'dismissed').uuid]);
    const active = (await a.get(`/v1/companies/${co.uuid}/contractors?onboarded_active=true`)).body;
    expect(active).toHaveLength(co.contractors.length - 1);
    const search = (await a.get(`/v1/companies/${co.uuid}/contractors?search_term=whit`)).body;
    expect(search.map((c: AnyJson) => c.last_name)).toEqual(['Whitfield']);
    const paged = await a.get(`/v1/companies/${co.uuid}/contractors?per=2&page=1`);
    expect(paged.body).toHaveLength(2);
    expect(paged.headers.get('x-total-count')).toBe(String(co.contractors.length));
  });
});
