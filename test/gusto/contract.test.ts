/**
 * Contract tests: the client against the sandbox (sim/server.ts), every method, success and error
 * paths. The sandbox is loaded dynamically so this file still compiles while sim/ is in progress;
 * without it the suite is skipped (and says so).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { createGustoClient, type GustoClient } from '../../gusto/client.js';
import { isGustoApiError, isGustoCredentialsError, type GustoApiError } from '../../gusto/errors.js';
import { tempCredentialStore } from '../harness/credentials.js';
import { createRateLimiter } from '../../gusto/rate-limit.js';
import {
  flattenContractorPayments,
  type ContractorPayment,
} from '../../gusto/schemas/contractor-payments.js';
import type { Contractor } from '../../gusto/schemas/contractors.js';
import type { Payroll } from '../../gusto/schemas/payrolls.js';
import { oauthTokenProvider, sandboxTokenProvider, staticTokenProvider } from '../../gusto/tokens.js';

/** The slice of sim/server.ts this test relies on (docs/INTERFACES.md). */
interface SandboxLike {
  url: string;
  companies: { uuid: string; name: string; access_token: string; refresh_token?: string }[];
  systemToken: string;
  oauthClient?: { client_id: string; client_secret: string };
  close(): Promise<void>;
}
interface SandboxModule {
  createSandbox(options?: Record<string, unknown>): Promise<SandboxLike>;
}

const modulePath = '../../sim/server.js';
const sim = (await import(modulePath).catch(() => null)) as SandboxModule | null;
const describeSandbox = sim ? describe : describe.skip;
if (!sim) console.warn('contract tests skipped: sim/server.ts is not available');

/** Gusto's published spec, beside the repository (../shared) as on CI; the spec check skips without it. */
const SPEC_PATH = fileURLToPath(new URL('../../../shared/gusto/openapi.v2025-11-15.yaml', import.meta.url));

function specOperations(): Set<string> {
  // A few descriptions in the published file close a quoted string at column 0, which strict YAML
  // parsers refuse; indenting that lone quote keeps the document's meaning.
  const text = readFileSync(SPEC_PATH, 'utf8').replace(/^'$/gm, "                                  '");
  const spec = parseYaml(text, { strict: false, uniqueKeys: false }) as { paths: Record<string, object> };
  const ops = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) ops.add(`${method.toUpperCase()} ${path}`);
  }
  return ops;
}

const DAY = 86_400_000;
/** A Monday, mid-afternoon UTC (morning in every US zone): deadlines and funding are ahead. */
const START = Date.parse('2025-12-01T17:00:00Z');

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<GustoApiError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a GustoApiError');
    },
    (e: unknown) => e,
  );
  expect(isGustoApiError(err)).toBe(true);
  return err as GustoApiError;
}

describeSandbox('Gusto client against the sandbox', () => {
  let sandbox: SandboxLike;
  let client: GustoClient;
  let now = START;
  let company: string;
  let otherCompany: string;
  /** Endpoint templates the client called, from its log lines. */
  const called = new Set<string>();
  const logger = {
    info: (_: string, meta?: object) => called.add((meta as { endpoint: string }).endpoint),
    warn: (_: string, meta?: object) => called.add((meta as { endpoint: string }).endpoint),
    error: (_: string, meta?: object) => called.add((meta as { endpoint: string }).endpoint),
  };

  /** Move the sandbox clock and give its ticker a moment. */
  const advance = async (ms: number) => {
    now += ms;
    await sleep(20);
  };

  async function waitForPayroll(id: string, done: (p: Payroll) => boolean): Promise<Payroll> {
    for (let i = 0; i < 60; i++) {
      const payroll = await client.payrolls.get(company, id, { include: ['totals', 'payroll_status_meta'] });
      if (done(payroll)) return payroll;
      await advance(500);
    }
    throw new Error(`payroll ${id} did not reach the expected state`);
  }

  beforeAll(async () => {
    sandbox = await (sim as SandboxModule).createSandbox({
      port: 0,
      quiet: true,
      clock: () => new Date(now),
      calculateLatencyMs: 1000,
      submitLatencyMs: 1000,
    });
    client = createGustoClient({
      baseUrl: sandbox.url,
      tokens: sandboxTokenProvider(sandbox.url),
      clock: () => new Date(now),
      logger,
    });
    const hudson = sandbox.companies.find((c) => c.name.startsWith('Hudson')) ?? sandbox.companies[0];
    company = hudson?.uuid ?? '';
    otherCompany = sandbox.companies.find((c) => c.uuid !== company)?.uuid ?? '';
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  describe('companies', () => {
    it('get', async () => {
      const c = await client.companies.get(company);
      expect(c.uuid).toBe(company);
      expect(c.name).toMatch(/Hudson/);
      expect(c.locations?.length ?? 0).toBeGreaterThan(0);
    });

    it('404 for another company (one company’s token, another’s path)', async () => {
      const ownToken = sandbox.companies.find((c) => c.uuid === company)?.access_token ?? '';
      const crossed = createGustoClient({
        baseUrl: sandbox.url,
        tokens: staticTokenProvider({ companies: { [otherCompany]: ownToken } }),
      });
      const err = await rejection(crossed.companies.get(otherCompany));
      expect(err.status).toBe(404);
      expect(err.endpoint).toBe('GET /v1/companies/{company_id}');
    });
  });

  describe('payrolls', () => {
    let payroll: Payroll;
    let prepared: Payroll;

    it('list / pages / listAll / blockers', async () => {
      const unprocessed = await client.payrolls.list(company, {
        processingStatuses: ['unprocessed'],
        payrollTypes: ['regular'],
        include: ['totals', 'payroll_status_meta'],
      });
      expect(unprocessed.length).toBeGreaterThan(0);
      payroll = unprocessed.reduce((a, b) => (a.check_date <= b.check_date ? a : b));
      expect(payroll.processed).toBe(false);
      const all = await client.payrolls.listAll(company, {
        processingStatuses: ['processed', 'unprocessed'],
      });
      expect(all.length).toBeGreaterThanOrEqual(unprocessed.length);
      expect(await client.payrolls.blockers(company)).toEqual([]);
    });

    it('get with include; 404 for another company’s payroll', async () => {
      const got = await client.payrolls.get(company, payroll.payroll_uuid, {
        include: ['totals', 'payroll_status_meta'],
      });
      expect(got.payroll_uuid).toBe(payroll.payroll_uuid);
      const otherPayrolls = await client.payrolls.list(otherCompany, { processingStatuses: ['unprocessed'] });
      const foreign = otherPayrolls[0]?.payroll_uuid ?? payroll.payroll_uuid;
      const err = await rejection(client.payrolls.get(company, foreign));
      expect(err.status).toBe(404);
      expect(err.endpoint).toBe('GET /v1/companies/{company_id}/payrolls/{payroll_id}');
    });

    it('prepare returns versions', async () => {
      prepared = await client.payrolls.prepare(company, payroll.payroll_uuid);
      expect(prepared.employee_compensations?.length ?? 0).toBeGreaterThan(0);
      expect(prepared.employee_compensations?.every((c) => typeof c.version === 'string')).toBe(true);
    });

    it('update applies edits; a stale version gets 409', async () => {
      const first = prepared.employee_compensations?.[0];
      const fixedName = first?.fixed_compensations?.[0]?.name ?? prepared.fixed_compensation_types?.[0]?.name;
      expect(first && fixedName).toBeTruthy();
      const edit = {
        employee_uuid: first?.employee_uuid ?? '',
        version: first?.version ?? '',
        fixed_compensations: [{ name: fixedName ?? '', amount: '125.50' }],
      };
      const updated = await client.payrolls.update(
        company,
        payroll.payroll_uuid,
        { employeeCompensations: [edit] },
        { prepared },
      );
      const after = updated.employee_compensations?.find((c) => c.employee_uuid === edit.employee_uuid);
      expect(after?.fixed_compensations?.find((f) => f.name === fixedName)?.amount).toMatch(/^125\.50?$/);
      expect(after?.version).not.toBe(edit.version);

      const stale = await rejection(
        client.payrolls.update(company, payroll.payroll_uuid, { employeeCompensations: [edit] }),
      );
      expect(stale.status).toBe(409);
      expect(stale.retryable).toBe(false);
      prepared = await client.payrolls.prepare(company, payroll.payroll_uuid);
    });

    it('422 carries Gusto’s errors (unknown compensation sent without client-side check)', async () => {
      const first = prepared.employee_compensations?.[0];
      const err = await rejection(
        client.payrolls.update(company, payroll.payroll_uuid, {
          employeeCompensations: [
            {
              employee_uuid: first?.employee_uuid ?? '',
              version: first?.version ?? '',
              fixed_compensations: [{ name: 'No Such Compensation', amount: '1.00' }],
            },
          ],
        }),
      );
      expect(err.status).toBe(422);
      expect(err.errors.length).toBeGreaterThan(0);
      const flat = JSON.stringify(err.errors);
      expect(flat).toMatch(/No Such Compensation|fixed_compensations|invalid/i);
    });

    it('calculate (202) → calculate_success; submit (202) → processed; receipt, pay stub', async () => {
      await client.payrolls.calculate(company, payroll.payroll_uuid);
      const calculated = await waitForPayroll(
        payroll.payroll_uuid,
        (p) => p.processing_request?.status === 'calculate_success',
      );
      expect(calculated.totals?.gross_pay).toBeDefined();
      await client.payrolls.submit(company, payroll.payroll_uuid);
      const processed = await waitForPayroll(payroll.payroll_uuid, (p) => p.processed);
      expect(processed.processing_request?.status).toBe('submit_success');

      const receipt = await client.payrolls.receipt(company, payroll.payroll_uuid);
      expect(receipt.payroll_uuid).toBe(payroll.payroll_uuid);
      const employee =
        processed.employee_compensations?.[0]?.employee_uuid ??
        prepared.employee_compensations?.[0]?.employee_uuid;
      const pdf = await client.payrolls.payStub(company, payroll.payroll_uuid, employee ?? '');
      expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    });

    it('cancel returns a processed payroll to unprocessed', async () => {
      const cancelled = await client.payrolls.cancel(company, payroll.payroll_uuid);
      expect(cancelled.processed).toBe(false);
    });

    it('calculate on another company’s payroll → 404', async () => {
      const otherPayrolls = await client.payrolls.list(otherCompany, { processingStatuses: ['unprocessed'] });
      const err = await rejection(
        client.payrolls.calculate(company, otherPayrolls[0]?.payroll_uuid ?? payroll.payroll_uuid),
      );
      expect([404, 422]).toContain(err.status);
    });
  });

  describe('contractors', () => {
    let contractors: Contractor[];
    const byName = (name: string) => contractors.find((c) => c.first_name === name);

    it('list / listAll / get', async () => {
      contractors = await client.contractors.list(company);
      expect(contractors.length).toBeGreaterThanOrEqual(4);
      expect((await client.contractors.listAll(company)).length).toBe(contractors.length);
      const dana = byName('Dana');
      const one = await client.contractors.get(company, dana?.uuid ?? '');
      expect(one.uuid).toBe(dana?.uuid);
      expect(typeof one.version).toBe('string');
    });

    it('update with the current version; 409 with a stale one', async () => {
      const dana = await client.contractors.get(company, byName('Dana')?.uuid ?? '');
      const updated = await client.contractors.update(company, dana.uuid, {
        version: dana.version,
        email: 'dana@example.com',
      });
      expect(updated.version).not.toBe(dana.version);
      const err = await rejection(
        client.contractors.update(company, dana.uuid, { version: dana.version, email: 'x@example.com' }),
      );
      expect(err.status).toBe(409);
    });

    it('schedule and cancel a termination; a second pending one is a 422', async () => {
      const id = byName('Gabriel')?.uuid ?? '';
      await client.contractors.scheduleTermination(company, id, { endDate: iso(now + 14 * DAY) });
      const scheduled = await client.contractors.get(company, id);
      expect(scheduled.dismissal_date).toBe(iso(now + 14 * DAY));
      const err = await rejection(
        client.contractors.scheduleTermination(company, id, { endDate: iso(now + 20 * DAY) }),
      );
      expect(err.status).toBe(422);
      await client.contractors.cancelTermination(company, id);
      expect((await client.contractors.get(company, id)).dismissal_date ?? null).toBeNull();
    });

    it('schedule and cancel a rehire of a dismissed contractor', async () => {
      const lena = await client.contractors.get(company, byName('Lena')?.uuid ?? '');
      expect(lena.is_active).toBe(false);
      await client.contractors.scheduleRehire(company, lena.uuid, { startDate: iso(now + 7 * DAY) });
      expect((await client.contractors.get(company, lena.uuid)).upcoming_employment?.start_date).toBe(
        iso(now + 7 * DAY),
      );
      await client.contractors.cancelRehire(company, lena.uuid);
      expect((await client.contractors.get(company, lena.uuid)).upcoming_employment ?? null).toBeNull();
    });

    it('delete: refused with payments (422), allowed without', async () => {
      const paid = await rejection(client.contractors.delete(company, byName('Dana')?.uuid ?? ''));
      expect(paid.status).toBe(422);
      const tomas = byName('Tomas')?.uuid ?? '';
      await client.contractors.delete(company, tomas);
      expect((await rejection(client.contractors.get(company, tomas))).status).toBe(404);
    });

    it('another company’s contractor → 404', async () => {
      const foreign = (await client.contractors.list(otherCompany))[0]?.uuid ?? '';
      expect((await rejection(client.contractors.get(company, foreign))).status).toBe(404);
    });
  });

  describe('contractor payments', () => {
    let payee: string;
    let payment: ContractorPayment;

    beforeAll(async () => {
      const list = await client.contractors.list(company);
      payee = list.find((c) => c.first_name === 'Priya')?.uuid ?? '';
    });

    it('preview → expected debit date', async () => {
      const preview = await client.contractorPayments.preview(company, {
        contractor_payments: [{ contractor_uuid: payee, date: iso(now + 7 * DAY), wage: '1000.00' }],
      });
      expect(preview.expected_debit_date <= iso(now + 7 * DAY)).toBe(true);
    });

    it('create / get / list / fund / receipt', async () => {
      const date = iso(now + 7 * DAY);
      payment = await client.contractorPayments.create(company, {
        contractor_uuid: payee,
        date,
        payment_method: 'Direct Deposit',
        wage: '1000.00',
      });
      expect(payment.status).toBe('Unfunded');
      expect((await client.contractorPayments.get(company, payment.uuid)).uuid).toBe(payment.uuid);
      const summary = await client.contractorPayments.list(company, {
        startDate: date,
        endDate: date,
        contractorUuid: payee,
      });
      expect(flattenContractorPayments(summary).map((p) => p.uuid)).toContain(payment.uuid);
      const byDate = await client.contractorPayments.list(company, {
        startDate: date,
        endDate: date,
        groupByDate: true,
      });
      expect(flattenContractorPayments(byDate).map((p) => p.uuid)).toContain(payment.uuid);

      const funded = await client.contractorPayments.fund(company, payment.uuid);
      expect(funded.status).toBe('Funded');
      const receipt = await client.contractorPayments.receipt(company, payment.uuid);
      expect(receipt.contractor_payment_uuid).toBe(payment.uuid);
    });

    it('cancel an unfunded payment; it is gone afterwards; receipt of an unfunded one is 404', async () => {
      const other = await client.contractorPayments.create(company, {
        contractor_uuid: payee,
        date: iso(now + 8 * DAY),
        payment_method: 'Direct Deposit',
        wage: '10.00',
      });
      expect((await rejection(client.contractorPayments.receipt(company, other.uuid))).status).toBe(404);
      await client.contractorPayments.cancel(company, other.uuid);
      expect((await rejection(client.contractorPayments.get(company, other.uuid))).status).toBe(404);
    });

    it('a Historical Payment dated in the past is accepted', async () => {
      const historical = await client.contractorPayments.create(company, {
        contractor_uuid: payee,
        date: iso(now - 10 * DAY),
        payment_method: 'Historical Payment',
        wage: '50.00',
      });
      expect(historical.payment_method).toBe('Historical Payment');
    });

    it('another company’s payment → 404', async () => {
      expect((await rejection(client.contractorPayments.get(otherCompany, payment.uuid))).status).toBe(404);
    });
  });

  describe('contractor payment groups', () => {
    let payees: Contractor[];
    /** What each contractor may be paid: a wage if fixed, hours if hourly; their own payment method. */
    const paymentFor = (c: Contractor) => ({
      contractor_uuid: c.uuid,
      payment_method:
        c.payment_method === 'Direct Deposit' ? ('Direct Deposit' as const) : ('Check' as const),
      ...(c.wage_type === 'Hourly' ? { hours: '2.000' } : { wage: '200.00' }),
    });

    beforeAll(async () => {
      const list = await client.contractors.list(company);
      payees = list.filter((c) => c.is_active && c.onboarded !== false).slice(0, 2);
    });

    it('preview → create (idempotent by creation_token) → get / list / fund', async () => {
      const body = { check_date: iso(now + 9 * DAY), contractor_payments: payees.map(paymentFor) };
      const preview = await client.contractorPaymentGroups.preview(company, body);
      expect(preview.uuid ?? null).toBeNull();
      const token = preview.creation_token ?? 'contract-test-group-1';
      const group = await client.contractorPaymentGroups.create(company, { ...body, creation_token: token });
      // A repeated token never makes a second group: the sandbox (like Gusto) refuses it with a 422
      // naming creation_token; a server that returned the same group would be fine too.
      const again = await client.contractorPaymentGroups
        .create(company, { ...body, creation_token: token })
        .catch((err: unknown) => err);
      if (isGustoApiError(again)) {
        expect(again.status).toBe(422);
        expect(again.errors[0]?.error_key).toBe('creation_token');
      } else {
        expect((again as { uuid: string }).uuid).toBe(group.uuid);
      }
      const fetched = await client.contractorPaymentGroups.get(company, group.uuid);
      expect(fetched.contractor_payments?.length).toBe(payees.length);
      const groups = await client.contractorPaymentGroups.list(company, {
        startDate: body.check_date,
        endDate: body.check_date,
      });
      expect(groups.map((g) => g.uuid)).toContain(group.uuid);
      expect(groups.filter((g) => g.creation_token === token)).toHaveLength(1);
      const funded = await client.contractorPaymentGroups.fund(company, group.uuid);
      expect(funded.status).toBe('Funded');
    });

    it('cancel an unfunded group; 404 afterwards', async () => {
      const group = await client.contractorPaymentGroups.create(company, {
        check_date: iso(now + 10 * DAY),
        creation_token: 'contract-test-group-2',
        contractor_payments: payees.slice(0, 1).map(paymentFor),
      });
      await client.contractorPaymentGroups.cancel(company, group.uuid);
      expect((await rejection(client.contractorPaymentGroups.get(company, group.uuid))).status).toBe(404);
    });
  });

  describe('events and webhook subscriptions (system token)', () => {
    it('events.list returns thin events', async () => {
      const events = await client.events.list({ resourceUuid: company, limit: 100 });
      expect(Array.isArray(events)).toBe(true);
      for (const e of events) expect(e.resource_uuid).toBe(company);
    });

    it('create / get / requestVerificationToken / verify (wrong token → 422)', async () => {
      const sub = await client.webhookSubscriptions.create({
        url: 'http://127.0.0.1:9/webhooks',
        subscription_types: ['Payroll', 'ContractorPayment'],
      });
      expect(sub.status).toBe('pending');
      expect((await client.webhookSubscriptions.get(sub.uuid)).uuid).toBe(sub.uuid);
      expect((await client.webhookSubscriptions.list()).map((w) => w.uuid)).toContain(sub.uuid);
      await client.webhookSubscriptions.requestVerificationToken(sub.uuid);
      const err = await rejection(client.webhookSubscriptions.verify(sub.uuid, 'not-the-token'));
      expect(err.status).toBe(422);
    });
  });

  describe('OAuth against the sandbox token endpoint', () => {
    it('refreshes with rotation and the new access token works; the old refresh token is dead', async () => {
      const seeded = sandbox.companies.find((c) => c.uuid === company);
      const oauth = sandbox.oauthClient;
      expect(seeded?.refresh_token && oauth).toBeTruthy();
      const temp = tempCredentialStore();
      const store = temp.store;
      const tokens = oauthTokenProvider({
        baseUrl: sandbox.url,
        clientId: oauth?.client_id ?? '',
        clientSecret: oauth?.client_secret ?? '',
        refreshTokens: { [company]: seeded?.refresh_token ?? '' },
        store,
      });
      const viaOAuth = createGustoClient({ baseUrl: sandbox.url, tokens });
      expect((await viaOAuth.companies.get(company)).uuid).toBe(company);
      const rotated = (await store.read(company))?.secret?.refreshToken;
      expect(rotated).toBeDefined();
      expect(rotated).not.toBe(seeded?.refresh_token);
      expect(typeof (await tokens.systemToken())).toBe('string');

      // Another deployment still holding the spent refresh token: Gusto says invalid_grant.
      const other = tempCredentialStore();
      const replay = oauthTokenProvider({
        baseUrl: sandbox.url,
        clientId: oauth?.client_id ?? '',
        clientSecret: oauth?.client_secret ?? '',
        refreshTokens: { [company]: seeded?.refresh_token ?? '' },
        store: other.store,
      });
      const err = await replay.companyToken(company).catch((e: unknown) => e);
      expect(isGustoCredentialsError(err)).toBe(true);
      expect((err as Error).message).toContain('invalid_grant');
      expect(JSON.stringify(err)).not.toContain(oauth?.client_secret ?? '');
      expect((await other.store.read(company))?.state).toBe('needs_credentials');
      temp.remove();
      other.remove();
    });
  });

  describe('spec conformance', () => {
    const maybe = existsSync(SPEC_PATH) ? it : it.skip;
    maybe('every endpoint the client called exists in Gusto’s spec with that method', () => {
      const ops = specOperations();
      expect(called.size).toBeGreaterThanOrEqual(30);
      expect([...called].filter((endpoint) => !ops.has(endpoint))).toEqual([]);
    });
  });

  describe('protocol errors', () => {
    it('406 for an API version older than the minimum', async () => {
      const old = createGustoClient({
        baseUrl: sandbox.url,
        tokens: sandboxTokenProvider(sandbox.url),
        apiVersion: '2024-04-01',
      });
      const err = await rejection(old.companies.get(company));
      expect(err.status).toBe(406);
      expect(err.retryable).toBe(false);
    });

    it('401 for a bad token', async () => {
      const bad = createGustoClient({
        baseUrl: sandbox.url,
        tokens: staticTokenProvider({ companies: { [company]: 'not-a-real-token' } }),
      });
      const err = await rejection(bad.companies.get(company));
      expect(err.status).toBe(401);
      expect(JSON.stringify(err)).not.toContain('not-a-real-token');
    });
  });
});

describeSandbox('rate limiting against the sandbox', () => {
  let sandbox: SandboxLike;
  let now = START;

  beforeAll(async () => {
    sandbox = await (sim as SandboxModule).createSandbox({
      port: 0,
      quiet: true,
      clock: () => new Date(now),
      rateLimitPerMinute: 3,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('429 with Retry-After, then success once it has passed', async () => {
    const company = sandbox.companies[0]?.uuid ?? '';
    const client = createGustoClient({
      baseUrl: sandbox.url,
      tokens: sandboxTokenProvider(sandbox.url),
      rateLimiter: false,
    });
    for (let i = 0; i < 3; i++) await client.companies.get(company);
    const err = await rejection(client.companies.get(company));
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(0);
    now += err.retryAfterMs ?? 60_000;
    expect((await client.companies.get(company)).uuid).toBe(company);
  });

  it('the client’s limiter honours the sandbox’s Retry-After for that company', async () => {
    now += 120_000;
    const company = sandbox.companies[0]?.uuid ?? '';
    let clientNow = 0;
    const timers: { at: number; resolve: () => void }[] = [];
    const clock = {
      now: () => clientNow,
      sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: clientNow + ms, resolve })),
    };
    // The client allows 10 per minute, the sandbox only 3: the 4th call gets the sandbox's 429.
    const client = createGustoClient({
      baseUrl: sandbox.url,
      tokens: sandboxTokenProvider(sandbox.url),
      // The sandbox's Retry-After (60 s) is beyond the default 45 s wait bound: raise it to watch the wait.
      rateLimiter: createRateLimiter({ limit: 10, clock, maxWaitMs: 120_000 }),
    });
    for (let i = 0; i < 3; i++) await client.companies.get(company);
    const err = await rejection(client.companies.get(company));
    expect(err.status).toBe(429);
    let done = false;
    const next = client.companies.get(company).then(() => (done = true));
    await sleep(50);
    expect(done).toBe(false);
    expect(timers.length).toBe(1);
    now += err.retryAfterMs ?? 60_000;
    clientNow += err.retryAfterMs ?? 60_000;
    timers.shift()?.resolve();
    await next;
    expect(done).toBe(true);
  });
});
