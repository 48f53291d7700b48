/**
 * Bad requests fail before anything changes: each comes back as a ServiceError that names the field
 * and the rule, and the sandbox shows no write (at most the one read that checked the request).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { eventually } from '../harness/eventually.js';
import {
  editPayrollRun,
  getPayrollRunState,
  startPayrollRun,
  type PayrollRunState,
} from '../../client/payroll.js';
import { callsBetween, companyByKey, gustoCalls, writeCalls, timeSkippingPayrollTests } from './helpers.js';

describe('bad input to payroll runs', () => {
  const world = timeSkippingPayrollTests('payroll-bad');
  const { withWorker } = world;

  /** Runs `fn`, expecting it to throw; returns the error and the Gusto calls made meanwhile. */
  async function refusedWith(fn: () => Promise<unknown>) {
    const before = world.sandbox.counters();
    const error = await fn().then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string; field?: string },
    );
    return { error, calls: callsBetween(before, world.sandbox.counters()) };
  }

  it('unknown company: not_found naming companyId, nothing sent to Gusto', async () => {
    await withWorker(async (deps) => {
      const { error, calls } = await refusedWith(() => startPayrollRun(deps, { companyId: randomUUID() }));
      expect(error).toMatchObject({ code: 'not_found', field: 'companyId' });
      expect(gustoCalls(calls)).toBe(0);
    });
  });

  it('a payroll already processed: refused naming payrollId, nothing written', async () => {
    const company = companyByKey(world.sandbox, 'small-ca');
    const processed = (
      await world.gusto.payrolls.list(company.uuid, { processingStatuses: ['processed'], per: 100 })
    )[0]!;
    await withWorker(async (deps) => {
      const { error, calls } = await refusedWith(() =>
        startPayrollRun(deps, { companyId: company.uuid, payrollId: processed.payroll_uuid }),
      );
      expect(error).toMatchObject({ code: 'refused', field: 'payrollId' });
      expect(error?.message).toContain('already processed');
      expect(writeCalls(calls)).toEqual({});
    });
  });

  it('negative hours: invalid_input naming the compensation, checked before any call', async () => {
    const company = companyByKey(world.sandbox, 'mid-ny');
    const employee = company.employees[0]!;
    await withWorker(async (deps) => {
      const { error, calls } = await refusedWith(() =>
        startPayrollRun(deps, {
          companyId: company.uuid,
          edits: [{ employeeId: employee.uuid, hours: { 'Regular Hours': '-4' } }],
        }),
      );
      expect(error).toMatchObject({ code: 'invalid_input', field: 'edits[0].hours.Regular Hours' });
      expect(error?.message).toContain('must not be negative');
      expect(gustoCalls(calls)).toBe(0);
    });
  });

  it('an unknown compensation name: invalid_input listing the known ones, nothing written', async () => {
    const company = companyByKey(world.sandbox, 'mid-ny');
    const employee = company.employees.find((e) => !e.salaried)!;
    await withWorker(async (deps) => {
      const { error, calls } = await refusedWith(() =>
        startPayrollRun(deps, {
          companyId: company.uuid,
          edits: [{ employeeId: employee.uuid, hours: { 'Regular Hourz': '40' } }],
        }),
      );
      expect(error).toMatchObject({ code: 'invalid_input', field: 'edits[0].hours["Regular Hourz"]' });
      expect(error?.message).toMatch(/unknown compensation name "Regular Hourz"; known: .*Regular Hours/);
      expect(writeCalls(calls)).toEqual({});
    });
  });

  it('an edit after submission: refused, the run and Gusto untouched', async () => {
    const company = companyByKey(world.sandbox, 'denver-co');
    const employee = company.employees[0]!;
    await withWorker(async (deps) => {
      const { payrollId } = await startPayrollRun(deps, { companyId: company.uuid });
      const ref = { companyId: company.uuid, payrollId };
      const processed = await eventually(async () => {
        const s = await getPayrollRunState(deps, ref);
        return s.stage === 'processed' ? s : undefined;
      });
      const { error, calls } = await refusedWith(() =>
        editPayrollRun(deps, {
          ...ref,
          edits: [{ employeeId: employee.uuid, hours: { 'Regular Hours': '1' } }],
        }),
      );
      expect(error).toMatchObject({ code: 'refused' });
      expect(error?.message).toContain('the payroll is processed; edits are possible until it is submitted');
      expect(gustoCalls(calls)).toBe(0);
      const after: PayrollRunState = await getPayrollRunState(deps, ref);
      expect(after.edits).toEqual(processed.edits);
      expect(after.rounds).toBe(processed.rounds);
    });
  });

  it('an edit naming an employee not on the payroll: refused by the run before any call', async () => {
    const company = companyByKey(world.sandbox, 'phoenix-az');
    await withWorker(async (deps) => {
      const { payrollId } = await startPayrollRun(deps, { companyId: company.uuid, review: 'manual' });
      const ref = { companyId: company.uuid, payrollId };
      await eventually(async () =>
        (await getPayrollRunState(deps, ref)).stage === 'awaiting_review' ? true : undefined,
      );
      const stranger = randomUUID();
      const { error, calls } = await refusedWith(() =>
        editPayrollRun(deps, { ...ref, edits: [{ employeeId: stranger, fixed: { Bonus: '10.00' } }] }),
      );
      expect(error).toMatchObject({ code: 'invalid_input', field: 'edits[0].employeeId' });
      expect(error?.message).toContain(`employee ${stranger} is not on this payroll`);
      expect(gustoCalls(calls)).toBe(0);
    });
  });
});
