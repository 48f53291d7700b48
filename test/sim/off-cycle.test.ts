import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import { api, company, manualClock, startSandbox, type Api, type ManualClock } from './helpers.js';

// Monday 2026-03-02, 10 am Pacific: the earliest Direct Deposit check date is Wednesday 03-04.
const NOW = '2026-03-02T18:00:00Z';

describe('off-cycle payrolls', () => {
  let sandbox: Sandbox;
  let clock: ManualClock;
  let co: SeededCompany;
  let a: Api;
  let base: string;

  beforeEach(async () => {
    clock = manualClock(NOW);
    sandbox = await startSandbox({ clock, seed: { seed: 21 }, calculateLatencyMs: 0, submitLatencyMs: 0 });
    co = company(sandbox, 'small-ca');
    a = api(sandbox, co.access_token);
    base = `/v1/companies/${co.uuid}/payrolls`;
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const bonus = (extra: Record<string, unknown> = {}) => ({
    off_cycle: true,
    off_cycle_reason: 'Bonus',
    start_date: '2026-03-01',
    end_date: '2026-03-01',
    check_date: '2026-03-06',
    employee_uuids: [co.employees[0]!.uuid],
    ...extra,
  });
  const created = () => sandbox.counters().off_cycle_payrolls_per_company[co.uuid] ?? 0;

  it('creates a bonus payroll that runs prepare → update → calculate → submit like a regular one', async () => {
    const res = await a.post(base, bonus());
    expect(res.status).toBe(200);
    const p = res.body;
    expect(p).toMatchObject({
      off_cycle: true,
      off_cycle_reason: 'Bonus',
      check_date: '2026-03-06',
      processed: false,
      pay_period: { start_date: '2026-03-01', end_date: '2026-03-01' },
    });
    expect(created()).toBe(1);
    // Listed with payroll_types=off_cycle only.
    const list = async (types: string) =>
      (await a.get(`${base}?processing_statuses=unprocessed&payroll_types=${types}`)).body.map(
        (x: { payroll_uuid: string }) => x.payroll_uuid,
      );
    expect(await list('off_cycle')).toEqual([p.payroll_uuid]);
    expect(await list('regular')).not.toContain(p.payroll_uuid);

    const prepared = (await a.put(`${base}/${p.payroll_uuid}/prepare`)).body;
    expect(prepared.employee_compensations).toHaveLength(1);
    const comp = prepared.employee_compensations[0];
    // Nothing regular on a bonus payroll: no hours, no deductions.
    expect(comp.hourly_compensations.every((h: { hours: string }) => Number(h.hours) === 0)).toBe(true);
    expect(prepared.skip_regular_deductions).toBe(true);
    const updated = await a.put(`${base}/${p.payroll_uuid}`, {
      employee_compensations: [
        {
          employee_uuid: comp.employee_uuid,
          version: comp.version,
          fixed_compensations: [{ name: 'Bonus', amount: '500.00' }],
        },
      ],
    });
    expect(updated.status).toBe(200);
    expect((await a.put(`${base}/${p.payroll_uuid}/calculate`)).status).toBe(202);
    clock.advance(1_000);
    const calculated = (await a.get(`${base}/${p.payroll_uuid}?include=totals`)).body;
    expect(calculated.totals.gross_pay).toBe('500.00');
    expect((await a.put(`${base}/${p.payroll_uuid}/submit`)).status).toBe(202);
    clock.advance(1_000);
    expect((await a.get(`${base}/${p.payroll_uuid}`)).body.processed).toBe(true);
    // Processed: it can no longer be deleted.
    const del = await a.del(`${base}/${p.payroll_uuid}`);
    expect(del.status).toBe(422);
    expect(del.body.errors[0].message).toContain('unprocessed');
  });

  it('a correction keeps regular deductions unless told otherwise; both can be overridden', async () => {
    const correction = await a.post(base, bonus({ off_cycle_reason: 'Correction', employee_uuids: null }));
    expect(correction.body.off_cycle_reason).toBe('Correction');
    const shown = (await a.get(`${base}/${correction.body.payroll_uuid}`)).body;
    expect(shown.skip_regular_deductions).toBe(false);
    expect(shown.withholding_pay_period).toBe('Twice per month');
    const overridden = await a.post(
      base,
      bonus({
        skip_regular_deductions: false,
        fixed_withholding_rate: true,
        withholding_pay_period: 'Monthly',
      }),
    );
    const o = (await a.get(`${base}/${overridden.body.payroll_uuid}`)).body;
    expect(o).toMatchObject({
      skip_regular_deductions: false,
      fixed_withholding_rate: true,
      withholding_pay_period: 'Monthly',
    });
    expect(created()).toBe(2);
  });

  it('deletes an unprocessed off-cycle payroll, never a regular one', async () => {
    const p = (await a.post(base, bonus())).body;
    expect((await a.del(`${base}/${p.payroll_uuid}`)).status).toBe(204);
    expect((await a.get(`${base}/${p.payroll_uuid}`)).status).toBe(404);
    expect((await a.del(`${base}/${p.payroll_uuid}`)).status).toBe(404);
    const regular = (await a.get(`${base}?processing_statuses=unprocessed`)).body[0].payroll_uuid;
    const refused = await a.del(`${base}/${regular}`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].category).toBe('invalid_operation');
  });

  it.each([
    ['an unknown reason', { off_cycle_reason: 'Holiday' }, 'off_cycle_reason', /Bonus, Correction/],
    ['off_cycle false', { off_cycle: false }, 'off_cycle', /must be true/],
    ['a check date in the past', { check_date: '2026-02-27' }, 'check_date', /in the past/],
    ['a check date on a Saturday', { check_date: '2026-03-07' }, 'check_date', /not a business day/],
    ['a check date on a bank holiday', { check_date: '2026-05-25' }, 'check_date', /not a business day/],
    [
      'a check date too soon',
      { check_date: '2026-03-03' },
      'check_date',
      /earliest possible check date is 2026-03-04/,
    ],
    [
      'a period ending before it starts',
      { end_date: '2026-02-27' },
      'end_date',
      /on or after its start date/,
    ],
    ['a malformed date', { start_date: '03/01/2026' }, 'start_date', /YYYY-MM-DD/],
    [
      'an employee of another company',
      { employee_uuids: ['00000000-0000-4000-8000-000000000000'] },
      'employee_uuids',
      /Invalid Employee/,
    ],
  ])('refuses %s, naming the field, and creates nothing', async (_, extra, field, message) => {
    const res = await a.post(base, bonus(extra));
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ error_key: field, category: 'invalid_attribute_value' });
    expect(res.body.errors[0].message).toMatch(message);
    expect(created()).toBe(0);
    expect((await a.get(`${base}?processing_statuses=unprocessed&payroll_types=off_cycle`)).body).toEqual([]);
  });

  it('check-only payrolls may be paid today', async () => {
    const res = await a.post(base, bonus({ check_date: '2026-03-02', is_check_only_payroll: true }));
    expect(res.status).toBe(200);
    expect(res.body.check_date).toBe('2026-03-02');
  });
});
