/**
 * Payroll records and their state machine.
 *
 *   unprocessed ──calculate──▶ calculating ──(latency)──▶ calculate_success ──submit──▶ submitting
 *        ▲                          │                                                      │
 *        │                          └────────▶ processing_failed ◀──────(latency)──────────┤
 *        └──cancel (processed, before 3:30 pm PT on the deadline date)── processed ◀───────┘
 *
 * Async steps finish lazily: whoever looks at the payroll (a read, or the background ticker) settles
 * it against the sandbox clock, and the webhook event carries the instant the step finished.
 * Prepare and update throw away a calculation; a stale per-employee version is a 409.
 */
import { addBusinessDays, businessDayOnOrAfter } from '../domain/business-days.js';
import { cancelCutoffOn, dateIn, debitInstant, GUSTO_TIME_ZONE } from './calendar.js';
import type { Sim } from './context.js';
import type { ErrorItem } from './errors.js';
import type { Company, EmployeeComp, Payroll, PayrollCalculation } from './model.js';
import { computeComp, computeTotals, defaultComp } from './payroll-math.js';
import { periodEndOnOrBefore, periodsBetween, type PayPeriod } from './pay-schedule.js';
import { uuidFrom, versionOf, type Store } from './store.js';
import { addDays } from './calendar.js';

/** Gusto lets callers look three months ahead; generate a little beyond that. */
const LOOK_AHEAD_DAYS = 95;
/** How far back the seed creates (processed) payrolls. */
const HISTORY_DAYS = 50;

export function createPayroll(
  sim: Sim,
  company: Company,
  period: PayPeriod,
  nowMs: number,
  processed: boolean,
): Payroll {
  const payroll: Payroll = {
    // Derived from the company and period, so ids do not depend on the order companies are used in.
    uuid: uuidFrom(company.uuid, period.end),
    companyUuid: company.uuid,
    payScheduleUuid: company.paySchedule.uuid,
    periodStart: period.start,
    periodEnd: period.end,
    checkDate: period.checkDate,
    initialCheckDate: period.checkDate,
    deadline: period.deadline,
    initialDeadline: period.deadline,
    processed: false,
    processedDate: null,
    calculatedAt: null,
    createdAt: Math.min(nowMs, period.deadline - 20 * 86_400_000),
    comps: null,
    calculation: null,
    processing: null,
    failNext: {},
  };
  if (processed) markSeededProcessed(payroll, company);
  sim.store.payrolls.set(payroll.uuid, payroll);
  company.payrollIds.push(payroll.uuid);
  return payroll;
}

/** A payroll the customer ran before the sandbox started: submitted a little before its deadline. */
function markSeededProcessed(payroll: Payroll, company: Company): void {
  const submittedAt = payroll.deadline - 3 * 3600_000;
  payroll.processed = true;
  payroll.processedDate = dateIn(new Date(submittedAt), company.timeZone);
  payroll.calculatedAt = submittedAt - 600_000;
  payroll.processing = {
    status: 'submit_success',
    stage: 'submit',
    doneAt: submittedAt,
    failWith: null,
    errors: [],
  };
}

/**
 * Generates the company's regular payrolls up to three months past `now`. The first call (on first
 * use of the company, which keeps seeding 1,000 companies cheap) also creates the recent past as of
 * the seed instant: payrolls whose deadline had passed then count as already run. Payrolls created
 * later stay unprocessed when their deadline passes (and report themselves late).
 */
export function materializePayrolls(sim: Sim, company: Company, now: Date): void {
  const schedule = company.paySchedule;
  const horizon = addDays(dateIn(now, company.timeZone), LOOK_AHEAD_DAYS);
  if (schedule.generatedThrough >= horizon) return;
  const firstRun = company.payrollIds.length === 0;
  if (firstRun) {
    const seedDay = dateIn(new Date(company.seededAt), company.timeZone);
    schedule.generatedThrough = periodEndOnOrBefore(schedule, addDays(seedDay, -HISTORY_DAYS));
  }
  for (const period of periodsBetween(schedule, schedule.generatedThrough, horizon)) {
    const ranBeforeSeed = firstRun && period.deadline <= company.seededAt;
    createPayroll(sim, company, period, now.getTime(), ranBeforeSeed);
    schedule.generatedThrough = period.end;
  }
}

/** The per-employee compensations, created on first use from the company's current employees. */
export function compsOf(store: Store, payroll: Payroll): Map<string, EmployeeComp> {
  if (payroll.comps) return payroll.comps;
  const company = store.companies.get(payroll.companyUuid);
  if (!company) throw new Error(`payroll ${payroll.uuid} has no company`);
  const comps = new Map<string, EmployeeComp>();
  const offCycle = payroll.offCycle;
  for (const id of offCycle?.employeeUuids ?? company.employeeIds) {
    const employee = store.employees.get(id);
    if (!employee) continue;
    const comp = defaultComp(employee, payroll.uuid, payroll.periodStart, company.paySchedule.frequency);
    // An off-cycle payroll pays only what is entered on it (a bonus, a correction): no regular hours
    // or salary, and no regular deductions when they are skipped (a bonus's default).
    if (offCycle) {
      for (const line of comp.hourly) line.hours = 0;
      if (offCycle.skipRegularDeductions) comp.deductions = [];
    }
    comps.set(id, comp);
  }
  payroll.comps = comps;
  return comps;
}

export function computeCalculation(store: Store, payroll: Payroll): PayrollCalculation {
  const company = store.companies.get(payroll.companyUuid);
  if (!company) throw new Error(`payroll ${payroll.uuid} has no company`);
  const results = new Map();
  for (const comp of compsOf(store, payroll).values()) {
    const employee = store.employees.get(comp.employeeUuid);
    if (!employee) continue;
    results.set(
      comp.employeeUuid,
      computeComp(comp, employee, company.paySchedule.frequency, company.location.state),
    );
  }
  const comps = compsOf(store, payroll);
  const totals = computeTotals(
    [...results.values()],
    (id) => comps.get(id)?.paymentMethod === 'Direct Deposit',
  );
  return { results, totals };
}

/** The calculation shown for a calculated or processed payroll (seeded ones compute on first read). */
export function calculationOf(store: Store, payroll: Payroll): PayrollCalculation | null {
  if (payroll.calculatedAt === null) return null;
  payroll.calculation ??= computeCalculation(store, payroll);
  return payroll.calculation;
}

export function bumpVersion(payroll: Payroll, comp: EmployeeComp): void {
  comp.revision++;
  comp.version = versionOf(payroll.uuid, comp.employeeUuid, comp.revision);
}

/** Forgets a calculation (prepare, update, cancel): totals and calculated_at go, the request resets. */
export function clearCalculation(store: Store, payroll: Payroll): void {
  payroll.calculatedAt = null;
  payroll.calculation = null;
  payroll.processing = null;
  store.pending.payrolls.delete(payroll.uuid);
}

export function startProcessing(
  sim: Sim,
  payroll: Payroll,
  stage: 'calculate' | 'submit',
  nowMs: number,
): void {
  const latency = stage === 'calculate' ? sim.config.calculateLatencyMs : sim.config.submitLatencyMs;
  const failWith = payroll.failNext[stage] ?? null;
  delete payroll.failNext[stage];
  payroll.processing = {
    status: stage === 'calculate' ? 'calculating' : 'submitting',
    stage,
    doneAt: nowMs + latency,
    failWith,
    errors: [],
  };
  if (stage === 'calculate') {
    payroll.calculatedAt = null;
    payroll.calculation = null;
  }
  sim.store.pending.payrolls.add(payroll.uuid);
}

/** Finishes an async calculate/submit whose latency has elapsed on the sandbox clock. */
export function settlePayroll(sim: Sim, payroll: Payroll, nowMs: number): void {
  const processing = payroll.processing;
  if (!processing || (processing.status !== 'calculating' && processing.status !== 'submitting')) {
    sim.store.pending.payrolls.delete(payroll.uuid);
    return;
  }
  if (nowMs < processing.doneAt) return;
  sim.store.pending.payrolls.delete(payroll.uuid);
  const at = processing.doneAt;
  if (processing.failWith) return fail(sim, payroll, processing.failWith, at);
  if (processing.stage === 'calculate') return finishCalculation(sim, payroll, at);
  finishSubmission(sim, payroll, at);
}

function fail(sim: Sim, payroll: Payroll, errors: ErrorItem[], at: number): void {
  payroll.processing = {
    status: 'processing_failed',
    stage: payroll.processing?.stage ?? 'calculate',
    doneAt: at,
    failWith: null,
    errors,
  };
  sim.store.emit('payroll.processing_failed', payroll.companyUuid, 'Payroll', payroll.uuid, at);
}

function finishCalculation(sim: Sim, payroll: Payroll, at: number): void {
  payroll.calculation = computeCalculation(sim.store, payroll);
  payroll.calculatedAt = at;
  payroll.processing = {
    status: 'calculate_success',
    stage: 'calculate',
    doneAt: at,
    failWith: null,
    errors: [],
  };
  sim.store.emit('payroll.calculated', payroll.companyUuid, 'Payroll', payroll.uuid, at);
}

function finishSubmission(sim: Sim, payroll: Payroll, at: number): void {
  const company = sim.store.companies.get(payroll.companyUuid);
  payroll.processed = true;
  payroll.processedDate = dateIn(new Date(at), company?.timeZone ?? GUSTO_TIME_ZONE);
  payroll.calculation ??= computeCalculation(sim.store, payroll);
  payroll.processing = { status: 'submit_success', stage: 'submit', doneAt: at, failWith: null, errors: [] };
  sim.store.emit('payroll.processed', payroll.companyUuid, 'Payroll', payroll.uuid, at);
}

// Deadlines, lateness and cancellation

/** 3:30 pm Pacific on the (Pacific) date of the payroll deadline. */
export function cancelCutoffOf(payroll: Payroll): number {
  return cancelCutoffOn(dateIn(new Date(payroll.deadline), GUSTO_TIME_ZONE)).getTime();
}

export const isCancellable = (payroll: Payroll, nowMs: number): boolean =>
  payroll.processed && nowMs < cancelCutoffOf(payroll);

export interface Schedule {
  late: boolean;
  checkDate: string;
  debitTime: number;
}

/**
 * Where the payroll stands against its deadline. A payroll still unprocessed after its deadline is
 * late: it will debit at the next 4 pm Pacific on a business day and pay two business days later.
 */
export function scheduleOf(payroll: Payroll, nowMs: number): Schedule {
  if (payroll.processed || nowMs <= payroll.deadline) {
    return { late: false, checkDate: payroll.checkDate, debitTime: payroll.deadline };
  }
  let debitDate = businessDayOnOrAfter(dateIn(new Date(nowMs), GUSTO_TIME_ZONE));
  if (debitInstant(debitDate).getTime() <= nowMs) debitDate = addBusinessDays(debitDate, 1);
  return {
    late: true,
    checkDate: addBusinessDays(debitDate, 2),
    debitTime: debitInstant(debitDate).getTime(),
  };
}

/** Prepare and submit of a late payroll move its check date and deadline, as Gusto does. */
export function applyLateSchedule(payroll: Payroll, nowMs: number): void {
  const schedule = scheduleOf(payroll, nowMs);
  if (!schedule.late) return;
  payroll.checkDate = schedule.checkDate;
  payroll.deadline = schedule.debitTime;
}
