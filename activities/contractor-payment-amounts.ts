/**
 * Contractor payment amounts, exact in cents and thousandths of an hour: Gusto's records as the narrow
 * views the processes see (ids, methods, statuses, canonical amounts; no names or bank data), and a
 * payment line as the request body Gusto takes.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { fromCents, hoursTimesRate, sumCents, toCents, toThousandths, type Cents } from '../gusto/money.js';
import type {
  ContractorPaymentGroup,
  GroupPayment,
  GroupPaymentInput,
} from '../gusto/schemas/contractor-payment-groups.js';
import type { ContractorPayment } from '../gusto/schemas/contractor-payments.js';
import type { Contractor } from '../gusto/schemas/contractors.js';
import type { GroupView, PaymentLine, PaymentTotals, PaymentView } from '../domain/contractor-payment.js';

const cents = (amount: string | null | undefined): Cents => (amount ? toCents(amount) : 0);

/**
 * Money from Gusto's wire ("740.0", "18.50") to cents; trailing zeros beyond the cent are fine. An
 * amount finer than a cent is not rounded: the step fails for good rather than compute with it.
 */
function wireCents(amount: string | null | undefined): Cents {
  if (!amount) return 0;
  try {
    return toCents(amount.replace(/(\.\d\d)0+$/, '$1'));
  } catch {
    throw ApplicationFailure.nonRetryable(
      `Gusto sent an amount finer than a cent: "${amount}"`,
      'GustoResponseInvalid',
    );
  }
}

export const sameMoney = (a: string | null | undefined, b: string | null | undefined): boolean =>
  wireCents(a) === wireCents(b);
export const sameHours = (a: string | null | undefined, b: string | null | undefined): boolean =>
  (a ? toThousandths(trimZeros(a)) : 0) === (b ? toThousandths(trimZeros(b)) : 0);
const trimZeros = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

/** What a single payment pays, computed as Gusto does: hours × rate + wage + bonus, plus reimbursement. */
export function lineTotals(line: PaymentLine, c: Contractor): PaymentTotals {
  const rate = wireCents(c.hourly_rate);
  const hours = line.hours ? toThousandths(line.hours) : 0;
  const wages = sumCents([
    c.wage_type === 'Hourly' ? hoursTimesRate(hours, rate) : 0,
    cents(line.wage),
    cents(line.bonus),
  ]);
  const reimbursement = cents(line.reimbursement);
  const amount = wages + reimbursement;
  return {
    amount: fromCents(amount),
    wageAmount: fromCents(wages),
    reimbursementAmount: fromCents(reimbursement),
    debitAmount: fromCents(line.paymentMethod === 'Direct Deposit' ? amount : 0),
  };
}

export function groupTotals(
  g: Pick<ContractorPaymentGroup, 'totals' | 'contractor_payments'>,
): PaymentTotals {
  const t = g.totals ?? {};
  const wages = wireCents(t.wage_amount);
  const reimbursement = wireCents(t.reimbursement_amount);
  return {
    amount: fromCents(t.amount ? wireCents(t.amount) : wages + reimbursement),
    wageAmount: fromCents(wages),
    reimbursementAmount: fromCents(reimbursement),
    debitAmount: fromCents(wireCents(t.debit_amount)),
  };
}

// ---- views -----------------------------------------------------------------------------------

export function paymentView(p: ContractorPayment | GroupPayment): PaymentView {
  return {
    paymentId: p.uuid ?? '',
    contractorId: p.contractor_uuid,
    paymentMethod: p.payment_method ?? 'Direct Deposit',
    status: p.status ?? 'Unfunded',
    mayCancel: p.may_cancel === true,
    wageTotal: fromCents(wireCents(p.wage_total)),
    reimbursement: fromCents(wireCents(p.reimbursement)),
  };
}

export function groupView(g: ContractorPaymentGroup): GroupView {
  return {
    groupId: g.uuid,
    checkDate: g.check_date,
    debitDate: g.debit_date ?? undefined,
    status: g.status ?? 'Unfunded',
    creationToken: g.creation_token ?? undefined,
    totals: groupTotals(g),
    payments: (g.contractor_payments ?? []).map(paymentView),
  };
}

/** The request body's amounts, in Gusto's field names, sending only what the caller gave. */
export function wireLine(line: PaymentLine): GroupPaymentInput {
  const body: GroupPaymentInput = { contractor_uuid: line.contractorId, payment_method: line.paymentMethod };
  if (line.hours !== undefined) body.hours = line.hours;
  if (line.wage !== undefined) body.wage = line.wage;
  if (line.bonus !== undefined) body.bonus = line.bonus;
  if (line.reimbursement !== undefined) body.reimbursement = line.reimbursement;
  return body;
}
