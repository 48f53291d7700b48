/**
 * When contractor money moves. A Direct Deposit payment is debited `achSpeedDays` business days
 * before its check date, at 4 pm Pacific — the same instant a payroll due that day is debited — and
 * turns Funded then (or earlier through PUT .../fund). It can be cancelled until 3:30 pm Pacific on
 * its debit date while still Unfunded. Check and Historical payments move no money through Gusto:
 * their debit date is the check date, they stay Unfunded and can always be cancelled.
 *
 * Funding emits `contractor_payment.funded`. Gusto documents only `.created` and `.cancelled` for
 * ContractorPayment subscriptions; this event is the sandbox's stand-in for "the money moved", so a
 * run waiting on funding is woken (it re-reads the payment) the moment a clock move or the demo fund
 * action funds it, instead of sleeping until its real-time timer. Receivers must not rely on it at
 * Gusto: the processes poll after the debit instant either way.
 */
import { addBusinessDays } from '../domain/business-days.js';
import { cancelCutoffOn, debitInstant } from './calendar.js';
import type { Company, ContractorPayment, ContractorPaymentMethod } from './model.js';
import type { Store } from './store.js';

export function debitDateFor(company: Company, method: ContractorPaymentMethod, checkDate: string): string {
  return method === 'Direct Deposit' ? addBusinessDays(checkDate, -company.achSpeedDays) : checkDate;
}

export const fundingInstant = (payment: ContractorPayment): number =>
  debitInstant(payment.debitDate).getTime();

export function mayCancel(payment: ContractorPayment, nowMs: number): boolean {
  if (payment.paymentMethod !== 'Direct Deposit') return true;
  return payment.status === 'Unfunded' && nowMs < cancelCutoffOn(payment.debitDate).getTime();
}

export function markFunded(store: Store, payment: ContractorPayment, atMs: number): void {
  payment.status = 'Funded';
  payment.fundedAt = atMs;
  store.pending.payments.delete(payment.uuid);
  store.emit('contractor_payment.funded', payment.companyUuid, 'ContractorPayment', payment.uuid, atMs);
}

/** Applies funding that the clock has reached. Returns true when the payment changed. */
export function settlePayment(store: Store, payment: ContractorPayment, nowMs: number): boolean {
  if (payment.paymentMethod !== 'Direct Deposit' || payment.status === 'Funded') {
    store.pending.payments.delete(payment.uuid);
    return false;
  }
  const at = fundingInstant(payment);
  if (nowMs < at) return false;
  markFunded(store, payment, at);
  return true;
}

/** Earliest check date a new Direct Deposit payment can have if it is created at `nowMs`. */
export function earliestCheckDate(company: Company, today: string, nowMs: number): string {
  let check = addBusinessDays(today, company.achSpeedDays);
  while (cancelCutoffOn(addBusinessDays(check, -company.achSpeedDays)).getTime() <= nowMs) {
    check = addBusinessDays(check, 1);
  }
  return check;
}
