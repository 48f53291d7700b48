/**
 * The sandbox's internal records. Money is integer cents and hours integer thousandths throughout;
 * only the views (`*-views.ts`) turn them into Gusto's wire format. Saved state files hold these records
 * as they are: a change of shape needs a new STATE_VERSION in sim/snapshot.ts.
 */
import type { Cents, Thousandths } from '../gusto/money.js';
import type { ErrorItem } from './errors.js';

export type EmployeePaymentMethod = 'Direct Deposit' | 'Check';
export type ContractorPaymentMethod = 'Direct Deposit' | 'Check' | 'Historical Payment';
export type FlsaStatus = 'Exempt' | 'Nonexempt';
export type PayFrequency = 'Every other week' | 'Twice per month';
export type HourlyName = 'Regular Hours' | 'Overtime' | 'Double overtime';

export interface Address {
  street_1: string;
  street_2: string | null;
  city: string;
  state: string;
  zip: string;
}

export interface Person {
  uuid: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
}

export interface PaySchedule {
  uuid: string;
  frequency: PayFrequency;
  /** Biweekly: the end date of one pay period; every period ends a multiple of 14 days from it. */
  anchorEnd: string;
  /** End date of the latest period for which a payroll exists. */
  generatedThrough: string;
}

export interface Company {
  uuid: string;
  /** Stable handle for fixtures ("small-ca"); generated companies get "gen-0001"... */
  key: string;
  name: string;
  tradeName: string | null;
  slug: string;
  ein: string;
  entityType: string;
  location: Address;
  timeZone: string;
  accessToken: string;
  refreshToken: string;
  /** Business days between a Direct Deposit payment's debit and its check date. */
  achSpeedDays: number;
  /** Payroll blocker keys (empty for a company that can run payroll). */
  blockers: string[];
  joinDate: string;
  /** Sandbox-clock instant (ms) the company was seeded; its payroll history is relative to it. */
  seededAt: number;
  signatory: Person;
  admin: Person;
  paySchedule: PaySchedule;
  employeeIds: string[];
  contractorIds: string[];
  /** Ordered by check date. */
  payrollIds: string[];
}

export interface Job {
  uuid: string;
  title: string;
  /** Cents per hour, or cents per year for salaried jobs. */
  rateCents: Cents;
  unit: 'Hour' | 'Year';
}

export interface EmployeeDeduction {
  uuid: string;
  name: string;
  amountType: 'fixed' | 'percent';
  /** Dollars for fixed, percent for percent, as a decimal string. */
  amount: string;
}

export interface Employee {
  uuid: string;
  companyUuid: string;
  firstName: string;
  lastName: string;
  preferredFirstName: string | null;
  email: string;
  flsa: FlsaStatus;
  salaried: boolean;
  paymentMethod: EmployeePaymentMethod;
  jobs: Job[];
  deductions: EmployeeDeduction[];
}

export interface HourlyLine {
  name: HourlyName;
  hours: Thousandths;
  jobUuid: string;
}

export interface FixedLine {
  name: string;
  amount: Cents;
  jobUuid: string;
}

export interface PtoLine {
  name: string;
  hours: Thousandths;
}

export interface ReimbursementLine {
  uuid: string;
  amount: Cents;
  description: string | null;
}

export interface DeductionLine {
  uuid: string;
  name: string;
  amountType: 'fixed' | 'percent';
  amount: string;
}

/** One employee's part of one payroll: what prepare returns and update edits. */
export interface EmployeeComp {
  employeeUuid: string;
  revision: number;
  version: string;
  excluded: boolean;
  paymentMethod: EmployeePaymentMethod;
  memo: string | null;
  hourly: HourlyLine[];
  fixed: FixedLine[];
  pto: PtoLine[];
  reimbursements: ReimbursementLine[];
  deductions: DeductionLine[];
}

export interface TaxLine {
  name: string;
  employer: boolean;
  amount: Cents;
}

/** Computed pay of one employee for one payroll. */
export interface CompResult {
  employeeUuid: string;
  hourlyAmounts: Cents[];
  gross: Cents;
  taxes: TaxLine[];
  employeeTaxes: Cents;
  employerTaxes: Cents;
  deductions: Cents;
  deductionAmounts: Cents[];
  reimbursements: Cents;
  net: Cents;
  check: Cents;
  bonuses: Cents;
  commissions: Cents;
  cashTips: Cents;
  paycheckTips: Cents;
  otherFixed: Cents;
}

export interface PayrollTotals {
  gross: Cents;
  net: Cents;
  employeeTaxes: Cents;
  employerTaxes: Cents;
  reimbursements: Cents;
  check: Cents;
  deductions: Cents;
  bonuses: Cents;
  commissions: Cents;
  cashTips: Cents;
  paycheckTips: Cents;
  otherFixed: Cents;
  netPayDebit: Cents;
  reimbursementDebit: Cents;
  taxDebit: Cents;
  companyDebit: Cents;
  /** Company-level tax lines, summed over employees. */
  taxes: TaxLine[];
}

export interface PayrollCalculation {
  results: Map<string, CompResult>;
  totals: PayrollTotals;
}

export type ProcessingStatus =
  'calculating' | 'calculate_success' | 'submitting' | 'submit_success' | 'processing_failed';

export interface Processing {
  status: ProcessingStatus;
  stage: 'calculate' | 'submit';
  /** Sandbox-clock instant (ms) when the async step finishes. */
  doneAt: number;
  /** Errors the step will end with (armed by fail_next); reported once it finishes. */
  failWith: ErrorItem[] | null;
  errors: ErrorItem[];
}

/** What an off-cycle payroll was created with (POST .../payrolls); absent on regular payrolls. */
export interface OffCycle {
  reason: string;
  /** The employees on it; null = every employee of the company. */
  employeeUuids: string[] | null;
  skipRegularDeductions: boolean;
  withholdingPayPeriod: string;
  fixedWithholdingRate: boolean;
  checkOnly: boolean;
}

export interface Payroll {
  uuid: string;
  companyUuid: string;
  payScheduleUuid: string;
  periodStart: string;
  periodEnd: string;
  checkDate: string;
  initialCheckDate: string;
  /** Instant (ms): 4 pm Pacific, two business days before the check date. */
  deadline: number;
  initialDeadline: number;
  processed: boolean;
  processedDate: string | null;
  calculatedAt: number | null;
  createdAt: number;
  /** Materialized on first use: most seeded payrolls are never touched. */
  comps: Map<string, EmployeeComp> | null;
  calculation: PayrollCalculation | null;
  processing: Processing | null;
  failNext: { calculate?: ErrorItem[]; submit?: ErrorItem[] };
  offCycle?: OffCycle;
}

export interface Contractor {
  uuid: string;
  /** Fixture handle from the seed spec ("hourly-dd"), or null. */
  key: string | null;
  companyUuid: string;
  type: 'Individual' | 'Business';
  firstName: string | null;
  lastName: string | null;
  middleInitial: string | null;
  businessName: string | null;
  ein: string | null;
  hasSsn: boolean;
  email: string;
  wageType: 'Fixed' | 'Hourly';
  hourlyRateCents: Cents;
  paymentMethod: 'Direct Deposit' | 'Check';
  workState: string;
  address: Address;
  department: string | null;
  fileNewHireReport: boolean;
  revision: number;
  version: string;
  /** First day of the current (or last) employment. */
  startDate: string;
  /** Last active day of that employment, when a dismissal is recorded. */
  endDate: string | null;
  /** Immediate deactivation (PUT is_active=false): inactive from `endDate` itself. */
  endImmediate: boolean;
  dismissal: { recordedAt: number; effectiveNotified: boolean } | null;
  rehire: {
    startDate: string;
    recordedAt: number;
    effective: boolean;
    previousStart: string;
    previousEnd: string | null;
    previousImmediate: boolean;
  } | null;
  createdAt: number;
}

export interface ContractorPayment {
  uuid: string;
  companyUuid: string;
  contractorUuid: string;
  groupUuid: string | null;
  date: string;
  debitDate: string;
  paymentMethod: ContractorPaymentMethod;
  wageType: 'Fixed' | 'Hourly';
  hourlyRate: Cents;
  hours: Thousandths;
  wage: Cents;
  bonus: Cents;
  reimbursement: Cents;
  status: 'Funded' | 'Unfunded';
  fundedAt: number | null;
  createdAt: number;
}

export interface ContractorPaymentGroup {
  uuid: string;
  companyUuid: string;
  checkDate: string;
  debitDate: string;
  creationToken: string;
  paymentIds: string[];
  createdAt: number;
}

export interface SandboxEvent {
  uuid: string;
  event_type: string;
  resource_type: 'Company';
  resource_uuid: string;
  entity_type: string;
  entity_uuid: string;
  /** Unix seconds. */
  timestamp: number;
}

export type TokenGrant = { kind: 'company'; companyUuid: string } | { kind: 'system' };

export interface WebhookSubscription {
  uuid: string;
  url: string;
  status: 'pending' | 'verified' | 'removed' | 'unreachable';
  subscriptionTypes: string[];
  verificationToken: string;
}
