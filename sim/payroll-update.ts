/**
 * PUT /v1/companies/{company_id}/payrolls/{payroll_id}: edits up to 100 employee compensations.
 * All-or-nothing: unknown employees and invalid content are 422s and stale versions a 409, all
 * found before the first write. Each edited compensation gets a new version, and any calculation
 * is thrown away (the payroll must be calculated again).
 */
import { z } from 'zod';
import type { Sim } from './context.js';
import { SandboxHttpError, unprocessable, type ErrorItem } from './errors.js';
import type { Employee, EmployeeComp, Payroll } from './model.js';
import { FIXED_COMPENSATION_TYPES, PTO_NAMES } from './payroll-math.js';
import { bumpVersion, clearCalculation, compsOf } from './payroll-state.js';
import { hours, money } from './validation.js';

const deductionAmount = z
  .number()
  .min(0)
  .refine((n) => /^\d+(\.\d{1,2})?$/.test(String(n)), 'must have at most 2 decimal places');

const compInput = z.object({
  employee_uuid: z.string().min(1),
  version: z.string().min(1),
  excluded: z.boolean().optional(),
  payment_method: z.string().optional(),
  memo: z.string().nullish(),
  fixed_compensations: z
    .array(z.object({ name: z.string().min(1), amount: money, job_uuid: z.string().optional() }))
    .optional(),
  hourly_compensations: z
    .array(z.object({ name: z.string().min(1), hours, job_uuid: z.string().optional() }))
    .optional(),
  paid_time_off: z
    .array(
      z.object({
        name: z.string().optional(),
        policy_uuid: z.string().optional(),
        hours,
        final_payout_unused_hours_input: z.string().nullish(),
      }),
    )
    .optional(),
  reimbursements: z
    .array(z.object({ amount: money, description: z.string().nullish(), uuid: z.string().optional() }))
    .optional(),
  deductions: z
    .array(
      z.object({
        name: z.string().optional(),
        amount: deductionAmount,
        amount_type: z.enum(['fixed', 'percent']).optional(),
        uuid: z.string().optional(),
      }),
    )
    .optional(),
});

export const payrollUpdateSchema = z.object({
  employee_compensations: z
    .array(compInput)
    .min(1, 'must list at least one employee compensation')
    .max(100, 'A maximum of 100 employee_compensations can be updated at a time.'),
  withholding_pay_period: z.string().optional(),
  skip_regular_deductions: z.boolean().optional(),
  fixed_withholding_rate: z.boolean().optional(),
});

type CompInput = z.output<typeof compInput>;

const nested = (employeeUuid: string, errors: ErrorItem[]): ErrorItem => ({
  error_key: 'employee_compensations',
  category: 'nested_errors',
  metadata: { employee_uuid: employeeUuid },
  errors,
});

const invalid = (key: string, message: string): ErrorItem => ({
  error_key: key,
  category: 'invalid_attribute_value',
  message,
});

function checkJob(employee: Employee, jobUuid: string | undefined, key: string, errors: ErrorItem[]): void {
  if (jobUuid !== undefined && !employee.jobs.some((j) => j.uuid === jobUuid)) {
    errors.push(invalid(key, `job_uuid ${jobUuid} is not a job of this employee.`));
  }
}

/** Content rules for one employee's input; returns its errors (empty when valid). */
function contentErrors(input: CompInput, comp: EmployeeComp, employee: Employee): ErrorItem[] {
  const errors: ErrorItem[] = [];
  for (const h of input.hourly_compensations ?? []) {
    if (!comp.hourly.some((line) => line.name === h.name)) {
      const why =
        employee.flsa === 'Exempt'
          ? 'exempt employees are paid Regular Hours only'
          : 'unknown compensation name';
      errors.push(invalid('hourly_compensations', `"${h.name}" cannot be paid to this employee (${why}).`));
    }
    checkJob(employee, h.job_uuid, 'hourly_compensations', errors);
  }
  for (const f of input.fixed_compensations ?? []) {
    if (!(FIXED_COMPENSATION_TYPES as readonly string[]).includes(f.name)) {
      errors.push(
        invalid('fixed_compensations', `"${f.name}" is not a fixed compensation type of this company.`),
      );
    }
    checkJob(employee, f.job_uuid, 'fixed_compensations', errors);
  }
  for (const p of input.paid_time_off ?? []) {
    if ((p.name === undefined) === (p.policy_uuid === undefined)) {
      errors.push(invalid('paid_time_off', 'Pass either name or policy_uuid for each paid time off entry.'));
    } else if (p.name !== undefined && !(PTO_NAMES as readonly string[]).includes(p.name)) {
      errors.push(invalid('paid_time_off', `"${p.name}" is not a time off policy of this employee.`));
    } else if (p.policy_uuid !== undefined) {
      errors.push(
        invalid('paid_time_off', `policy_uuid ${p.policy_uuid} is not a time off policy of this employee.`),
      );
    }
  }
  for (const r of input.reimbursements ?? []) {
    if (r.uuid !== undefined && !comp.reimbursements.some((x) => x.uuid === r.uuid)) {
      errors.push(invalid('reimbursements', `Reimbursement ${r.uuid} does not exist on this payroll.`));
    }
  }
  for (const d of input.deductions ?? []) {
    if (d.uuid !== undefined && !comp.deductions.some((x) => x.uuid === d.uuid)) {
      errors.push(invalid('deductions', `Deduction ${d.uuid} does not exist for this employee.`));
    } else if (d.uuid === undefined && !d.name) {
      errors.push(invalid('deductions', 'A new deduction needs a name.'));
    } else if (d.amount_type === 'percent' && d.amount > 100) {
      errors.push(invalid('deductions', 'A percent deduction cannot exceed 100.'));
    }
  }
  return errors;
}

function resolve(
  sim: Sim,
  payroll: Payroll,
  inputs: CompInput[],
): Array<{ input: CompInput; comp: EmployeeComp; employee: Employee }> {
  const comps = compsOf(sim.store, payroll);
  const seen = new Set<string>();
  const errors: ErrorItem[] = [];
  const resolved = inputs.flatMap((input) => {
    const comp = comps.get(input.employee_uuid);
    const employee = sim.store.employees.get(input.employee_uuid);
    if (seen.has(input.employee_uuid)) {
      errors.push(
        nested(input.employee_uuid, [invalid('employee_uuid', 'The employee is listed more than once.')]),
      );
    }
    seen.add(input.employee_uuid);
    if (!comp || !employee) {
      errors.push(
        nested(input.employee_uuid, [invalid('employee_uuid', 'The employee is not on this payroll.')]),
      );
      return [];
    }
    return [{ input, comp, employee }];
  });
  if (errors.length) throw unprocessable(errors);
  return resolved;
}

function applyOne(sim: Sim, payroll: Payroll, input: CompInput, comp: EmployeeComp): void {
  if (input.excluded !== undefined) comp.excluded = input.excluded;
  if (input.memo !== undefined) comp.memo = input.memo ?? null;
  // Gusto ignores an invalid payment_method instead of refusing the update.
  if (input.payment_method === 'Direct Deposit' || input.payment_method === 'Check')
    comp.paymentMethod = input.payment_method;
  for (const h of input.hourly_compensations ?? []) {
    const line = comp.hourly.find(
      (l) => l.name === h.name && (h.job_uuid === undefined || l.jobUuid === h.job_uuid),
    );
    if (line) line.hours = h.hours;
  }
  for (const f of input.fixed_compensations ?? []) {
    const jobUuid = f.job_uuid ?? comp.hourly[0]?.jobUuid ?? '';
    const line = comp.fixed.find((l) => l.name === f.name && l.jobUuid === jobUuid);
    if (line) line.amount = f.amount;
    else comp.fixed.push({ name: f.name, amount: f.amount, jobUuid });
  }
  for (const p of input.paid_time_off ?? []) {
    const line = comp.pto.find((l) => l.name === p.name);
    if (line) line.hours = p.hours;
  }
  for (const r of input.reimbursements ?? []) {
    const line = r.uuid === undefined ? undefined : comp.reimbursements.find((x) => x.uuid === r.uuid);
    if (line) Object.assign(line, { amount: r.amount, description: r.description ?? line.description });
    else
      comp.reimbursements.push({
        uuid: sim.store.rng.uuid(),
        amount: r.amount,
        description: r.description ?? null,
      });
  }
  for (const d of input.deductions ?? []) {
    const line = d.uuid === undefined ? undefined : comp.deductions.find((x) => x.uuid === d.uuid);
    const amount = String(d.amount);
    if (line)
      Object.assign(line, {
        amount,
        amountType: d.amount_type ?? line.amountType,
        name: d.name ?? line.name,
      });
    else
      comp.deductions.push({
        uuid: sim.store.rng.uuid(),
        name: d.name ?? '',
        amountType: d.amount_type ?? 'fixed',
        amount,
      });
  }
  bumpVersion(payroll, comp);
}

/** Validates everything, then applies; returns the edited compensations in request order. */
export function applyPayrollUpdate(sim: Sim, payroll: Payroll, inputs: CompInput[]): EmployeeComp[] {
  const resolved = resolve(sim, payroll, inputs);
  const stale = resolved.filter(({ input, comp }) => input.version !== comp.version);
  if (stale.length) {
    throw new SandboxHttpError(
      409,
      stale.map(({ comp }) => ({
        error_key: 'version',
        category: 'invalid_resource_version',
        message: 'The version of this employee compensation is out of date; prepare the payroll again.',
        metadata: { employee_uuid: comp.employeeUuid },
      })),
    );
  }
  const errors = resolved.flatMap(({ input, comp, employee }) => {
    const list = contentErrors(input, comp, employee);
    return list.length ? [nested(comp.employeeUuid, list)] : [];
  });
  if (errors.length) throw unprocessable(errors);
  for (const { input, comp } of resolved) applyOne(sim, payroll, input, comp);
  clearCalculation(sim.store, payroll);
  return resolved.map((r) => r.comp);
}
