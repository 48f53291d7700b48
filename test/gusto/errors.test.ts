import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import {
  GustoApiError,
  GustoResponseError,
  isGustoApiError,
  isGustoResponseError,
} from '../../gusto/errors.js';
import { parseRetryAfter } from '../../gusto/http.js';
import {
  COMPANY,
  CONTRACTOR,
  EMPLOYEE,
  PAYROLL,
  TOKEN,
  clientFor,
  payrollBody,
  startFakeGusto,
  type FakeGusto,
  type Reply,
} from './fake-gusto.js';

let fake: FakeGusto;
let next: Reply = {};

beforeAll(async () => {
  fake = await startFakeGusto(() => next);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  next = {};
});

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

async function apiError(reply: Reply, fn?: () => Promise<unknown>): Promise<GustoApiError> {
  next = reply;
  const client = clientFor(fake);
  const err = await failure(fn ?? (() => client.payrolls.submit(COMPANY, PAYROLL)));
  expect(isGustoApiError(err)).toBe(true);
  return err as GustoApiError;
}

const SUBMIT = 'PUT /v1/companies/{company_id}/payrolls/{payroll_id}/submit';

describe('error classification', () => {
  it('404 → not retryable, errors kept', async () => {
    const err = await apiError({
      status: 404,
      body: { errors: [{ error_key: 'payroll', category: 'not_found', message: 'Payroll not found' }] },
    });
    expect(err).toBeInstanceOf(GustoApiError);
    expect(err.status).toBe(404);
    expect(err.endpoint).toBe(SUBMIT);
    expect(err.retryable).toBe(false);
    expect(err.errors).toEqual([
      { error_key: 'payroll', category: 'not_found', message: 'Payroll not found' },
    ]);
    expect(err.message).toContain(SUBMIT);
    expect(err.message).toContain('Payroll not found');
  });

  it('409 → not retryable but distinguishable', async () => {
    const err = await apiError(
      {
        status: 409,
        body: {
          errors: [{ error_key: 'version', category: 'invalid_attribute_value', message: 'stale version' }],
        },
      },
      () => clientFor(fake).contractors.update(COMPANY, CONTRACTOR, { version: 'old', is_active: false }),
    );
    expect(err.status).toBe(409);
    expect(err.retryable).toBe(false);
    expect(err.endpoint).toBe('PUT /v1/contractors/{contractor_uuid}');
  });

  it('422 → nested errors and metadata preserved', async () => {
    const err = await apiError({
      status: 422,
      body: {
        errors: [
          {
            error_key: 'employee_compensations',
            category: 'nested_errors',
            metadata: { employee_uuid: EMPLOYEE },
            errors: [
              {
                error_key: 'fixed_compensations',
                category: 'invalid_attribute_value',
                message: 'Bonus is invalid',
              },
            ],
          },
        ],
      },
    });
    expect(err.status).toBe(422);
    expect(err.retryable).toBe(false);
    expect(err.errors[0]?.metadata).toEqual({ employee_uuid: EMPLOYEE });
    expect(err.errors[0]?.errors?.[0]).toEqual({
      error_key: 'fixed_compensations',
      category: 'invalid_attribute_value',
      message: 'Bonus is invalid',
    });
    expect(err.message).toContain('Bonus is invalid');
  });

  it('429 with Retry-After seconds → retryable with retryAfterMs', async () => {
    const err = await apiError({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { errors: [{ error_key: 'rate_limit', category: 'rate_limit_exceeded', message: 'slow down' }] },
    });
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
  });

  it('429 with Retry-After as an HTTP date', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('500 → retryable', async () => {
    const err = await apiError({ status: 500, raw: '<html>oops</html>' });
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
    expect(err.errors[0]).toMatchObject({ error_key: 'http_500', category: 'http_error' });
  });

  it('406 (old API version) and 401 → fail fast', async () => {
    const e406 = await apiError({
      status: 406,
      body: { errors: [{ error_key: 'api_version', category: 'invalid_api_version', message: 'too old' }] },
    });
    expect(e406.status).toBe(406);
    expect(e406.retryable).toBe(false);
    const e401 = await apiError({ status: 401, body: { error: 'invalid_token' } });
    expect(e401.status).toBe(401);
    expect(e401.retryable).toBe(false);
    expect(e401.errors[0]?.message).toBe('invalid_token');
  });

  it('a timeout → status 0, retryable, code kept', async () => {
    next = { hang: true };
    const client = clientFor(fake, { timeoutMs: 150 });
    const err = (await failure(() => client.payrolls.calculate(COMPANY, PAYROLL))) as GustoApiError;
    expect(isGustoApiError(err)).toBe(true);
    expect(err.status).toBe(0);
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.retryable).toBe(true);
    expect(err.endpoint).toBe('PUT /v1/companies/{company_id}/payrolls/{payroll_id}/calculate');
  });

  it('a dropped connection or refused port → status 0, retryable', async () => {
    const dropped = await apiError({ destroy: true });
    expect(dropped.status).toBe(0);
    expect(dropped.retryable).toBe(true);

    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = clientFor({ url: `http://127.0.0.1:${port}`, requests: [], close: async () => {} });
    const refused = (await failure(() => client.companies.get(COMPANY))) as GustoApiError;
    expect(refused.status).toBe(0);
    expect(refused.code).toBe('ECONNREFUSED');
    expect(refused.retryable).toBe(true);
  });
});

describe('response schema', () => {
  it('a missing field the processes read → GustoResponseError naming endpoint and path', async () => {
    next = { body: payrollBody({ company_uuid: undefined }) };
    const err = await failure(() => clientFor(fake).payrolls.get(COMPANY, PAYROLL));
    expect(isGustoResponseError(err)).toBe(true);
    const e = err as GustoResponseError;
    expect(e).toBeInstanceOf(GustoResponseError);
    expect(e.endpoint).toBe('GET /v1/companies/{company_id}/payrolls/{payroll_id}');
    expect(e.path).toBe('company_uuid');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('GET /v1/companies/{company_id}/payrolls/{payroll_id}');
    expect(e.message).toContain('company_uuid');
  });

  it('names nested paths', async () => {
    next = { body: payrollBody({ employee_compensations: [{ employee_uuid: EMPLOYEE }, { version: 'x' }] }) };
    const err = (await failure(() => clientFor(fake).payrolls.get(COMPANY, PAYROLL))) as GustoResponseError;
    expect(err.path).toBe('employee_compensations[1].employee_uuid');
  });

  it('non-JSON success body → GustoResponseError', async () => {
    next = { raw: 'not json' };
    const err = (await failure(() => clientFor(fake).companies.get(COMPANY))) as GustoResponseError;
    expect(isGustoResponseError(err)).toBe(true);
    expect(err.path).toBe('');
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('is lenient where Gusto is: unknown enum values, extra fields, numeric amounts', async () => {
    next = {
      body: payrollBody({
        processing_request: { status: 'quantum_calculating', errors: [] },
        employee_compensations: [
          { employee_uuid: EMPLOYEE, gross_pay: 1234.5, net_pay: '1000.00', new_thing: 1 },
        ],
      }),
    };
    const payroll = await clientFor(fake).payrolls.get(COMPANY, PAYROLL);
    expect(payroll.processing_request?.status).toBe('quantum_calculating');
    expect(payroll.employee_compensations?.[0]?.gross_pay).toBe('1234.5');
    expect((payroll as Record<string, unknown>).some_future_field).toEqual({ kept: true });
    expect((payroll.employee_compensations?.[0] as Record<string, unknown>).new_thing).toBe(1);
  });

  it('fills payroll_uuid from uuid when only one is sent', async () => {
    next = { body: payrollBody({ payroll_uuid: undefined }) };
    const payroll = await clientFor(fake).payrolls.get(COMPANY, PAYROLL);
    expect(payroll.payroll_uuid).toBe(PAYROLL);
  });
});

describe('request shape', () => {
  it('sends the API version, the bearer token, comma-joined lists and the path', async () => {
    next = { body: [payrollBody()] };
    await clientFor(fake).payrolls.list(COMPANY, {
      processingStatuses: ['processed', 'unprocessed'],
      payrollTypes: ['regular'],
      include: ['totals', 'payroll_status_meta'],
      startDate: '2025-01-01',
      per: 50,
    });
    const req = fake.requests[0];
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe(`/v1/companies/${COMPANY}/payrolls`);
    expect(req?.headers['x-gusto-api-version']).toBe('2025-11-15');
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.query.get('processing_statuses')).toBe('processed,unprocessed');
    expect(req?.query.get('include')).toBe('totals,payroll_status_meta');
    expect(req?.query.get('start_date')).toBe('2025-01-01');
    expect(req?.query.get('per')).toBe('50');
    expect(req?.query.has('end_date')).toBe(false);
  });

  it('honours a configured API version', async () => {
    next = { body: { uuid: COMPANY, name: 'Acme' } };
    await clientFor(fake, { apiVersion: '2025-06-15' }).companies.get(COMPANY);
    expect(fake.requests[0]?.headers['x-gusto-api-version']).toBe('2025-06-15');
  });

  it('walks every page of a list', async () => {
    let page = 0;
    const pages = [Array.from({ length: 100 }, () => payrollBody()), [payrollBody()]];
    const server = await startFakeGusto(() => ({ body: pages[page++] ?? [] }));
    try {
      const all = await clientFor(server).payrolls.listAll(COMPANY, { processingStatuses: ['unprocessed'] });
      expect(all).toHaveLength(101);
      expect(server.requests.map((r) => r.query.get('page'))).toEqual(['1', '2']);
      expect(server.requests.every((r) => r.query.get('per') === '100')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('returns the pay stub as bytes', async () => {
    next = { raw: Buffer.from('%PDF-1.4 fake'), headers: { 'content-type': 'application/pdf' } };
    const pdf = await clientFor(fake).payrolls.payStub(COMPANY, PAYROLL, EMPLOYEE);
    expect(Buffer.isBuffer(pdf)).toBe(true);
    expect(pdf.toString('utf8')).toBe('%PDF-1.4 fake');
    expect(fake.requests[0]?.headers.accept).toBe('application/pdf');
    expect(fake.requests[0]?.path).toBe(`/v1/payrolls/${PAYROLL}/employees/${EMPLOYEE}/pay_stub`);
  });

  it('sends the preview body on a GET', async () => {
    next = { body: { expected_debit_date: '2025-06-03' } };
    const preview = await clientFor(fake).contractorPayments.preview(COMPANY, {
      contractor_payments: [{ contractor_uuid: CONTRACTOR, date: '2025-06-05', wage: '100.00' }],
    });
    expect(preview.expected_debit_date).toBe('2025-06-03');
    expect(fake.requests[0]?.method).toBe('GET');
    expect(fake.requests[0]?.json).toEqual({
      contractor_payments: [{ contractor_uuid: CONTRACTOR, date: '2025-06-05', wage: '100.00' }],
    });
  });

  it('maps camelCase options to Gusto’s bodies for dismissal and rehire', async () => {
    next = { status: 204 };
    const client = clientFor(fake);
    await client.contractors.scheduleTermination(COMPANY, CONTRACTOR, { endDate: '2025-07-01' });
    await client.contractors.scheduleRehire(COMPANY, CONTRACTOR, { startDate: '2025-08-01' });
    await client.contractors.cancelRehire(COMPANY, CONTRACTOR);
    expect(fake.requests.map((r) => [r.method, r.path, r.json])).toEqual([
      ['POST', `/v1/contractors/${CONTRACTOR}/termination`, { end_date: '2025-07-01' }],
      ['POST', `/v1/contractors/${CONTRACTOR}/rehire`, { start_date: '2025-08-01' }],
      ['DELETE', `/v1/contractors/${CONTRACTOR}/rehire`, undefined],
    ]);
  });

  it('uses the system token for events and webhook subscriptions', async () => {
    next = { body: [] };
    await clientFor(fake).events.list({ limit: 10, eventType: 'payroll.*' });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer tok_live_system_secret_654321');
    expect(fake.requests[0]?.query.get('event_type')).toBe('payroll.*');
  });
});
