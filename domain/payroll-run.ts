/**
 * The payroll run's public shapes: its input, the state it reports, and what a person (or a backend
 * service, through client/payroll.ts) sends it. Pure definitions, shared by the workflow, the
 * activities and the client; the messages themselves are in workflows/payroll-run.messages.ts.
 */

export type ReviewPolicy = 'auto' | 'manual';
export type DeadlinePolicy = 'submit_late' | 'stop_and_report';
export type PaymentMethod = 'Direct Deposit' | 'Check';

/**
 * One employee's changes for this payroll. Hours and amounts are decimal strings, keyed by the name
 * Gusto gives the compensation ("Regular Hours", "Overtime", "Bonus"...).
 */
export interface EmployeeEdit {
  employeeId: string;
  /** Hours by hourly compensation name, e.g. { "Regular Hours": "40.000", "Overtime": "2.5" }. */
  hours?: Record<string, string>;
  /** Amounts by fixed compensation name, e.g. { "Bonus": "200.00" }. */
  fixed?: Record<string, string>;
  excluded?: boolean;
  paymentMethod?: PaymentMethod;
}

/** What finding a payroll learns; passed along so the run does not read it again. */
export interface FoundPayroll {
  payrollId: string;
  checkDate: string;
  /** payroll_deadline, ISO instant. */
  deadline: string;
  offCycle: boolean;
  processed: boolean;
  payPeriod?: { startDate: string; endDate: string };
}

export interface DeadlineOptions {
  policy: DeadlinePolicy;
  /** How long before payroll_deadline an unreviewed run raises a warning. */
  warningLeadMinutes: number;
}

export interface PayrollRunInput {
  companyId: string;
  payrollId: string;
  /** Set when the caller already read the payroll (finder, upcoming-payrolls); saves one Gusto call. */
  found?: FoundPayroll;
  edits?: EmployeeEdit[];
  review?: ReviewPolicy;
  deadline?: DeadlineOptions;
  /** Poll Gusto while waiting (the safety net under webhooks). Off only where webhooks are certain. */
  polling?: boolean;
}

export type PayrollStage =
  | 'finding'
  | 'blocked'
  | 'preparing'
  | 'applying_edits'
  | 'calculating'
  | 'awaiting_review'
  | 'submitting'
  | 'processing'
  | 'processing_failed'
  | 'processed'
  | 'complete'
  | 'cancelled'
  | 'rejected'
  | 'stopped';

/** Stages after which no edit is possible: money may already be moving. */
export const SUBMITTED_STAGES: readonly PayrollStage[] = ['submitting', 'processing', 'processed'];
export const FINAL_STAGES: readonly PayrollStage[] = ['complete', 'cancelled', 'rejected', 'stopped'];

/** Totals as Gusto reports them (decimal strings), under Gusto's names, so a reviewer can echo them. */
export interface PayrollTotals {
  company_debit: string;
  /** Net pay of every employee on the payroll, Direct Deposit and check alike. */
  net_pay: string;
  gross_pay: string;
  tax_debit?: string;
  reimbursement_debit?: string;
}

/** The three totals an approval must name. Integer cents, or decimal strings at the client edge. */
export interface SeenTotals {
  company_debit: number;
  net_pay: number;
  gross_pay: number;
}

export interface GustoErrorItem {
  error_key?: string;
  category?: string;
  message?: string;
  metadata?: unknown;
  errors?: GustoErrorItem[];
}

/** A reason Gusto gives for a company not being able to run payroll (GET .../payrolls/blockers). */
export interface PayrollBlockerItem {
  key: string;
  message: string;
}

export interface RunError {
  at: string;
  step: string;
  message: string;
  type?: string;
  /** Gusto's errors[] when Gusto said no (processing_failed, 422...). */
  gustoErrors?: GustoErrorItem[];
}

export interface RunWarning {
  at: string;
  kind: 'deadline_approaching' | 'deadline_passed' | 'submitted_late' | 'stopped_at_deadline' | 'late';
  message: string;
}

export interface ReceiptSummary {
  companyDebit?: string;
  /**
   * Gusto's `net_pay_debit`: the part of net pay the company is debited for Direct Deposits. Not the
   * payroll's net pay (`totals.net_pay`), which also counts employees paid by check.
   */
  netPayDebit?: string;
  debitDate?: string;
  checkDate?: string;
  employees?: number;
}

export interface PayrollRunState {
  companyId: string;
  payrollId: string;
  stage: PayrollStage;
  /** When each stage was last entered (ISO). */
  stageTimes: Partial<Record<PayrollStage, string>>;
  checkDate?: string;
  deadline?: string;
  /** 3:30 pm America/Los_Angeles on the deadline date: the last moment cancel is accepted. */
  cancelCutoff?: string;
  offCycle?: boolean;
  employees?: number;
  totals?: PayrollTotals;
  review: {
    policy: ReviewPolicy;
    decision?: 'approved' | 'rejected' | 'submitted_at_deadline' | 'stopped_at_deadline';
    decidedAt?: string;
    reason?: string;
  };
  /** Edits currently in force (the start input's, replaced per employee by later edits). */
  edits: EmployeeEdit[];
  lastError?: RunError;
  /** Gusto's payroll blockers while the run waits in `blocked` (and since when); gone once cleared. */
  blockers?: { since: string; checkedAt: string; items: PayrollBlockerItem[] };
  warnings: RunWarning[];
  /** Set by a cancel request; `refused` when Gusto would not revert the payroll (the run carries on). */
  cancellation?: { requestedAt: string; reason?: string; gustoCancelled?: boolean; refused?: string };
  gustoCalls: number;
  /** Webhook events received, and those that woke a wait (each costs one read). */
  webhookEvents: number;
  webhookWakeups: number;
  /** How many times the payroll went through prepare → calculate (edits and retries add rounds). */
  rounds: number;
  receipt?: ReceiptSummary;
}

export interface PayrollRunResult {
  outcome: 'complete' | 'cancelled' | 'rejected' | 'stopped';
  state: PayrollRunState;
}

export interface ApproveInput {
  totals: SeenTotals;
  by?: string;
}
export interface RejectInput {
  reason: string;
  by?: string;
}
export interface EditInput {
  edits: EmployeeEdit[];
}
export interface CancelInput {
  reason?: string;
}
export interface CancelResult {
  cancelled: true;
  /** True when Gusto's cancel endpoint reverted a submitted payroll; false when nothing was submitted. */
  gustoCancelled: boolean;
}
