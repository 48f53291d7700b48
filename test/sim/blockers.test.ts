import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Sandbox, SeededCompany } from '../../sim/server.js';
import { admin, api, company, manualClock, startSandbox, type Api } from './helpers.js';

describe('payroll blockers', () => {
  let sandbox: Sandbox;
  let co: SeededCompany;
  let a: Api;
  let base: string;

  beforeEach(async () => {
    sandbox = await startSandbox({ clock: manualClock('2026-03-02T18:00:00Z'), seed: { seed: 15 } });
    co = company(sandbox, 'small-ca');
    a = api(sandbox, co.access_token);
    base = `/v1/companies/${co.uuid}/payrolls`;
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const firstUnprocessed = async (): Promise<string> =>
    (await a.get(`${base}?processing_statuses=unprocessed`)).body[0].payroll_uuid;

  it('seeds blocked companies next to the runnable fixtures', async () => {
    const bank = company(sandbox, 'blocked-bank-tx');
    const res = await api(sandbox, bank.access_token).get(`/v1/companies/${bank.uuid}/payrolls/blockers`);
    expect(res.body).toEqual([
      {
        key: 'missing_bank_verification',
        message: 'Company bank account must be verified in order to run payroll.',
      },
    ]);
    expect((await a.get(`/v1/companies/${co.uuid}/payrolls/blockers`)).body).toEqual([]);
  });

  it('adds and clears a blocker at run time; prepare, calculate and submit follow it', async () => {
    const id = await firstUnprocessed();
    const added = await admin(sandbox).put(`/sandbox/companies/${co.uuid}/blockers/suspended`);
    expect(added.status).toBe(200);
    expect(added.body).toEqual([
      { key: 'suspended', message: 'Company is suspended and cannot run payroll.' },
    ]);
    // Adding it twice changes nothing.
    expect((await admin(sandbox).put(`/sandbox/companies/${co.uuid}/blockers/suspended`)).body).toHaveLength(
      1,
    );
    for (const step of ['prepare', 'calculate', 'submit']) {
      const res = await a.put(`${base}/${id}/${step}`);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        {
          error_key: 'base',
          category: 'payroll_blocker',
          message: 'Company is suspended and cannot run payroll.',
          metadata: { key: 'suspended' },
        },
      ]);
    }
    const events = (await api(sandbox, sandbox.systemToken).get('/v1/events')).body as Array<{
      event_type: string;
      resource_uuid: string;
    }>;
    expect(events.filter((e) => e.event_type === 'company.updated')).toEqual([
      expect.objectContaining({ resource_uuid: co.uuid }),
    ]);

    const cleared = await admin(sandbox).del(`/sandbox/companies/${co.uuid}/blockers/suspended`);
    expect(cleared.body).toEqual([]);
    expect((await a.put(`${base}/${id}/prepare`)).status).toBe(200);
    expect((await a.put(`${base}/${id}/calculate`)).status).toBe(202);
  });

  it('names the rule for an unknown key or company and changes nothing', async () => {
    const unknown = await admin(sandbox).put(`/sandbox/companies/${co.uuid}/blockers/too_sunny`);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ error_key: 'key', category: 'invalid_attribute_value' });
    expect(unknown.body.errors[0].message).toContain('missing_bank_info');
    const nobody = await admin(sandbox).put(
      '/sandbox/companies/00000000-0000-4000-8000-000000000000/blockers/suspended',
    );
    expect(nobody.status).toBe(404);
    expect((await a.get(`/v1/companies/${co.uuid}/payrolls/blockers`)).body).toEqual([]);
  });
});
