/**
 * Off-cycle payrolls: POST /v1/companies/{company_id}/payrolls creates one (bonus, correction...),
 * DELETE /v1/companies/{company_id}/payrolls/{payroll_id} removes an unprocessed one. Once created
 * it is an ordinary payroll: prepare → update → calculate → submit → processed, cancel before the
 * cutoff. Every rule is checked before the first write, so a refused request creates nothing.
 */
import { z } from 'zod';
import { OFF_CYCLE_REASONS, WITHHOLDING_PAY_PERIODS } from '../gusto/schemas/payrolls.js';
import { addBusinessDays, isBusinessDay } from '../domain/business-days.js';
import { dateIn } from './calendar.js';
import { json, noContent, type Ctx, type Reply, type RouteDef } from './context.js';
import { invalidAttribute, invalidOperation, notFound } from './errors.js';
import type { Company, OffCycle, Payroll } from './model.js';
import { deadlineFor } from './pay-schedule.js';
import { materializePayrolls, settlePayroll } from './payroll-state.js';
import { unprocessedPayroll } from './payroll-views.js';
import { isoDate, parseBody } from './validation.js';

const createSchema = z.object({
  off_cycle: z.literal(true, 'off_cycle must be true: this endpoint creates off-cycle payrolls.'),
  off_cycle_reason: z.enum(
    OFF_CYCLE_REASONS,
    `off_cycle_reason must be one of: ${OFF_CYCLE_REASONS.join(', ')}.`,
  ),
  start_date: isoDate,
  end_date: isoDate,
  pay_schedule_uuid: z.string().optional(),
  employee_uuids: z.array(z.string()).nullish(),
  check_date: isoDate.optional(),
  withholding_pay_period: z.enum(WITHHOLDING_PAY_PERIODS).optional(),
  skip_regular_deductions: z.boolean().optional(),
  fixed_withholding_rate: z.boolean().optional(),
  is_check_only_payroll: z.boolean().optional(),
});
type CreateBody = z.output<typeof createSchema>;

/** Business days a Direct Deposit needs between the payroll deadline (the debit) and the check date. */
const LEAD_BUSINESS_DAYS = 2;

/** The check date: given (and valid) or the earliest one possible today. */
function checkDateOf(ctx: Ctx, company: Company, body: CreateBody): string {
  const today = dateIn(ctx.now, company.timeZone);
  const checkOnly = body.is_check_only_payroll === true;
  // A deadline at 4 pm Pacific two business days ahead: the earliest Direct Deposit date still open.
  let earliest = addBusinessDays(today, LEAD_BUSINESS_DAYS);
  if (deadlineFor(earliest) <= ctx.now.getTime()) earliest = addBusinessDays(earliest, 1);
  if (checkOnly) earliest = isBusinessDay(today) ? today : addBusinessDays(today, 1);
  const date = body.check_date ?? earliest;
  if (date < today) throw invalidAttribute('check_date', `Check date ${date} is in the past.`);
  if (!isBusinessDay(date))
    throw invalidAttribute(
      'check_date',
      `Check date ${date} is not a business day (weekend or bank holiday).`,
    );
  if (date < earliest) {
    throw invalidAttribute(
      'check_date',
      `Check date ${date} is too soon for direct deposit; the earliest possible check date is ${earliest}.`,
    );
  }
  return date;
}

function employeesOf(ctx: Ctx, company: Company, wanted: string[] | null | undefined): string[] | null {
  if (!wanted) return null;
  const unknown = wanted.filter((id) => ctx.sim.store.employees.get(id)?.companyUuid !== company.uuid);
  if (unknown.length || wanted.length === 0) {
    throw invalidAttribute('employee_uuids', 'Invalid Employee UUID(s).', {
      entity_type: 'Employee',
      entity_uuid: unknown.join(','),
    });
  }
  return [...new Set(wanted)];
}

function createOffCycle(ctx: Ctx): Reply {
  const company = ctx.sim.store.company(ctx.params.company_id ?? '', ctx.companyUuid);
  const body = parseBody(createSchema, ctx.body);
  if (body.end_date < body.start_date)
    throw invalidAttribute('end_date', 'Pay period end date must be on or after its start date.');
  if (body.off_cycle_reason === 'Transition from old pay schedule' && !body.pay_schedule_uuid)
    throw invalidAttribute('pay_schedule_uuid', 'A pay schedule is required for a transition payroll.');
  const checkDate = checkDateOf(ctx, company, body);
  const employeeUuids = employeesOf(ctx, company, body.employee_uuids);
  const nowMs = ctx.now.getTime();
  // The regular payrolls exist first, so the company's first listing is not mistaken for this one.
  materializePayrolls(ctx.sim, company, ctx.now);
  const offCycle: OffCycle = {
    reason: body.off_cycle_reason,
    employeeUuids,
    // Gusto's defaults: a bonus blocks regular benefits and deductions, a correction keeps them.
    skipRegularDeductions: body.skip_regular_deductions ?? body.off_cycle_reason === 'Bonus',
    withholdingPayPeriod: body.withholding_pay_period ?? company.paySchedule.frequency,
    fixedWithholdingRate: body.fixed_withholding_rate ?? false,
    checkOnly: body.is_check_only_payroll === true,
  };
  const deadline = offCycle.checkOnly ? Math.max(nowMs, deadlineFor(checkDate)) : deadlineFor(checkDate);
  const payroll: Payroll = {
    uuid: ctx.sim.store.rng.uuid(),
    companyUuid: company.uuid,
    payScheduleUuid: body.pay_schedule_uuid ?? company.paySchedule.uuid,
    periodStart: body.start_date,
    periodEnd: body.end_date,
    checkDate,
    initialCheckDate: checkDate,
    deadline,
    initialDeadline: deadline,
    processed: false,
    processedDate: null,
    calculatedAt: null,
    createdAt: nowMs,
    comps: null,
    calculation: null,
    processing: null,
    failNext: {},
    offCycle,
  };
  ctx.sim.store.payrolls.set(payroll.uuid, payroll);
  company.payrollIds.push(payroll.uuid);
  ctx.sim.counters.bump('off_cycle_payrolls_per_company', company.uuid);
  return json(200, unprocessedPayroll(ctx.sim, payroll));
}

function deletePayroll(ctx: Ctx): Reply {
  ctx.sim.store.company(ctx.params.company_id ?? '', ctx.companyUuid);
  const payroll = ctx.sim.store.payroll(ctx.params.payroll_id ?? '', ctx.companyUuid);
  settlePayroll(ctx.sim, payroll, ctx.now.getTime());
  if (!payroll.offCycle)
    throw invalidOperation('Only off-cycle payrolls can be deleted; skip a regular one.');
  if (payroll.processed) throw invalidOperation('Only an unprocessed payroll can be deleted.');
  if (payroll.processing?.status === 'submitting')
    throw invalidOperation('This payroll is being processed and cannot be deleted right now.');
  const company = ctx.sim.store.companies.get(payroll.companyUuid);
  if (!company) throw notFound();
  ctx.sim.store.payrolls.delete(payroll.uuid);
  ctx.sim.store.pending.payrolls.delete(payroll.uuid);
  company.payrollIds = company.payrollIds.filter((id) => id !== payroll.uuid);
  return noContent();
}

export const offCycleRoutes: RouteDef[] = [
  {
    method: 'POST',
    template: '/v1/companies/{company_id}/payrolls',
    auth: 'company',
    handler: createOffCycle,
  },
  {
    method: 'DELETE',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}',
    auth: 'company',
    handler: deletePayroll,
  },
];
