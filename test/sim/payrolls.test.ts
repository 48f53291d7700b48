import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { toCents } from '../../gusto/money.js';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import {
  admin,
  api,
  company,
  midNySandbox,
  wallClock,
  type AnyJson,
  type Api,
  type ManualClock,
} from './helpers.js';

describe('payrolls', () => {
  let sandbox: Sandbox;
  let clock: ManualClock;
  let co: SeededCompany;
  let a: Api;
  let base: string;

  beforeEach(async () => {
    ({ clock, sandbox, co, a } = await midNySandbox(11)); // Monday, 10 am Pacific
    base = `/v1/companies/${co.uuid}/payrolls`;
  });

  afterEach(async () => {
    await sandbox.close();
  });

  async function upcoming(): Promise<AnyJson> {
    const res = await a.get(`${base}?processing_statuses=unprocessed`);
    expect(res.status).toBe(200);
    return res.body[0];
  }

  async function show(id: string, query = ''): Promise<AnyJson> {
    const res = await a.get(`${base}/${id}${query}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function calculated(id: string): Promise<AnyJson> {
    expect((await a.put(`${base}/${id}/calculate`)).status).toBe(202);
    clock.advance(1_000);
    return show(id, '?include=totals,taxes,payroll_status_meta');
  }

  it('pre-generates payrolls: past ones processed, upcoming ones unprocessed, paginated like Gusto', async () => {
    const processed = await a.get(base);
    expect(processed.body.length).toBeGreaterThan(0);
    expect(
      processed.body.every((p: AnyJson) => p.processed && p.processing_request.status === 'submit_success'),
    ).toBe(true);
    const unprocessed = await a.get(`${base}?processing_statuses=unprocessed`);
    expect(unprocessed.headers.get('x-page')).toBe('1');
    expect(unprocessed.headers.get('x-per-page')).toBe('25');
    const total = Number(unprocessed.headers.get('x-total-count'));
    expect(total).toBeGreaterThanOrEqual(5);
    const first = unprocessed.body[0];
    expect(first.processed).toBe(false);
    expect(Date.parse(first.payroll_deadline)).toBeGreaterThan(clock.now().getTime());
    const page2 = await a.get(`${base}?processing_statuses=unprocessed&per=2&page=2`);
    expect(page2.body).toHaveLength(2);
    expect(page2.headers.get('x-total-pages')).toBe(String(Math.ceil(total / 2)));
    expect(page2.body[0].check_date > first.check_date).toBe(true);
  });

  it('puts each deadline at 4 pm Los Angeles, two business days before the check date, across DST', async () => {
    const res = await a.get(
      `${base}?processing_statuses=unprocessed,processed&start_date=2026-01-01&end_date=2026-05-31`,
    );
    for (const p of res.body) {
      expect(wallClock(p.payroll_deadline, 'America/Los_Angeles').slice(11)).toBe('16:00');
      const deadlineDay = new Date(
        `${wallClock(p.payroll_deadline, 'America/Los_Angeles').slice(0, 10)}T12:00:00Z`,
      ).getUTCDay();
      expect([1, 2, 3, 4, 5]).toContain(deadlineDay);
    }
    // Both sides of the 2026-03-08 change are present: 00:00Z in PST, 23:00Z in PDT.
    const hours = new Set(res.body.map((p: AnyJson) => p.payroll_deadline.slice(11, 13)));
    expect(hours).toEqual(new Set(['00', '23']));
  });

  it('prepare hands out versions; update bumps only what it edits; a stale version is a 409 that changes nothing', async () => {
    const { payroll_uuid: id } = await upcoming();
    const prepared = (await a.put(`${base}/${id}/prepare`)).body;
    const [first, second] = prepared.employee_compensations;
    expect(first.version).toMatch(/^[0-9a-f]{40}$/);
    const update = await a.put(`${base}/${id}`, {
      employee_compensations: [
        {
          employee_uuid: first.employee_uuid,
          version: first.version,
          fixed_compensations: [{ name: 'Bonus', amount: '500.00' }],
        },
      ],
    });
    expect(update.status).toBe(200);
    expect(update.body.employee_compensations).toHaveLength(1);
    const bumped = update.body.employee_compensations[0];
    expect(bumped.version).not.toBe(first.version);
    expect(bumped.fixed_compensations).toEqual([
      expect.objectContaining({ name: 'Bonus', amount: '500.00' }),
    ]);

    const stale = await a.put(`${base}/${id}`, {
      employee_compensations: [
        {
          employee_uuid: second.employee_uuid,
          version: second.version,
          fixed_compensations: [{ name: 'Commission', amount: '1.00' }],
        },
        {
          employee_uuid: first.employee_uuid,
          version: first.version,
          fixed_compensations: [{ name: 'Bonus', amount: '9.00' }],
        },
      ],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({
      category: 'invalid_resource_version',
      metadata: { employee_uuid: first.employee_uuid },
    });
    const after = (await show(id)).employee_compensations;
    const byId = new Map(after.map((c: AnyJson) => [c.employee_uuid, c]));
    expect((byId.get(second.employee_uuid) as AnyJson).version).toBe(second.version);
    expect((byId.get(second.employee_uuid) as AnyJson).fixed_compensations).toEqual([]);
    expect((byId.get(first.employee_uuid) as AnyJson).fixed_compensations[0].amount).toBe('500.00');
  });

  it('refuses bad updates with Gusto-shaped 422s and leaves the payroll unchanged', async () => {
    const { payroll_uuid: id } = await upcoming();
    const comps = (await a.put(`${base}/${id}/prepare`)).body.employee_compensations as AnyJson[];
    const exempt = comps.find((c) => c.hourly_compensations.length === 1);
    const hourly = comps.find((c) => c.hourly_compensations.length === 3);
    const before = await show(id);
    const attempts = [
      { employee_compensations: [{ employee_uuid: 'nobody', version: 'x' }] },
      {
        employee_compensations: [
          {
            employee_uuid: exempt.employee_uuid,
            version: exempt.version,
            hourly_compensations: [{ name: 'Overtime', hours: '5' }],
          },
        ],
      },
      {
        employee_compensations: [
          {
            employee_uuid: hourly.employee_uuid,
            version: hourly.version,
            hourly_compensations: [{ name: 'Regular Hours', hours: '1.2345' }],
          },
        ],
      },
      {
        employee_compensations: [
          {
            employee_uuid: hourly.employee_uuid,
            version: hourly.version,
            fixed_compensations: [{ name: 'Gift', amount: '5' }],
          },
        ],
      },
      {
        employee_compensations: Array.from({ length: 101 }, () => ({
          employee_uuid: hourly.employee_uuid,
          version: hourly.version,
        })),
      },
      { employee_compensations: [] },
    ];
    for (const body of attempts) {
      const res = await a.put(`${base}/${id}`, body);
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toEqual(
        expect.objectContaining({ error_key: expect.any(String), category: expect.any(String) }),
      );
    }
    expect(await show(id)).toEqual(before);
  });

  it('calculates asynchronously on the sandbox clock, with consistent totals', async () => {
    const { payroll_uuid: id } = await upcoming();
    const comps = (await a.put(`${base}/${id}/prepare`)).body.employee_compensations as AnyJson[];
    const c = comps[0];
    await a.put(`${base}/${id}`, {
      employee_compensations: [
        {
          employee_uuid: c.employee_uuid,
          version: c.version,
          fixed_compensations: [
            { name: 'Reimbursement', amount: '80.00' },
            { name: 'Bonus', amount: '1000.00' },
          ],
        },
      ],
    });
    expect((await a.put(`${base}/${id}/calculate`)).status).toBe(202);
    let p = await show(id, '?include=totals');
    expect(p.processing_request).toEqual({ status: 'calculating', errors: [] });
    expect(p.calculated_at).toBeNull();
    expect(p.totals).toBeUndefined();
    clock.advance(999);
    expect((await show(id)).processing_request.status).toBe('calculating');
    clock.advance(1);
    p = await show(id, '?include=totals,taxes');
    expect(p.processing_request).toEqual({ status: 'calculate_success', errors: [] });
    expect(p.calculated_at).toBe('2026-03-02T18:00:01Z');
    const t = p.totals;
    const cents = (n: number): number => toCents(n.toFixed(2));
    const sum = (f: (x: AnyJson) => number): number =>
      p.employee_compensations.reduce((acc: number, x: AnyJson) => acc + cents(f(x)), 0);
    expect(toCents(t.gross_pay)).toBe(sum((x) => x.gross_pay));
    expect(toCents(t.net_pay)).toBe(sum((x) => x.net_pay));
    expect(toCents(t.net_pay)).toBeLessThanOrEqual(toCents(t.gross_pay));
    expect(toCents(t.tax_debit)).toBe(toCents(t.employee_taxes) + toCents(t.employer_taxes));
    expect(toCents(t.company_debit)).toBe(
      toCents(t.net_pay_debit) +
        toCents(t.tax_debit) +
        toCents(t.reimbursement_debit) +
        toCents(t.child_support_debit),
    );
    expect(toCents(t.check_amount)).toBe(toCents(t.net_pay) + toCents(t.reimbursements));
    expect(t.employee_bonuses).toBe('1000.00');
    expect(t.reimbursements).toBe('80.00');
    expect(toCents(t.gross_pay)).toBe(
      toCents(t.net_pay) + toCents(t.employee_taxes) + toCents(t.other_deductions),
    );
  });

  it('prepare throws a calculation away', async () => {
    const { payroll_uuid: id } = await upcoming();
    await calculated(id);
    const prepared = (await a.put(`${base}/${id}/prepare`)).body;
    expect(prepared.calculated_at).toBeNull();
    expect(prepared.processing_request).toBeNull();
    const p = await show(id, '?include=totals');
    expect(p.totals).toBeUndefined();
    expect(p.calculated_at).toBeNull();
  });

  it('submits once calculated, processes after the latency, and refuses a second submit', async () => {
    const { payroll_uuid: id } = await upcoming();
    const early = await a.put(`${base}/${id}/submit`);
    expect(early.status).toBe(422);
    await calculated(id);
    expect((await a.put(`${base}/${id}/submit`, {})).status).toBe(202);
    expect((await show(id)).processing_request.status).toBe('submitting');
    expect((await a.put(`${base}/${id}/submit`)).status).toBe(422);
    clock.advance(1_000);
    const p = await show(id, '?include=payroll_status_meta');
    expect(p.processed).toBe(true);
    expect(p.processed_date).toBe('2026-03-02');
    expect(p.processing_request).toEqual({ status: 'submit_success', errors: [] });
    expect(p.payroll_status_meta.cancellable).toBe(true);
    expect((await a.put(`${base}/${id}/prepare`)).status).toBe(422);
    expect(sandbox.counters().submits_per_payroll[id]).toBe(3);
    expect(sandbox.counters().calls['PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit']).toBe(3);
  });

  async function processed(id: string): Promise<void> {
    await calculated(id);
    await a.put(`${base}/${id}/submit`);
    clock.advance(1_000);
    expect((await show(id)).processed).toBe(true);
  }

  it('cancels a processed payroll until 3:30 pm Pacific on the deadline date, not after', async () => {
    const { payroll_uuid: id, payroll_deadline } = await upcoming();
    await processed(id);
    const deadlineDate = wallClock(payroll_deadline, 'America/Los_Angeles').slice(0, 10);
    const laOffset = wallClock(payroll_deadline, 'UTC').slice(11, 13) === '00' ? 8 : 7;
    const cutoff = Date.parse(`${deadlineDate}T15:30:00Z`) + laOffset * 3600_000;
    clock.set(new Date(cutoff - 60_000).toISOString());
    const cancelled = await a.put(`${base}/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ processed: false, processed_date: null, calculated_at: null });
    await processed(id);
    clock.set(new Date(cutoff).toISOString());
    expect((await show(id, '?include=payroll_status_meta')).payroll_status_meta.cancellable).toBe(false);
    const late = await a.put(`${base}/${id}/cancel`);
    expect(late.status).toBe(422);
    expect(late.body.errors[0]).toMatchObject({ error_key: 'base', category: 'invalid_operation' });
    expect((await show(id)).processed).toBe(true);
  });

  it('fail_next ends the next calculation in processing_failed with the given errors', async () => {
    const { payroll_uuid: id } = await upcoming();
    const errors = [
      {
        error_key: 'base',
        category: 'payroll_blocker',
        message: 'Bank account unverified',
        metadata: { key: 'missing_bank_verification' },
      },
    ];
    expect(
      (await admin(sandbox).post(`/sandbox/payrolls/${id}/fail_next`, { stage: 'calculate', errors })).status,
    ).toBe(200);
    await a.put(`${base}/${id}/calculate`);
    clock.advance(1_000);
    const failed = await show(id);
    expect(failed.processing_request).toEqual({ status: 'processing_failed', errors });
    expect(failed.calculated_at).toBeNull();
    expect((await a.put(`${base}/${id}/submit`)).status).toBe(422);
    const retried = await calculated(id);
    expect(retried.processing_request.status).toBe('calculate_success');
  });

  it('fail_next on submit leaves the payroll unprocessed with errors', async () => {
    const { payroll_uuid: id } = await upcoming();
    await calculated(id);
    await admin(sandbox).post(`/sandbox/payrolls/${id}/fail_next`, { stage: 'submit' });
    await a.put(`${base}/${id}/submit`);
    clock.advance(1_000);
    const p = await show(id);
    expect(p.processed).toBe(false);
    expect(p.processing_request.status).toBe('processing_failed');
    expect(p.processing_request.errors[0].category).toBe('invalid_operation');
  });

  it('serves a receipt and PDF pay stubs once processed', async () => {
    const { payroll_uuid: id } = await upcoming();
    const employee = (await show(id)).employee_compensations[0].employee_uuid;
    expect((await a.get(`/v1/payrolls/${id}/receipt`)).status).toBe(404);
    await processed(id);
    const receipt = (await a.get(`/v1/payrolls/${id}/receipt`)).body;
    const totals = (await show(id, '?include=totals')).totals;
    expect(receipt.totals.company_debit).toBe(totals.company_debit);
    const stub = await fetch(`${sandbox.url}/v1/payrolls/${id}/employees/${employee}/pay_stub`, {
      headers: { Authorization: `Bearer ${co.access_token}` },
    });
    expect(stub.status).toBe(200);
    expect(stub.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await stub.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it('pages the employee compensations of a large company, at most 100 a page', async () => {
    const large = company(sandbox, 'large-il');
    const b = api(sandbox, large.access_token);
    const lbase = `/v1/companies/${large.uuid}/payrolls`;
    const id = (await b.get(`${lbase}?processing_statuses=unprocessed`)).body[0].payroll_uuid;
    const first = await b.get(`${lbase}/${id}`);
    expect(first.body.employee_compensations).toHaveLength(25);
    expect(first.headers.get('x-total-count')).toBe('120');
    const big = await b.put(`${lbase}/${id}/prepare?per=500&page=2`);
    expect(big.headers.get('x-per-page')).toBe('100');
    expect(big.body.employee_compensations).toHaveLength(20);
  });

  it('reports a missed deadline as late and moves the check date when submitted', async () => {
    const { payroll_uuid: id, check_date, payroll_deadline } = await upcoming();
    clock.set(new Date(Date.parse(payroll_deadline) + 3600_000).toISOString());
    const meta = (await show(id, '?include=payroll_status_meta')).payroll_status_meta;
    expect(meta.payroll_late).toBe(true);
    expect(meta.expected_check_date > check_date).toBe(true);
    await calculated(id);
    await a.put(`${base}/${id}/submit`);
    const p = await show(id, '?include=payroll_status_meta');
    expect(p.check_date).toBe(meta.expected_check_date);
    expect(p.payroll_status_meta.initial_check_date).toBe(check_date);
  });

  it('refuses calculate and submit for a company with payroll blockers', async () => {
    const created = await admin(sandbox).post('/sandbox/companies', {
      companies: [
        {
          name: 'Blocked Bikes LLC',
          location: { street_1: '1 Main Street', city: 'Austin', state: 'TX', zip: '78701' },
          time_zone: 'America/Chicago',
          pay_schedule: 'semimonthly',
          employees: { salaried_exempt: 1, salaried_nonexempt: 0, hourly: 2 },
          blockers: ['missing_bank_info'],
        },
      ],
    });
    expect(created.status).toBe(201);
    const blocked = created.body[0];
    const b = api(sandbox, blocked.access_token);
    expect((await b.get(`/v1/companies/${blocked.uuid}/payrolls/blockers`)).body).toEqual([
      { key: 'missing_bank_info', message: expect.any(String) },
    ]);
    const id = (await b.get(`/v1/companies/${blocked.uuid}/payrolls?processing_statuses=unprocessed`)).body[0]
      .payroll_uuid;
    const res = await b.put(`/v1/companies/${blocked.uuid}/payrolls/${id}/calculate`);
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({
      category: 'payroll_blocker',
      metadata: { key: 'missing_bank_info' },
    });
  });
});
