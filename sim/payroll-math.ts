/**
 * Payroll arithmetic of the sandbox. Not tax law, but internally consistent, in integer cents:
 *   gross            = Σ hourly/salary line amounts + Σ taxable fixed compensations (+ hourly PTO)
 *   employee taxes   = flat rates of gross;   deductions (capped so net never goes negative)
 *   net              = gross − employee taxes − deductions          (so net ≤ gross)
 *   check amount     = net + reimbursements (the Reimbursement fixed compensation and reimbursements[])
 *   tax_debit        = employee taxes + employer taxes (the company remits both)
 *   company_debit    = net_pay_debit + reimbursement_debit + tax_debit, where the two *_debit amounts
 *                      count Direct Deposit employees only (the company hands paper checks out itself).
 */
import { hoursTimesRate, percentOf, toCents, type Cents, type Thousandths } from '../gusto/money.js';
import type {
  CompResult,
  Employee,
  EmployeeComp,
  HourlyLine,
  HourlyName,
  PayFrequency,
  PayrollTotals,
  TaxLine,
} from './model.js';
import { NO_INCOME_TAX_STATES } from './names.js';
import { periodsPerYear } from './pay-schedule.js';
import { versionOf } from './store.js';

export const FIXED_COMPENSATION_TYPES = [
  'Bonus',
  'Commission',
  'Correction Payment',
  'Cash Tips',
  'Paycheck Tips',
  'Reimbursement',
] as const;
export const PTO_NAMES = ['Vacation Hours', 'Sick Hours', 'Holiday Hours'] as const;

/** Multipliers as exact fractions, so overtime never goes through a float. */
export const MULTIPLIERS: Record<HourlyName, { num: number; den: number; wire: number }> = {
  'Regular Hours': { num: 1, den: 1, wire: 1 },
  Overtime: { num: 3, den: 2, wire: 1.5 },
  'Double overtime': { num: 2, den: 1, wire: 2 },
};

const HOURS_PER_YEAR = 2080;

/** Integer division rounded half up (both operands non-negative integers). */
export const divRound = (a: number, b: number): number => Math.floor((2 * a + b) / (2 * b));

/** Regular hours in one period: 80 biweekly, 2080/24 = 86.667 semimonthly. */
export const regularHours = (frequency: PayFrequency): Thousandths =>
  divRound(HOURS_PER_YEAR * 1000, periodsPerYear(frequency));

/** Hourly names an employee may be paid under (exempt staff get no overtime). */
export const hourlyNamesFor = (employee: Employee): HourlyName[] =>
  employee.flsa === 'Exempt' ? ['Regular Hours'] : ['Regular Hours', 'Overtime', 'Double overtime'];

/** Small deterministic variation per employee and period, so payrolls do not all look alike. */
function jitter(key: string, spread: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % (spread + 1);
}

/** What Gusto pre-fills for an employee on a regular payroll before anyone edits it. */
export function defaultComp(
  employee: Employee,
  payrollUuid: string,
  periodStart: string,
  frequency: PayFrequency,
): EmployeeComp {
  const job = employee.jobs[0];
  if (!job) throw new Error(`employee ${employee.uuid} has no job`);
  const base = regularHours(frequency);
  const key = `${employee.uuid}|${periodStart}`;
  const hourly: HourlyLine[] = hourlyNamesFor(employee).map((name) => ({
    name,
    hours: 0,
    jobUuid: job.uuid,
  }));
  const regular = hourly[0];
  if (regular) regular.hours = employee.salaried ? base : base - jitter(key, 8) * 1000;
  const overtime = hourly[1];
  if (overtime && !employee.salaried) overtime.hours = jitter(`${key}|ot`, 6) * 1000;
  return {
    employeeUuid: employee.uuid,
    revision: 1,
    version: versionOf(payrollUuid, employee.uuid, 1),
    excluded: false,
    paymentMethod: employee.paymentMethod,
    memo: null,
    hourly,
    fixed: [],
    pto: PTO_NAMES.map((name) => ({ name, hours: 0 })),
    reimbursements: [],
    deductions: employee.deductions.map((d) => ({ ...d })),
  };
}

function hourlyRate(employee: Employee): Cents {
  const job = employee.jobs[0];
  if (!job) return 0;
  return job.unit === 'Hour' ? job.rateCents : divRound(job.rateCents, HOURS_PER_YEAR);
}

function lineAmount(employee: Employee, line: HourlyLine, frequency: PayFrequency): Cents {
  const job = employee.jobs.find((j) => j.uuid === line.jobUuid) ?? employee.jobs[0];
  if (employee.salaried && line.name === 'Regular Hours' && job?.unit === 'Year') {
    // Salary is paid per period whatever the hours say; zero hours means unpaid leave.
    return line.hours === 0 ? 0 : divRound(job.rateCents, periodsPerYear(frequency));
  }
  const m = MULTIPLIERS[line.name];
  return divRound(hoursTimesRate(line.hours, hourlyRate(employee)) * m.num, m.den);
}

function taxLines(gross: Cents, state: string): TaxLine[] {
  const lines: TaxLine[] = [
    { name: 'Federal Income Tax', employer: false, amount: percentOf(gross, 1200) },
    { name: 'Social Security', employer: false, amount: percentOf(gross, 620) },
    { name: 'Medicare', employer: false, amount: percentOf(gross, 145) },
  ];
  if (!NO_INCOME_TAX_STATES.has(state)) {
    lines.push({ name: `${state} State Income Tax`, employer: false, amount: percentOf(gross, 400) });
  }
  lines.push(
    { name: 'Social Security', employer: true, amount: percentOf(gross, 620) },
    { name: 'Medicare', employer: true, amount: percentOf(gross, 145) },
    { name: 'FUTA', employer: true, amount: percentOf(gross, 60) },
    { name: `${state} SUTA`, employer: true, amount: percentOf(gross, 270) },
  );
  return lines;
}

const sum = (values: Cents[]): Cents => values.reduce((a, b) => a + b, 0);

function fixedSum(comp: EmployeeComp, name: string): Cents {
  return sum(comp.fixed.filter((f) => f.name === name).map((f) => f.amount));
}

/** Pay of one employee; an excluded employee earns nothing. */
export function computeComp(
  comp: EmployeeComp,
  employee: Employee,
  frequency: PayFrequency,
  state: string,
): CompResult {
  const hourlyAmounts = comp.hourly.map((line) =>
    comp.excluded ? 0 : lineAmount(employee, line, frequency),
  );
  const fixedTaxable = comp.excluded
    ? 0
    : sum(comp.fixed.filter((f) => f.name !== 'Reimbursement').map((f) => f.amount));
  const ptoPay =
    comp.excluded || employee.salaried
      ? 0
      : sum(comp.pto.map((p) => hoursTimesRate(p.hours, hourlyRate(employee))));
  const gross = sum(hourlyAmounts) + fixedTaxable + ptoPay;
  const taxes = taxLines(gross, state);
  const employeeTaxes = sum(taxes.filter((t) => !t.employer).map((t) => t.amount));
  const employerTaxes = sum(taxes.filter((t) => t.employer).map((t) => t.amount));
  let room = gross - employeeTaxes;
  const deductionAmounts = comp.deductions.map((d) => {
    const wanted = d.amountType === 'percent' ? percentOf(gross, toCents(d.amount)) : toCents(d.amount);
    const taken = Math.min(wanted, room);
    room -= taken;
    return taken;
  });
  const deductions = sum(deductionAmounts);
  const reimbursements = comp.excluded
    ? 0
    : fixedSum(comp, 'Reimbursement') + sum(comp.reimbursements.map((r) => r.amount));
  const net = gross - employeeTaxes - deductions;
  return {
    employeeUuid: comp.employeeUuid,
    hourlyAmounts,
    gross,
    taxes,
    employeeTaxes,
    employerTaxes,
    deductions,
    deductionAmounts,
    reimbursements,
    net,
    check: net + reimbursements,
    bonuses: comp.excluded ? 0 : fixedSum(comp, 'Bonus'),
    commissions: comp.excluded ? 0 : fixedSum(comp, 'Commission'),
    cashTips: comp.excluded ? 0 : fixedSum(comp, 'Cash Tips'),
    paycheckTips: comp.excluded ? 0 : fixedSum(comp, 'Paycheck Tips'),
    otherFixed: comp.excluded ? 0 : fixedSum(comp, 'Correction Payment'),
  };
}

function mergeTaxes(results: CompResult[]): TaxLine[] {
  const byKey = new Map<string, TaxLine>();
  for (const line of results.flatMap((r) => r.taxes)) {
    const key = `${line.employer}|${line.name}`;
    const seen = byKey.get(key);
    if (seen) seen.amount += line.amount;
    else byKey.set(key, { ...line });
  }
  return [...byKey.values()];
}

export function computeTotals(
  results: CompResult[],
  directDeposit: (employeeUuid: string) => boolean,
): PayrollTotals {
  const total = (pick: (r: CompResult) => Cents, filter: (r: CompResult) => boolean = () => true): Cents =>
    sum(results.filter(filter).map(pick));
  const dd = (r: CompResult): boolean => directDeposit(r.employeeUuid);
  const employeeTaxes = total((r) => r.employeeTaxes);
  const employerTaxes = total((r) => r.employerTaxes);
  const netPayDebit = total((r) => r.net, dd);
  const reimbursementDebit = total((r) => r.reimbursements, dd);
  const taxDebit = employeeTaxes + employerTaxes;
  return {
    gross: total((r) => r.gross),
    net: total((r) => r.net),
    employeeTaxes,
    employerTaxes,
    reimbursements: total((r) => r.reimbursements),
    check: total((r) => r.check),
    deductions: total((r) => r.deductions),
    bonuses: total((r) => r.bonuses),
    commissions: total((r) => r.commissions),
    cashTips: total((r) => r.cashTips),
    paycheckTips: total((r) => r.paycheckTips),
    otherFixed: total((r) => r.otherFixed),
    netPayDebit,
    reimbursementDebit,
    taxDebit,
    companyDebit: netPayDebit + reimbursementDebit + taxDebit,
    taxes: mergeTaxes(results),
  };
}
