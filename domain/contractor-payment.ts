/**
 * Shapes and rules of the contractor payment processes (one payment, or a group), shared by the
 * workflows, their activities, the typed client, the HTTP API and the tests. Pure: no I/O, no zod;
 * the messages themselves are in workflows/contractor-payment.messages.ts.
 */
import type { GustoErrorItem } from '../gusto/errors.js';
import { cancelCutoff, zonedTimeToInstant } from './dates.js';

export const PAYMENT_METHODS = ['Direct Deposit', 'Check', 'Historical Payment'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * No published limit: neither the 2025-11-15 OpenAPI spec nor the endpoint digest caps
 * `contractor_payments` in a group. We cap at Gusto's page size (100), the largest batch the API
 * handles elsewhere (payroll updates, list pages), so a group can always be read back in one page.
 */
export const MAX_PAYMENTS_PER_GROUP = 100;

/** `manual` holds the run after the preview until someone approves the totals they saw. */
export type ApprovalPolicy = 'auto' | 'manual';

/** One payment as the caller asks for it. Amounts are exact decimal strings ("1234.50"). */
export interface PaymentLine {
  contractorId: string;
  paymentMethod: PaymentMethod;
  /** Hourly contractors: hours worked (up to 3 decimals). */
  hours?: string;
  /** Hourly contractors, optional: must equal the rate on file, which is what Gusto pays. */
  hourlyRate?: string;
  /** Fixed-wage contractors: the amount regardless of hours. */
  wage?: string;
  bonus?: string;
  reimbursement?: string;
}

export interface ContractorPaymentInput extends PaymentLine {
  companyId: string;
  /** The payment (check) date. */
  date: string;
  /** What makes this payment one payment: the workflow id is built from it. */
  businessKey: string;
  approval?: ApprovalPolicy;
}

export interface ContractorPaymentGroupInput {
  companyId: string;
  checkDate: string;
  businessKey: string;
  payments: PaymentLine[];
  approval?: ApprovalPolicy;
}

/** Canonical decimal strings ("1234.50"), so equal amounts compare equal as text. */
export interface PaymentTotals {
  /** Everything the contractors receive: wages, bonuses and reimbursements. */
  amount: string;
  wageAmount: string;
  reimbursementAmount: string;
  /** What Gusto debits from the company by ACH (the Direct Deposit part). */
  debitAmount: string;
}

/** A payment as Gusto reports it, reduced to what the processes use. */
export interface PaymentView {
  paymentId: string;
  contractorId: string;
  paymentMethod: string;
  status: string;
  mayCancel: boolean;
  wageTotal?: string;
  reimbursement?: string;
}

export interface GroupView {
  groupId: string;
  checkDate: string;
  debitDate?: string;
  status: string;
  creationToken?: string;
  totals: PaymentTotals;
  payments: PaymentView[];
}

/** Gusto's receipt for a funded Direct Deposit payment, as returned by the API. */
export type PaymentReceipt = Record<string, unknown> & { contractor_payment_uuid: string };

/**
 * A receipt's figures, in integer cents: what the `state` query, the API and the CLI show. No names
 * (the receipt itself, in the run's result, carries the sender's and recipient's).
 */
export interface ReceiptFigures {
  paymentId: string;
  contractorId?: string;
  debitDate?: string;
  /** What Gusto debited from the company for this payment. */
  companyDebitCents?: number;
  wageCents?: number;
  bonusCents?: number;
  reimbursementCents?: number;
}

export type Stage =
  | 'validating'
  | 'previewing'
  | 'awaiting_approval'
  | 'creating'
  | 'awaiting_funding'
  | 'fetching_receipts'
  | 'cancelling'
  | 'completed'
  | 'funded'
  | 'cancelled'
  | 'failed';

export interface LastError {
  message: string;
  /** The failure type: GustoUnprocessable, GustoNotFound, InvalidInput, ... */
  type?: string;
  /** Gusto's errors[] when Gusto said no. */
  errors?: GustoErrorItem[];
  at: string;
}

interface CommonState {
  stage: Stage;
  /** When each stage was last entered (ISO), by the run's clock: what `--wait` streams. */
  stageTimes?: Partial<Record<Stage, string>>;
  companyId: string;
  approval: ApprovalPolicy;
  totals?: PaymentTotals;
  debitDate?: string;
  /** 3:30 pm America/Los_Angeles on the debit date, ISO; only Direct Deposit is bound by it. */
  cancelCutoff?: string;
  fundingStatus?: string;
  approvedBy?: string;
  cancelReason?: string;
  lastError?: LastError;
  /** Activity calls to Gusto, by step (a poll counts once however many reads it made). */
  gustoCalls: Record<string, number>;
  /** Webhook events received (they only wake the run; it re-reads Gusto). */
  events: number;
  /** Things an operator should know that did not stop the run (e.g. an adopted payment). */
  notes: string[];
}

export interface ContractorPaymentState extends CommonState {
  contractorId: string;
  date: string;
  paymentMethod: PaymentMethod;
  /** The payment as requested (a second start with the same key must ask for the same). */
  request: PaymentLine;
  paymentId?: string;
  mayCancel?: boolean;
  /** Once funded: the receipt's figures. */
  receipt?: ReceiptFigures;
}

export interface ContractorPaymentGroupState extends CommonState {
  checkDate: string;
  /** The payments as requested. */
  request: PaymentLine[];
  groupId?: string;
  creationToken?: string;
  payments: PaymentView[];
  /** True only when every payment in the group may be cancelled. */
  mayCancel?: boolean;
  /** Once funded: one per funded (Direct Deposit) payment. */
  receipts?: ReceiptFigures[];
}

export type Outcome = 'funded' | 'completed' | 'cancelled';

export interface ContractorPaymentResult {
  /** funded: Direct Deposit paid out; completed: Check/Historical recorded; cancelled. */
  outcome: Outcome;
  paymentId?: string;
  totals?: PaymentTotals;
  debitDate?: string;
  /** Only funded Direct Deposit payments have one. */
  receipt?: PaymentReceipt;
}

export interface ContractorPaymentGroupResult {
  outcome: Outcome;
  groupId?: string;
  totals?: PaymentTotals;
  debitDate?: string;
  /** One per funded payment (Direct Deposit lines); Check and Historical lines have none. */
  receipts: PaymentReceipt[];
}

export interface Approval {
  /** The total the approver saw (`totals.amount`); a different current total refuses the approval. */
  amount: string;
  /** Optional: the debit date they saw. */
  debitDate?: string;
  by?: string;
}

export interface CancelRequest {
  reason?: string;
  by?: string;
}

export interface CancelResult {
  cancelled: true;
  /** False when nothing had been created at Gusto yet: the run just stops. */
  deletedAtGusto: boolean;
}

/** Resolves once the run has validated and previewed (or ended): lets a starter report bad input. */

// ---------------------------------------------------------------------------------------------
// Pure rules, shared by the workflows' update validators and anyone who wants to explain them.

/** "1234.5" → "1234.50", "007" → "7.00"; undefined for anything that is not a plain decimal. */
export function canonicalAmount(text: string): string | undefined {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  return `${whole}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/**
 * Gusto debits the company at its 4 pm Pacific deadline on the debit date (the sandbox does the
 * same); a Direct Deposit payment cannot be funded before that instant, so the run sleeps until then.
 */
export const fundingExpectedAt = (debitDate: string): Date =>
  zonedTimeToInstant(debitDate, 16, 0, 'America/Los_Angeles');

/** Check and Historical payments move no money through Gusto, so they can always be cancelled. */
export const movesMoney = (method: string): boolean => method === 'Direct Deposit';

/**
 * Why Gusto would refuse to cancel these payments now, or undefined if it can be done. Gusto's
 * own answer (a 422 on DELETE) stays the final word; this is the guard that explains the rule.
 */
export function cancelRefusal(
  payments: readonly PaymentView[],
  debitDate: string | undefined,
  now: Date,
): string | undefined {
  const ach = payments.filter((p) => movesMoney(p.paymentMethod));
  const funded = ach.find((p) => p.status === 'Funded');
  if (funded)
    return `payment ${funded.paymentId} is funded: funded payments cannot be cancelled (contact Gusto)`;
  const started = ach.find((p) => !p.mayCancel);
  if (started) return `payment ${started.paymentId} has started processing (Gusto reports may_cancel false)`;
  if (ach.length > 0 && debitDate) {
    const cutoff = cancelCutoff(debitDate);
    if (now.getTime() >= cutoff.getTime()) {
      return `the cancel cutoff has passed: 3:30 pm America/Los_Angeles on the debit date ${debitDate} (${cutoff.toISOString()})`;
    }
  }
  return undefined;
}

/**
 * Gusto's wire money ("740.0", "18.500") in integer cents; undefined when absent or not a plain
 * amount. (Workflow code keeps out of gusto/, so the few lines of parsing live here.)
 */
function wireCents(amount: unknown): number | undefined {
  if (typeof amount !== 'string' && typeof amount !== 'number') return undefined;
  const m = /^(\d+)(?:\.(\d{1,2})0*)?$/.exec(String(amount).trim());
  if (!m) return undefined;
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** The figures of Gusto's contractor payment receipt (its totals and its one payment line). */
export function receiptFigures(receipt: PaymentReceipt): ReceiptFigures {
  const totals = receipt.totals as { company_debit?: unknown } | undefined;
  const lines = receipt.contractor_payments as Array<Record<string, unknown>> | undefined;
  const line = Array.isArray(lines) ? lines[0] : undefined;
  const figures: ReceiptFigures = { paymentId: receipt.contractor_payment_uuid };
  const set = <K extends keyof ReceiptFigures>(key: K, value: ReceiptFigures[K] | undefined) => {
    if (value !== undefined) figures[key] = value;
  };
  set('contractorId', typeof line?.contractor_uuid === 'string' ? line.contractor_uuid : undefined);
  set('debitDate', typeof receipt.debit_date === 'string' ? receipt.debit_date : undefined);
  set('companyDebitCents', wireCents(totals?.company_debit));
  set('wageCents', wireCents(line?.wage));
  set('bonusCents', wireCents(line?.bonus));
  set('reimbursementCents', wireCents(line?.reimbursement));
  return figures;
}
