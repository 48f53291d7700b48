import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GustoInputError, isGustoInputError } from '../../gusto/errors.js';
import { validateCompensationEdits } from '../../gusto/validation.js';
import type { EmployeeCompensationEdit } from '../../gusto/schemas/payrolls.js';
import {
  COMPANY,
  CONTRACTOR,
  EMPLOYEE,
  PAYROLL,
  clientFor,
  employeeId,
  payrollBody,
  preparedCompensation,
  startFakeGusto,
  type FakeGusto,
} from './fake-gusto.js';

let fake: FakeGusto;

beforeAll(async () => {
  fake = await startFakeGusto((req) => {
    if (req.method === 'PUT' && req.path.endsWith(`/payrolls/${PAYROLL}`)) {
      const edits = (req.json as { employee_compensations: { employee_uuid: string }[] })
        .employee_compensations;
      return {
        body: payrollBody({
          employee_compensations: edits.map((e) => preparedCompensation(e.employee_uuid, 'v2')),
        }),
      };
    }
    return { status: 500, body: { errors: [] } };
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

/** Runs `fn`, expects a GustoInputError naming `field` and matching `rule`, and no request sent. */
async function expectRejected(
  fn: () => Promise<unknown>,
  field: string,
  rule: RegExp,
): Promise<GustoInputError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(isGustoInputError(caught)).toBe(true);
  const err = caught as GustoInputError;
  const issue = err.issues.find((i) => i.field === field);
  expect(issue).toBeDefined();
  expect(issue?.rule).toMatch(rule);
  expect(err.message).toContain(field);
  expect(err.message).toMatch(rule);
  expect(fake.requests).toHaveLength(0);
  return err;
}

const edit = (overrides: Partial<EmployeeCompensationEdit> = {}): EmployeeCompensationEdit => ({
  employee_uuid: EMPLOYEE,
  version: 'v1',
  ...overrides,
});

describe('input validation happens before any request', () => {
  it('refuses a malformed UUID in a path', async () => {
    const client = clientFor(fake);
    await expectRejected(() => client.payrolls.get(COMPANY, 'payroll-1'), 'payrollId', /must be a UUID/);
    await expectRejected(() => client.companies.get('not-a-uuid'), 'companyId', /must be a UUID/);
  });

  it('refuses a malformed UUID in a body', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.contractorPayments.create(COMPANY, {
          contractor_uuid: '123',
          date: '2025-01-02',
          wage: '10.00',
        }),
      'contractor_uuid',
      /must be a UUID/,
    );
  });

  it('refuses negative hours', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.payrolls.update(COMPANY, PAYROLL, {
          employeeCompensations: [
            edit({ hourly_compensations: [{ name: 'Regular Hours', hours: '-4.000' }] }),
          ],
        }),
      'employeeCompensations[0].hourly_compensations[0].hours',
      /must not be negative/,
    );
  });

  it('refuses an amount with three decimals', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.payrolls.update(COMPANY, PAYROLL, {
          employeeCompensations: [edit({ fixed_compensations: [{ name: 'Bonus', amount: '100.005' }] })],
        }),
      'employeeCompensations[0].fixed_compensations[0].amount',
      /at most 2 decimal places/,
    );
    await expectRejected(
      () =>
        client.contractorPayments.create(COMPANY, {
          contractor_uuid: CONTRACTOR,
          date: '2025-01-02',
          wage: '9.999',
        }),
      'wage',
      /at most 2 decimal places/,
    );
  });

  it('refuses more than 100 compensations in one updateChunk call', async () => {
    const client = clientFor(fake);
    const many = Array.from({ length: 101 }, (_, i) => edit({ employee_uuid: employeeId(i + 1) }));
    await expectRejected(
      () => client.payrolls.updateChunk(COMPANY, PAYROLL, { employee_compensations: many }),
      'employee_compensations',
      /at most 100/,
    );
  });

  it('splits a large update into PUTs of at most 100 and merges the compensations', async () => {
    const client = clientFor(fake);
    const many = Array.from({ length: 250 }, (_, i) => edit({ employee_uuid: employeeId(i + 1) }));
    const result = await client.payrolls.update(COMPANY, PAYROLL, { employeeCompensations: many });
    const sizes = fake.requests.map(
      (r) => (r.json as { employee_compensations: unknown[] }).employee_compensations.length,
    );
    expect(fake.requests.every((r) => r.method === 'PUT')).toBe(true);
    expect(sizes).toEqual([100, 100, 50]);
    expect(result.employee_compensations).toHaveLength(250);
    expect(result.employee_compensations?.[249]?.employee_uuid).toBe(employeeId(250));
    expect(result.payroll_uuid).toBe(PAYROLL);
  });

  it('refuses the same employee twice in one update', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () => client.payrolls.update(COMPANY, PAYROLL, { employeeCompensations: [edit(), edit()] }),
      'employeeCompensations[1].employee_uuid',
      /duplicates entry 0/,
    );
  });

  it('requires the compensation version', async () => {
    const client = clientFor(fake);
    const noVersion = { employee_uuid: EMPLOYEE } as EmployeeCompensationEdit;
    await expectRejected(
      () => client.payrolls.update(COMPANY, PAYROLL, { employeeCompensations: [noVersion] }),
      'employeeCompensations[0].version',
      /is required/,
    );
  });

  it('refuses a field Gusto does not have (a typo would otherwise be ignored)', async () => {
    const client = clientFor(fake);
    const typo = { ...edit(), fixed_compensation: [] } as unknown as EmployeeCompensationEdit;
    await expectRejected(
      () => client.payrolls.update(COMPANY, PAYROLL, { employeeCompensations: [typo] }),
      'employeeCompensations[0]',
      /is not a known field \("fixed_compensation"\)/,
    );
  });

  it('refuses a Historical Payment dated in the future (per-call now)', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.contractorPayments.create(
          COMPANY,
          {
            contractor_uuid: CONTRACTOR,
            date: '2025-06-02',
            payment_method: 'Historical Payment',
            wage: '10.00',
          },
          { now: new Date('2025-06-01T12:00:00Z') },
        ),
      'date',
      /must not be in the future for a Historical Payment \(today is 2025-06-01\)/,
    );
  });

  it('refuses a future Historical Payment using the configured clock, for groups too', async () => {
    const client = clientFor(fake, { clock: () => new Date('2025-06-01T12:00:00Z') });
    await expectRejected(
      () =>
        client.contractorPaymentGroups.create(COMPANY, {
          check_date: '2025-06-10',
          creation_token: 'group-1',
          contractor_payments: [
            { contractor_uuid: CONTRACTOR, payment_method: 'Historical Payment', wage: '5.00' },
          ],
        }),
      'check_date',
      /Historical Payment/,
    );
    await expectRejected(
      () =>
        client.contractorPayments.preview(COMPANY, {
          contractor_payments: [
            {
              contractor_uuid: CONTRACTOR,
              date: '2025-06-02',
              payment_method: 'Historical Payment',
              wage: '1.00',
            },
          ],
        }),
      'contractor_payments[0].date',
      /Historical Payment/,
    );
  });

  it('refuses dates that are not YYYY-MM-DD calendar dates', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () => client.contractors.scheduleTermination(COMPANY, CONTRACTOR, { endDate: '2025/07/01' }),
      'endDate',
      /YYYY-MM-DD/,
    );
    await expectRejected(
      () => client.contractors.scheduleRehire(COMPANY, CONTRACTOR, { startDate: '2025-02-30' }),
      'startDate',
      /calendar date/,
    );
    await expectRejected(
      () => client.payrolls.list(COMPANY, { startDate: '12/01/2025' }),
      'startDate',
      /YYYY-MM-DD/,
    );
  });

  it('refuses a payment group with zero payments', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.contractorPaymentGroups.create(COMPANY, {
          check_date: '2025-06-10',
          creation_token: 'group-1',
          contractor_payments: [],
        }),
      'contractor_payments',
      /at least one payment/,
    );
    await expectRejected(
      () => client.contractorPaymentGroups.preview(COMPANY, { contractor_payments: [] }),
      'contractor_payments',
      /at least one payment/,
    );
  });

  it('refuses page sizes above Gusto’s maximum', async () => {
    const client = clientFor(fake);
    await expectRejected(() => client.payrolls.list(COMPANY, { per: 500 }), 'per', /at most 100/);
  });
});

describe('compensation names against the prepared payroll', () => {
  const prepared = {
    employee_compensations: [preparedCompensation(EMPLOYEE)] as never,
    fixed_compensation_types: [{ name: 'Bonus' }, { name: 'Commission' }, { name: 'Reimbursement' }],
  };

  it('validateCompensationEdits names the unknown fixed compensation and the known ones', () => {
    expect(() =>
      validateCompensationEdits(prepared, [
        edit({ fixed_compensations: [{ name: 'Bonsu', amount: '10.00' }] }),
      ]),
    ).toThrow(
      /employeeCompensations\[0\]\.fixed_compensations\[0\]\.name: unknown fixed compensation "Bonsu" \(this payroll has: Bonus, Commission, Reimbursement\)/,
    );
    expect(() =>
      validateCompensationEdits(prepared, [
        edit({ fixed_compensations: [{ name: 'Bonus', amount: '10.00' }] }),
      ]),
    ).not.toThrow();
  });

  it('flags employees not on the payroll and unknown hourly names', () => {
    let caught: unknown;
    try {
      validateCompensationEdits(prepared, [
        edit({ employee_uuid: employeeId(99) }),
        edit({ hourly_compensations: [{ name: 'Overtime (x3)', hours: '1.000' }] }),
      ]);
    } catch (err) {
      caught = err;
    }
    expect(isGustoInputError(caught)).toBe(true);
    expect((caught as GustoInputError).issues.map((i) => i.field)).toEqual([
      'employeeCompensations[0].employee_uuid',
      'employeeCompensations[1].hourly_compensations[0].name',
    ]);
  });

  it('payrolls.update checks names when given the prepared payroll, before sending', async () => {
    const client = clientFor(fake);
    await expectRejected(
      () =>
        client.payrolls.update(
          COMPANY,
          PAYROLL,
          { employeeCompensations: [edit({ fixed_compensations: [{ name: 'Tips', amount: '1.00' }] })] },
          { prepared },
        ),
      'employeeCompensations[0].fixed_compensations[0].name',
      /unknown fixed compensation "Tips"/,
    );
  });
});
