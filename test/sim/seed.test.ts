import { describe, expect, it } from '@jest/globals';
import type { SeededCompany } from '../../sim/server.js';
import { admin, api, company, startSandbox } from './helpers.js';

const shape = (companies: SeededCompany[]) =>
  companies.map((c) => ({
    key: c.key,
    name: c.name,
    zone: c.time_zone,
    employees: c.employees.length,
    contractors: c.contractors.length,
  }));

describe('seed data', () => {
  it('is deterministic for a seed; fixtures keep their shape across seeds', async () => {
    const clock = () => new Date('2026-03-02T18:00:00Z');
    const [one, two, other] = await Promise.all([
      startSandbox({ clock, seed: { seed: 81 } }),
      startSandbox({ clock, seed: { seed: 81 } }),
      startSandbox({ clock, seed: { seed: 82 } }),
    ]);
    try {
      expect(one.companies).toEqual(two.companies);
      expect(one.systemToken).toBe(two.systemToken);
      expect(other.companies[0]!.uuid).not.toBe(one.companies[0]!.uuid);
      expect(shape(other.companies)).toEqual(shape(one.companies));
      const co = company(one, 'mid-ny');
      const path = `/v1/companies/${co.uuid}/payrolls?processing_statuses=unprocessed,processed`;
      const ids = async (s: typeof one) =>
        (await api(s, co.access_token).get(path)).body.map((p: { payroll_uuid: string }) => p.payroll_uuid);
      expect(await ids(one)).toEqual(await ids(two));
    } finally {
      await Promise.all([one.close(), two.close(), other.close()]);
    }
  });

  it('looks like a real customer base', async () => {
    const sandbox = await startSandbox({ seed: { seed: 83 } });
    try {
      const companies = sandbox.companies;
      expect(companies.map((c) => c.key)).toEqual([
        'small-ca',
        'mid-ny',
        'large-il',
        'denver-co',
        'phoenix-az',
        'honolulu-hi',
        'blocked-bank-tx',
        'blocked-onboarding-wa',
      ]);
      expect(new Set(companies.map((c) => c.time_zone)).size).toBe(6);
      expect(company(sandbox, 'small-ca').employees).toHaveLength(3);
      expect(company(sandbox, 'mid-ny').employees.length).toBeGreaterThanOrEqual(20);
      const mid = company(sandbox, 'mid-ny');
      expect(new Set(mid.employees.map((e) => `${e.flsa_status}/${e.salaried}`))).toEqual(
        new Set(['Exempt/true', 'Nonexempt/true', 'Nonexempt/false']),
      );
      expect(new Set(mid.employees.map((e) => e.payment_method))).toEqual(
        new Set(['Direct Deposit', 'Check']),
      );
      const kinds = mid.contractors.map(
        (c) => `${c.key}|${c.wage_type}|${c.payment_method}|${c.has_payments}|${c.is_active}`,
      );
      expect(kinds).toEqual([
        'hourly-dd|Hourly|Direct Deposit|true|true',
        'fixed-check|Fixed|Check|true|true',
        'unpaid-fixed-dd|Fixed|Direct Deposit|false|true',
        'unpaid-hourly-check|Hourly|Check|false|true',
        'dismissed|Hourly|Direct Deposit|true|false',
      ]);
      const a = api(sandbox, mid.access_token);
      const processed = (await a.get(`/v1/companies/${mid.uuid}/payrolls`)).body;
      expect(processed.length).toBeGreaterThanOrEqual(2);
      const companyJson = (await a.get(`/v1/companies/${mid.uuid}`)).body;
      expect(companyJson.locations[0].state).toBe('NY');
      expect(companyJson.compensations.fixed.map((f: { name: string }) => f.name)).toEqual(
        expect.arrayContaining(['Bonus', 'Commission', 'Reimbursement']),
      );
    } finally {
      await sandbox.close();
    }
  });

  // How long seeding takes is a benchmark's question (docs/BENCHMARKS.md, "Payday at scale"), not a test's.
  it('seeds 1,000 companies, generating their payrolls on first use', async () => {
    const sandbox = await startSandbox({ seed: { companies: 1000, seed: 84 } });
    try {
      const companies = sandbox.companies;
      expect(companies).toHaveLength(1000);
      const generated = companies[999]!;
      expect(generated.key).toBe('gen-1000');
      const res = await api(sandbox, generated.access_token).get(
        `/v1/companies/${generated.uuid}/payrolls?processing_statuses=unprocessed`,
      );
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  });

  it('adds companies at run time from specs or a count', async () => {
    const sandbox = await startSandbox({ seed: { seed: 85 } });
    try {
      const ops = admin(sandbox);
      const added = await ops.post('/sandbox/companies', { count: 3 });
      expect(added.status).toBe(201);
      expect(added.body).toHaveLength(3);
      expect(sandbox.companies).toHaveLength(11); // 6 fixtures, 2 blocked, 3 added
      const bad = await ops.post('/sandbox/companies', {
        companies: [
          {
            name: 'X',
            location: { street_1: 'a', city: 'b', state: 'CA', zip: '9' },
            time_zone: 'Mars/Base',
            pay_schedule: 'weekly',
            employees: {},
          },
        ],
      });
      expect(bad.status).toBe(422);
      expect(bad.body.errors.map((e: { error_key: string }) => e.error_key)).toEqual(
        expect.arrayContaining([
          'companies.0.time_zone',
          'companies.0.location.zip',
          'companies.0.pay_schedule',
        ]),
      );
      expect(sandbox.companies).toHaveLength(11); // 6 fixtures, 2 blocked, 3 added
    } finally {
      await sandbox.close();
    }
  });
});
