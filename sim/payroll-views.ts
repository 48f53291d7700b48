/**
 * Payroll records → Gusto's JSON (Payroll, Payroll-Show, Payroll-Prepared, Unprocessed-Payroll,
 * Payroll-Receipt). Money leaves integer cents only here: decimal strings where the spec says string,
 * and plain JSON numbers where the spec types the field as a number (gross_pay, tax amounts...).
 */
import { fromCents, fromThousandths, type Cents } from '../gusto/money.js';
import { dateIn, GUSTO_TIME_ZONE, isoSeconds } from './calendar.js';
import type { Sim } from './context.js';
import type { CompResult, Employee, EmployeeComp, Payroll, PayrollTotals } from './model.js';
import { computeComp, FIXED_COMPENSATION_TYPES, MULTIPLIERS } from './payroll-math.js';
import { calculationOf, isCancellable, scheduleOf } from './payroll-state.js';
import { RECEIPT_LICENSEE, RECEIPT_TERMS } from './receipts.js';

type Json = Record<string, unknown>;

/** Fields typed `number` in the spec: the decimal string's value, converted once at the wire. */
const centsNumber = (cents: Cents): number => Number(fromCents(cents));

function processingRequest(payroll: Payroll): Json | null {
  const p = payroll.processing;
  return p ? { status: p.status, errors: p.errors } : null;
}

function withholdingPeriod(sim: Sim, payroll: Payroll): string {
  const company = sim.store.companies.get(payroll.companyUuid);
  return company?.paySchedule.frequency ?? 'Every other week';
}

/** Fields every payroll shape shares, in Gusto's order. */
function baseFields(sim: Sim, payroll: Payroll): Json {
  return {
    payroll_deadline: isoSeconds(payroll.deadline),
    check_date: payroll.checkDate,
    processed: payroll.processed,
    processed_date: payroll.processedDate,
    calculated_at: payroll.calculatedAt === null ? null : isoSeconds(payroll.calculatedAt),
    uuid: payroll.uuid,
    payroll_uuid: payroll.uuid,
    company_uuid: payroll.companyUuid,
    off_cycle: !!payroll.offCycle,
    off_cycle_reason: payroll.offCycle?.reason ?? null,
    auto_payroll: false,
    external: false,
    final_termination_payroll: false,
    withholding_pay_period: payroll.offCycle?.withholdingPayPeriod ?? withholdingPeriod(sim, payroll),
    skip_regular_deductions: payroll.offCycle?.skipRegularDeductions ?? null,
    fixed_withholding_rate: payroll.offCycle?.fixedWithholdingRate ?? null,
    pay_period: {
      start_date: payroll.periodStart,
      end_date: payroll.periodEnd,
      pay_schedule_uuid: payroll.payScheduleUuid,
    },
  };
}

export function statusMeta(payroll: Payroll, nowMs: number): Json {
  const schedule = scheduleOf(payroll, nowMs);
  return {
    cancellable: isCancellable(payroll, nowMs),
    expected_check_date: schedule.checkDate,
    initial_check_date: payroll.initialCheckDate,
    expected_debit_time: isoSeconds(schedule.debitTime),
    payroll_late: schedule.late,
    initial_debit_cutoff_time: isoSeconds(payroll.initialDeadline),
  };
}

export function totalsJson(t: PayrollTotals): Json {
  return {
    company_debit: fromCents(t.companyDebit),
    net_pay_debit: fromCents(t.netPayDebit),
    tax_debit: fromCents(t.taxDebit),
    reimbursement_debit: fromCents(t.reimbursementDebit),
    child_support_debit: '0.00',
    reimbursements: fromCents(t.reimbursements),
    net_pay: fromCents(t.net),
    gross_pay: fromCents(t.gross),
    employee_bonuses: fromCents(t.bonuses),
    employee_commissions: fromCents(t.commissions),
    employee_cash_tips: fromCents(t.cashTips),
    employee_paycheck_tips: fromCents(t.paycheckTips),
    additional_earnings: fromCents(t.otherFixed),
    owners_draw: '0.00',
    check_amount: fromCents(t.check),
    employer_taxes: fromCents(t.employerTaxes),
    employee_taxes: fromCents(t.employeeTaxes),
    benefits: '0.00',
    employee_benefits_deductions: '0.00',
    imputed_pay: '0.00',
    deferred_payroll_taxes: '0.00',
    other_deductions: fromCents(t.deductions),
  };
}

/** Adds the `include=` extras a payroll list or show may ask for. */
function includes(sim: Sim, payroll: Payroll, include: Set<string>, nowMs: number): Json {
  const out: Json = {};
  const calculation = calculationOf(sim.store, payroll);
  if (include.has('payroll_status_meta')) out.payroll_status_meta = statusMeta(payroll, nowMs);
  // The spec types totals as an object, so an uncalculated payroll omits it rather than sending null.
  if (include.has('totals') && calculation) out.totals = totalsJson(calculation.totals);
  if (include.has('taxes') && calculation) {
    out.company_taxes = calculation.totals.taxes.map((t) => ({
      name: t.name,
      employer: t.employer,
      amount: fromCents(t.amount),
    }));
  }
  if (include.has('payroll_taxes') && calculation) {
    out.payroll_taxes = calculation.totals.taxes.map((t) => ({
      name: t.name,
      employer: t.employer,
      amount: centsNumber(t.amount),
    }));
  }
  if (include.has('risk_blockers')) {
    out.submission_blockers = [];
    out.credit_blockers = [];
  }
  return out;
}

export interface CompView {
  comps: EmployeeComp[];
  include: Set<string>;
}

export function compJson(sim: Sim, payroll: Payroll, comp: EmployeeComp, include: Set<string>): Json {
  const employee = sim.store.employees.get(comp.employeeUuid);
  if (!employee) throw new Error(`no employee ${comp.employeeUuid}`);
  const calculation = calculationOf(sim.store, payroll);
  const result = calculation?.results.get(comp.employeeUuid) ?? null;
  const live = result ?? liveResult(sim, payroll, comp, employee);
  const out: Json = {
    employee_uuid: comp.employeeUuid,
    excluded: comp.excluded,
    first_name: employee.firstName,
    preferred_first_name: employee.preferredFirstName,
    last_name: employee.lastName,
    gross_pay: result ? centsNumber(result.gross) : null,
    net_pay: result ? centsNumber(result.net) : null,
    check_amount: result ? centsNumber(result.check) : null,
    payment_method: comp.paymentMethod,
    memo: comp.memo,
    fixed_compensations: comp.fixed.map((f) => ({
      name: f.name,
      amount: fromCents(f.amount),
      job_uuid: f.jobUuid,
    })),
    hourly_compensations: comp.hourly.map((h, i) => ({
      name: h.name,
      hours: fromThousandths(h.hours),
      amount: fromCents(live.hourlyAmounts[i] ?? 0),
      job_uuid: h.jobUuid,
      compensation_multiplier: MULTIPLIERS[h.name].wire,
      flsa_status: employee.flsa,
    })),
    paid_time_off: comp.pto.map((p) => ({
      name: p.name,
      hours: fromThousandths(p.hours),
      final_payout_unused_hours_input: null,
    })),
    reimbursements: comp.reimbursements.map((r) => ({
      amount: fromCents(r.amount),
      description: r.description,
      uuid: r.uuid,
      recurring: false,
    })),
    deductions: comp.deductions.map((d) => ({
      name: d.name,
      amount: Number(d.amount),
      amount_type: d.amountType,
      uuid: d.uuid,
      updatable_via_payroll: true,
    })),
  };
  if (!payroll.processed) out.version = comp.version;
  if (include.has('taxes') && result) {
    out.taxes = result.taxes.map((t) => ({
      name: t.name,
      employer: t.employer,
      amount: centsNumber(t.amount),
    }));
  }
  if (include.has('benefits')) out.benefits = [];
  return out;
}

function liveResult(sim: Sim, payroll: Payroll, comp: EmployeeComp, employee: Employee): CompResult {
  const company = sim.store.companies.get(payroll.companyUuid);
  return computeComp(
    comp,
    employee,
    company?.paySchedule.frequency ?? 'Every other week',
    company?.location.state ?? 'CA',
  );
}

/** GET /v1/companies/{company_id}/payrolls item. */
export function payrollListItem(sim: Sim, payroll: Payroll, include: Set<string>, nowMs: number): Json {
  return {
    ...baseFields(sim, payroll),
    ...includes(sim, payroll, include, nowMs),
    created_at: isoSeconds(payroll.createdAt),
    processing_request: processingRequest(payroll),
    partner_owned_disbursement: null,
  };
}

/** GET /v1/companies/{company_id}/payrolls/{payroll_id}. */
export function payrollShow(sim: Sim, payroll: Payroll, view: CompView, nowMs: number): Json {
  return {
    ...payrollListItem(sim, payroll, view.include, nowMs),
    employee_compensations: view.comps.map((c) => compJson(sim, payroll, c, view.include)),
  };
}

/** PUT prepare and PUT update responses. */
export function payrollPrepared(sim: Sim, payroll: Payroll, comps: EmployeeComp[], nowMs: number): Json {
  return {
    ...baseFields(sim, payroll),
    payroll_status_meta: statusMeta(payroll, nowMs),
    employee_compensations: comps.map((c) => compJson(sim, payroll, c, new Set())),
    created_at: isoSeconds(payroll.createdAt),
    fixed_compensation_types: FIXED_COMPENSATION_TYPES.map((name) => ({ name })),
    processing_request: processingRequest(payroll),
    partner_owned_disbursement: null,
  };
}

/** PUT cancel response. */
export function unprocessedPayroll(sim: Sim, payroll: Payroll): Json {
  const base = baseFields(sim, payroll);
  return {
    payroll_deadline: base.payroll_deadline,
    check_date: base.check_date,
    processed: base.processed,
    processed_date: base.processed_date,
    calculated_at: base.calculated_at,
    uuid: base.uuid,
    payroll_uuid: base.payroll_uuid,
    company_uuid: base.company_uuid,
    off_cycle: base.off_cycle,
    off_cycle_reason: base.off_cycle_reason,
    auto_payroll: false,
    external: false,
    pay_period: base.pay_period,
    created_at: isoSeconds(payroll.createdAt),
    partner_owned_disbursement: null,
  };
}

/** GET /v1/payrolls/{payroll_uuid}/receipt (processed payrolls only). */
export function payrollReceipt(sim: Sim, payroll: Payroll): Json {
  const company = sim.store.companies.get(payroll.companyUuid);
  const calculation = calculationOf(sim.store, payroll);
  if (!company || !calculation) throw new Error(`payroll ${payroll.uuid} has no receipt`);
  const t = calculation.totals;
  const comps = [...(payroll.comps?.values() ?? [])].filter((c) => !c.excluded);
  return {
    payroll_uuid: payroll.uuid,
    company_uuid: company.uuid,
    name_of_sender: company.name,
    name_of_recipient: 'Payroll recipients',
    recipient_notice:
      'Direct deposits are credited to employee accounts on the check date; checks are handed out by the employer.',
    debit_date: dateIn(new Date(payroll.deadline), GUSTO_TIME_ZONE),
    ...RECEIPT_TERMS,
    totals: {
      company_debit: fromCents(t.companyDebit),
      net_pay_debit: fromCents(t.netPayDebit),
      child_support_debit: '0.00',
      reimbursement_debit: fromCents(t.reimbursementDebit),
      tax_debit: fromCents(t.taxDebit),
    },
    taxes: mergeByName(t),
    employee_compensations: comps.map((c) => receiptLine(sim, calculation.results.get(c.employeeUuid), c)),
    licensee: RECEIPT_LICENSEE,
  };
}

function mergeByName(t: PayrollTotals): Json[] {
  const byName = new Map<string, Cents>();
  for (const line of t.taxes) byName.set(line.name, (byName.get(line.name) ?? 0) + line.amount);
  return [...byName].map(([name, amount]) => ({ name, amount: fromCents(amount) }));
}

function receiptLine(sim: Sim, result: CompResult | undefined, comp: EmployeeComp): Json {
  const employee = sim.store.employees.get(comp.employeeUuid);
  return {
    employee_uuid: comp.employeeUuid,
    employee_first_name: employee?.firstName ?? '',
    employee_last_name: employee?.lastName ?? '',
    payment_method: comp.paymentMethod,
    net_pay: fromCents(result?.net ?? 0),
    total_tax: fromCents(result?.employeeTaxes ?? 0),
    total_garnishments: '0.00',
    child_support_garnishment: '0.00',
    total_reimbursement: fromCents(result?.reimbursements ?? 0),
  };
}
