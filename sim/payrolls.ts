/**
 * Payroll endpoints: list, show, prepare, update, calculate, submit, cancel, receipt and pay stub
 * (blockers are in sim/blockers.ts). Every handler validates fully before its first write, so a
 * refused request changes nothing.
 */
import { z } from 'zod';
import { fromCents } from '../gusto/money.js';
import { PAYROLL_LIST_INCLUDES, PAYROLL_SHOW_INCLUDES } from '../gusto/schemas/payrolls.js';
import { assertNoBlockers } from './blockers.js';
import { addDays, daysBetween, dateIn } from './calendar.js';
import { accepted, json, type Ctx, type Reply, type RouteDef } from './context.js';
import { invalidAttribute, invalidOperation, notFound, unprocessable, type ErrorItem } from './errors.js';
import type { Company, EmployeeComp, Payroll } from './model.js';
import { textPdf } from './pdf.js';
import { applyPayrollUpdate, payrollUpdateSchema } from './payroll-update.js';
import {
  applyLateSchedule,
  bumpVersion,
  calculationOf,
  cancelCutoffOf,
  clearCalculation,
  compsOf,
  materializePayrolls,
  settlePayroll,
  startProcessing,
} from './payroll-state.js';
import {
  payrollListItem,
  payrollPrepared,
  payrollReceipt,
  payrollShow,
  unprocessedPayroll,
} from './payroll-views.js';
import { boolParam, dateParam, enumListParam, paginate, parseBody } from './validation.js';

function companyOf(ctx: Ctx, param: string): Company {
  return ctx.sim.store.company(ctx.params[param] ?? '', ctx.companyUuid);
}

/** The payroll named in the path, settled against the request's clock. */
function loadPayroll(ctx: Ctx, param = 'payroll_id'): Payroll {
  const payroll = ctx.sim.store.payroll(ctx.params[param] ?? '', ctx.companyUuid);
  settlePayroll(ctx.sim, payroll, ctx.now.getTime());
  return payroll;
}

function assertEditable(payroll: Payroll): void {
  if (payroll.processed) {
    throw invalidOperation('This payroll has already been processed; its data can no longer be changed.');
  }
  if (payroll.processing?.status === 'submitting') {
    throw invalidOperation('This payroll is being processed and cannot be changed right now.');
  }
}

// GET /v1/companies/{company_id}/payrolls

interface ListFilter {
  statuses: Set<string>;
  start: string;
  end: string;
  byCheckDate: boolean;
}

function listFilter(ctx: Ctx, company: Company): ListFilter {
  const { query } = ctx;
  let statuses = enumListParam(query, 'processing_statuses', ['processed', 'unprocessed'] as const);
  const processed = boolParam(query, 'processed');
  if (statuses.length === 0) statuses = processed === false ? ['unprocessed'] : ['processed'];
  const today = dateIn(ctx.now, company.timeZone);
  const maxEnd = addDays(today, 92);
  const start = dateParam(query, 'start_date') ?? addDays(today, -183);
  // Gusto's docs default end_date to today; upcoming (unprocessed) payrolls lie ahead, so the sandbox
  // looks as far ahead as Gusto allows when unprocessed ones are asked for without an end date.
  const end = dateParam(query, 'end_date') ?? (statuses.includes('unprocessed') ? maxEnd : today);
  if (end > maxEnd) throw invalidAttribute('end_date', 'end_date can be at most 3 months in the future.');
  if (start > end) throw invalidAttribute('start_date', 'start_date must be on or before end_date.');
  if (daysBetween(start, end) > 366) {
    throw invalidAttribute('start_date', "start_date and end_date can't be more than 1 year apart.");
  }
  return {
    statuses: new Set(statuses),
    start,
    end,
    byCheckDate: query.get('date_filter_by') === 'check_date',
  };
}

function listPayrolls(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  materializePayrolls(ctx.sim, company, ctx.now);
  const filter = listFilter(ctx, company);
  const types = enumListParam(ctx.query, 'payroll_types', ['regular', 'off_cycle', 'external'] as const);
  const include = new Set<string>(enumListParam(ctx.query, 'include', PAYROLL_LIST_INCLUDES));
  const nowMs = ctx.now.getTime();
  const wanted = (p: Payroll) =>
    p.offCycle ? types.includes('off_cycle') : types.length === 0 || types.includes('regular');
  const matches = company.payrollIds
    .map((id) => ctx.sim.store.payrolls.get(id))
    .filter((p): p is Payroll => p !== undefined && wanted(p))
    .filter((p) => {
      settlePayroll(ctx.sim, p, nowMs);
      if (!filter.statuses.has(p.processed ? 'processed' : 'unprocessed')) return false;
      if (filter.byCheckDate) return p.checkDate >= filter.start && p.checkDate <= filter.end;
      return p.periodStart >= filter.start && p.periodEnd <= filter.end;
    })
    .sort((a, b) => (a.checkDate < b.checkDate ? -1 : a.checkDate > b.checkDate ? 1 : 0));
  if (ctx.query.get('sort_order') === 'desc') matches.reverse();
  const page = paginate(matches, ctx.query, { forced: true });
  return json(
    200,
    page.items.map((p) => payrollListItem(ctx.sim, p, include, nowMs)),
    page.headers,
  );
}

// GET /v1/companies/{company_id}/payrolls/{payroll_id}

function sortComps(ctx: Ctx, comps: EmployeeComp[]): EmployeeComp[] {
  const sortBy = ctx.query.get('sort_by');
  if (!sortBy) return comps;
  const keys = sortBy.split(',').map((k) => {
    const [field = '', dir = 'asc'] = k.split(':');
    if (field !== 'first_name' && field !== 'last_name')
      throw invalidAttribute('sort_by', 'sort_by accepts first_name and last_name.');
    return { field, desc: dir === 'desc' };
  });
  const name = (c: EmployeeComp, field: string): string => {
    const e = ctx.sim.store.employees.get(c.employeeUuid);
    return (field === 'first_name' ? e?.firstName : e?.lastName) ?? '';
  };
  return [...comps].sort((a, b) => {
    for (const { field, desc } of keys) {
      const order = name(a, field).localeCompare(name(b, field));
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
}

function showPayroll(ctx: Ctx): Reply {
  companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  const include = new Set<string>(enumListParam(ctx.query, 'include', PAYROLL_SHOW_INCLUDES));
  const page = paginate(sortComps(ctx, [...compsOf(ctx.sim.store, payroll).values()]), ctx.query, {
    forced: true,
  });
  return json(
    200,
    payrollShow(ctx.sim, payroll, { comps: page.items, include }, ctx.now.getTime()),
    page.headers,
  );
}

// PUT .../prepare

const prepareSchema = z.object({
  employee_uuids: z.array(z.string()).max(100, 'Exceeded maximum of 100 for lookup.').nullish(),
});

function preparePayroll(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  const body = parseBody(prepareSchema, ctx.body);
  assertEditable(payroll);
  assertNoBlockers(company);
  const comps = compsOf(ctx.sim.store, payroll);
  const wanted = body.employee_uuids ?? null;
  const unknown = (wanted ?? []).filter((id) => !comps.has(id));
  if (unknown.length)
    throw invalidAttribute('employee_uuids', 'Invalid Employee UUID(s).', {
      entity_type: 'Employee',
      entity_uuid: unknown.join(','),
    });
  applyLateSchedule(payroll, ctx.now.getTime());
  clearCalculation(ctx.sim.store, payroll);
  const selected = wanted
    ? wanted.map((id) => comps.get(id)).filter((c): c is EmployeeComp => c !== undefined)
    : [...comps.values()];
  const page = paginate(sortComps(ctx, selected), ctx.query, { forced: true });
  return json(200, payrollPrepared(ctx.sim, payroll, page.items, ctx.now.getTime()), page.headers);
}

// PUT /v1/companies/{company_id}/payrolls/{payroll_id}

function updatePayroll(ctx: Ctx): Reply {
  companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  const body = parseBody(payrollUpdateSchema, ctx.body);
  assertEditable(payroll);
  const updated = applyPayrollUpdate(ctx.sim, payroll, body.employee_compensations);
  ctx.sim.store.emit('payroll.updated', payroll.companyUuid, 'Payroll', payroll.uuid, ctx.now.getTime());
  return json(200, payrollPrepared(ctx.sim, payroll, updated, ctx.now.getTime()));
}

// PUT .../calculate and .../submit

function calculatePayroll(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  assertEditable(payroll);
  assertNoBlockers(company);
  compsOf(ctx.sim.store, payroll);
  startProcessing(ctx.sim, payroll, 'calculate', ctx.now.getTime());
  return accepted();
}

const submitSchema = z.object({
  submission_blockers: z
    .array(z.object({ blocker_type: z.string().min(1), selected_option: z.string().min(1) }))
    .optional(),
});

function submitPayroll(ctx: Ctx): Reply {
  const company = companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  ctx.sim.counters.bump('submits_per_payroll', payroll.uuid);
  parseBody(submitSchema, ctx.body);
  assertEditable(payroll);
  assertNoBlockers(company);
  if (payroll.processing?.status !== 'calculate_success') {
    const still = payroll.processing?.status === 'calculating';
    throw invalidOperation(
      still
        ? 'The payroll is still being calculated; submit it once calculation succeeds.'
        : 'The payroll must be calculated before it can be submitted.',
    );
  }
  const nowMs = ctx.now.getTime();
  applyLateSchedule(payroll, nowMs);
  startProcessing(ctx.sim, payroll, 'submit', nowMs);
  ctx.sim.store.emit('payroll.submitted', payroll.companyUuid, 'Payroll', payroll.uuid, nowMs);
  return accepted();
}

// PUT .../cancel

function cancelPayroll(ctx: Ctx): Reply {
  companyOf(ctx, 'company_id');
  const payroll = loadPayroll(ctx);
  const nowMs = ctx.now.getTime();
  if (!payroll.processed) throw cannotCancel('Only a processed payroll can be cancelled.');
  if (nowMs >= cancelCutoffOf(payroll)) {
    throw cannotCancel('Payroll cannot be cancelled after 3:30 pm PT on the payroll deadline.');
  }
  payroll.processed = false;
  payroll.processedDate = null;
  clearCalculation(ctx.sim.store, payroll);
  for (const comp of compsOf(ctx.sim.store, payroll).values()) bumpVersion(payroll, comp);
  ctx.sim.store.emit('payroll.cancelled', payroll.companyUuid, 'Payroll', payroll.uuid, nowMs);
  return json(200, unprocessedPayroll(ctx.sim, payroll));
}

const cannotCancel = (message: string) =>
  unprocessable([{ error_key: 'base', category: 'invalid_operation', message }] satisfies ErrorItem[]);

// Receipt, pay stub

function payrollReceiptRoute(ctx: Ctx): Reply {
  const payroll = loadPayroll(ctx, 'payroll_uuid');
  if (!payroll.processed) throw notFound('A receipt exists once the payroll is processed.');
  return json(200, payrollReceipt(ctx.sim, payroll));
}

function payStub(ctx: Ctx): Reply {
  const payroll = loadPayroll(ctx);
  const employee = ctx.sim.store.employee(ctx.params.employee_id ?? '', ctx.companyUuid);
  const comp = compsOf(ctx.sim.store, payroll).get(employee.uuid);
  const result = calculationOf(ctx.sim.store, payroll)?.results.get(employee.uuid);
  if (!payroll.processed || !comp || comp.excluded || !result)
    throw notFound('No pay stub for this employee and payroll.');
  const company = ctx.sim.store.companies.get(payroll.companyUuid);
  const pdf = textPdf(`${company?.name ?? ''} - Pay stub`, [
    `Employee: ${employee.firstName} ${employee.lastName}`,
    `Pay period: ${payroll.periodStart} to ${payroll.periodEnd}`,
    `Check date: ${payroll.checkDate}`,
    `Gross pay: $${fromCents(result.gross)}`,
    `Employee taxes: $${fromCents(result.employeeTaxes)}`,
    `Deductions: $${fromCents(result.deductions)}`,
    `Net pay: $${fromCents(result.net)}`,
    `Reimbursements: $${fromCents(result.reimbursements)}`,
    `Payment method: ${comp.paymentMethod}`,
  ]);
  return { status: 200, raw: { contentType: 'application/pdf', data: pdf } };
}

export const payrollRoutes: RouteDef[] = [
  { method: 'GET', template: '/v1/companies/{company_id}/payrolls', auth: 'company', handler: listPayrolls },
  {
    method: 'GET',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}',
    auth: 'company',
    handler: showPayroll,
  },
  {
    method: 'PUT',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}',
    auth: 'company',
    handler: updatePayroll,
  },
  {
    method: 'PUT',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}/prepare',
    auth: 'company',
    handler: preparePayroll,
  },
  {
    method: 'PUT',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}/calculate',
    auth: 'company',
    handler: calculatePayroll,
  },
  {
    method: 'PUT',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}/submit',
    auth: 'company',
    handler: submitPayroll,
  },
  {
    method: 'PUT',
    template: '/v1/companies/{company_id}/payrolls/{payroll_id}/cancel',
    auth: 'company',
    handler: cancelPayroll,
  },
  {
    method: 'GET',
    template: '/v1/payrolls/{payroll_uuid}/receipt',
    auth: 'company',
    handler: payrollReceiptRoute,
  },
  {
    method: 'GET',
    template: '/v1/payrolls/{payroll_id}/employees/{employee_id}/pay_stub',
    auth: 'company',
    handler: payStub,
  },
];
