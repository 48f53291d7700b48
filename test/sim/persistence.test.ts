import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import type { Sandbox } from '../../sim/server.js';
import { STATE_VERSION } from '../../sim/snapshot.js';
import { admin, api, company, contractor, startSandbox, type AnyJson } from './helpers.js';

const DAY_MS = 86_400_000;

describe('sandbox state file (stateFile option)', () => {
  let dir: string;
  let stateFile: string;
  const open: Sandbox[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
    stateFile = join(dir, 'sandbox-state.json');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const sandbox of open.splice(0)) await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> => {
    const sandbox = await startSandbox(options);
    open.push(sandbox);
    return sandbox;
  };

  const close = async (sandbox: Sandbox): Promise<void> => {
    open.splice(open.indexOf(sandbox), 1);
    await sandbox.close();
  };

  /** Everything the test changed, as the API shows it. */
  async function observe(sandbox: Sandbox, ids: Record<string, string>): Promise<AnyJson> {
    const co = company(sandbox, 'mid-ny');
    const a = api(sandbox, co.access_token);
    const system = api(sandbox, sandbox.systemToken);
    return {
      payroll: (await a.get(`/v1/companies/${co.uuid}/payrolls/${ids.payroll}?include=totals`)).body,
      payment: (await a.get(`/v1/companies/${co.uuid}/contractor_payments/${ids.payment}`)).body,
      dismissed: (await a.get(`/v1/contractors/${ids.dismissed}`)).body,
      subscriptions: (await system.get('/v1/webhook_subscriptions')).body,
      events: (await system.get('/v1/events?limit=100')).body,
      refreshToken: co.refresh_token,
    };
  }

  it('keeps payrolls, payments, dismissals, tokens, counters and the clock across a restart', async () => {
    // A long calculation: it is still in flight when the sandbox stops, as a waiting workflow would see it.
    const first = await start({ seed: { seed: 91 }, stateFile, calculateLatencyMs: 60_000 });
    const ops = admin(first);
    expect((await ops.post('/sandbox/clock', { advance_ms: 3 * DAY_MS })).status).toBe(200);
    const co = company(first, 'mid-ny');
    const a = api(first, co.access_token);

    const payrolls = `/v1/companies/${co.uuid}/payrolls`;
    const payroll = (await a.get(`${payrolls}?processing_statuses=unprocessed`)).body[0].payroll_uuid;
    expect((await a.put(`${payrolls}/${payroll}/prepare`)).status).toBe(200);
    expect((await a.put(`${payrolls}/${payroll}/calculate`)).status).toBe(202);

    const payments = `/v1/companies/${co.uuid}/contractor_payments`;
    const payee = contractor(co, 'hourly-dd').uuid;
    const today = (await first.now()).toISOString().slice(0, 10);
    const refused = await a.post(payments, { contractor_uuid: payee, date: today, hours: '1' });
    const earliest = /(\d{4}-\d{2}-\d{2}) at the earliest/.exec(refused.body.errors[0].message)?.[1] ?? '';
    const payment = await a.post(payments, { contractor_uuid: payee, date: earliest, hours: '2' });
    expect(payment.status).toBe(200);

    const dismissed = contractor(co, 'fixed-check').uuid;
    const endDate = new Date(Date.parse(today) + 10 * DAY_MS).toISOString().slice(0, 10);
    expect((await a.post(`/v1/contractors/${dismissed}/termination`, { end_date: endDate })).status).toBe(
      204,
    );

    const rotated = await ops.post('/oauth/token', {
      ...first.oauthClient,
      grant_type: 'refresh_token',
      refresh_token: co.refresh_token,
    });
    expect(rotated.status).toBe(200);
    const system = api(first, first.systemToken);
    const hook = { url: 'http://127.0.0.1:9/hooks', subscription_types: ['Payroll'] };
    expect((await system.post('/v1/webhook_subscriptions', hook)).status).toBe(201);

    const ids = { payroll, payment: payment.body.uuid as string, dismissed };
    const before = await observe(first, ids);
    expect(before.payroll.processing_request.status).toBe('calculating');
    expect(before.dismissed.dismissal_date).toBe(endDate);
    expect(before.refreshToken).toBe(rotated.body.refresh_token);
    const counters = first.counters();
    const clockBefore = await first.now();
    await close(first);
    const savedText = await readFile(stateFile, 'utf8');

    // No seed given: the file's seed is used.
    const second = await start({ stateFile });
    // Restored, it saves exactly what it loaded (PRNG position included, so ids never repeat).
    const resaved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect({ ...resaved, savedAt: null }).toEqual({ ...JSON.parse(savedText), savedAt: null });
    expect(second.seed).toBe(91);
    expect(second.counters()).toEqual(counters);
    const clockAfter = await second.now();
    expect(clockAfter.getTime()).toBeGreaterThanOrEqual(clockBefore.getTime());
    expect(clockAfter.getTime() - Date.now()).toBeGreaterThan(3 * DAY_MS - 60_000);
    expect(await observe(second, ids)).toEqual(before);

    // The rotated tokens are the live ones; the old refresh token stays spent.
    const anon = admin(second);
    const again = { ...second.oauthClient, grant_type: 'refresh_token' };
    expect((await anon.post('/oauth/token', { ...again, refresh_token: co.refresh_token })).status).toBe(400);
    expect(
      (await anon.post('/oauth/token', { ...again, refresh_token: rotated.body.refresh_token })).status,
    ).toBe(200);
    expect((await api(second, rotated.body.access_token).get(`/v1/companies/${co.uuid}`)).status).toBe(200);

    // The calculation finishes on the restored clock, and new records get new ids.
    await admin(second).post('/sandbox/clock', { advance_ms: 60_000 });
    const b = api(second, co.access_token);
    const calculated = (await b.get(`${payrolls}/${payroll}?include=totals`)).body;
    expect(calculated.processing_request.status).toBe('calculate_success');
    expect(calculated.totals.gross_pay).toBeDefined();
    const next = await b.post(payments, { contractor_uuid: payee, date: earliest, hours: '3' });
    expect(next.status).toBe(200);
    expect(next.body.uuid).not.toBe(ids.payment);
    expect(second.counters().payments_per_contractor_date[`${payee}:${earliest}`]).toBe(2);
  });

  it('saves shortly after a change, atomically, without waiting for close', async () => {
    const sandbox = await start({ seed: { seed: 92 }, stateFile });
    const co = company(sandbox, 'small-ca');
    const dismissed = contractor(co, 'hourly-dd').uuid;
    const endDate = new Date(Date.now() + 20 * DAY_MS).toISOString().slice(0, 10);
    await api(sandbox, co.access_token).post(`/v1/contractors/${dismissed}/termination`, {
      end_date: endDate,
    });
    const saved = async (): Promise<AnyJson> => JSON.parse(await readFile(stateFile, 'utf8'));
    await eventually(
      async () => (await saved()).counters.terminations_per_contractor[dismissed] === 1,
      3_000,
    );
    const state = await saved();
    expect(state).toMatchObject({ version: STATE_VERSION, seed: 92 });
    expect(state.store.contractors.find((c: AnyJson) => c.uuid === dismissed).endDate).toBe(endDate);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    ['is not JSON', '{"version": 1, "seed":', /is not valid JSON/],
    [
      'is an older version',
      JSON.stringify({ version: 0, seed: 93 }),
      /is version 0; this sandbox reads version 1/,
    ],
    [
      'has the wrong shape',
      JSON.stringify({ version: 1, seed: 93, store: {} }),
      /does not match the state format/,
    ],
  ])(
    'starts fresh when the file %s, reporting it in one line and keeping it as .bad',
    async (_, text, why) => {
      await writeFile(stateFile, text);
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      const sandbox = await start({ seed: { seed: 93 }, stateFile });
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0]?.[0]);
      expect(line).toMatch(why);
      expect(line).toContain(`${stateFile}.bad`);
      expect(line).not.toContain('\n');
      expect(await readFile(`${stateFile}.bad`, 'utf8')).toBe(text);
      // A working sandbox from the seed, already saved in the current format.
      expect(sandbox.companies).toHaveLength(8); // 6 fixtures and 2 blocked companies
      expect(Object.keys(sandbox.counters().calls)).toEqual([]);
      expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({
        version: STATE_VERSION,
        seed: 93,
      });
    },
  );

  it('sets aside a file saved from another seed when a seed is asked for', async () => {
    await close(await start({ seed: { seed: 94 }, stateFile }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const sandbox = await start({ seed: { seed: 95 }, stateFile });
    expect(sandbox.seed).toBe(95);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/saved by a sandbox with seed 94, not 95/);
    expect(JSON.parse(await readFile(`${stateFile}.bad`, 'utf8')).seed).toBe(94);
  });

  it('fails to start when the state file cannot be written', async () => {
    const notADirectory = join(dir, 'plain-file');
    await writeFile(notADirectory, '');
    await expect(startSandbox({ stateFile: join(notADirectory, 'state.json') })).rejects.toThrow(/ENOTDIR/);
  });
});
