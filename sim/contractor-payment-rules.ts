/**
 * Validation and construction of contractor payments, shared by single payments, groups and their
 * previews. Rules: the contractor belongs to the company and is employed on the date; hourly
 * contractors are paid hours (+ bonus), fixed ones a wage; something must be paid; Direct Deposit
 * needs a contractor set up for it and a check date far enough out for the debit; Historical
 * payments must be in the past; Check payments are dated today or later.
 */
import { z } from 'zod';
import { hoursTimesRate, type Cents, type Thousandths } from '../gusto/money.js';
import { dateIn, GUSTO_TIME_ZONE } from './calendar.js';
import type { Ctx } from './context.js';
import type { ErrorItem } from './errors.js';
import { debitDateFor, earliestCheckDate } from './funding.js';
import type { Company, Contractor, ContractorPayment, ContractorPaymentMethod } from './model.js';
import { hours, money } from './validation.js';

export const paymentMethod = z.enum(['Direct Deposit', 'Check', 'Historical Payment']);

/** One payment as the create and group endpoints take it (amounts as decimal strings or numbers). */
export const paymentInputSchema = z.object({
  contractor_uuid: z.string().min(1),
  payment_method: paymentMethod.default('Direct Deposit'),
  wage: money.optional(),
  hours: hours.optional(),
  bonus: money.optional(),
  reimbursement: money.optional(),
});

export type PaymentInput = z.output<typeof paymentInputSchema>;

export interface PaymentDraft {
  contractor: Contractor;
  date: string;
  method: ContractorPaymentMethod;
  hours: Thousandths;
  wage: Cents;
  bonus: Cents;
  reimbursement: Cents;
}

const invalid = (key: string, message: string): ErrorItem => ({
  error_key: key,
  category: 'invalid_attribute_value',
  message,
});

export const wageTotal = (p: Pick<ContractorPayment, 'hours' | 'hourlyRate' | 'wage' | 'bonus'>): Cents =>
  hoursTimesRate(p.hours, p.hourlyRate) + p.wage + p.bonus;

function amountErrors(c: Contractor, input: PaymentInput): ErrorItem[] {
  const errors: ErrorItem[] = [];
  if (c.wageType === 'Fixed' && ((input.hours ?? 0) > 0 || (input.bonus ?? 0) > 0)) {
    errors.push(
      invalid('hours', 'hours and bonus apply to hourly contractors; pay a fixed contractor a wage.'),
    );
  }
  if (c.wageType === 'Hourly' && (input.wage ?? 0) > 0) {
    errors.push(
      invalid('wage', 'wage applies to fixed contractors; pay an hourly contractor hours (and bonus).'),
    );
  }
  const total =
    (input.wage ?? 0) +
    hoursTimesRate(input.hours ?? 0, c.hourlyRateCents) +
    (input.bonus ?? 0) +
    (input.reimbursement ?? 0);
  if (errors.length === 0 && total <= 0)
    errors.push(invalid('base', 'The payment is empty: enter an amount to pay.'));
  return errors;
}

function employedOn(c: Contractor, date: string): boolean {
  if (date < c.startDate) return false;
  return c.endDate === null || (c.endImmediate ? date < c.endDate : date <= c.endDate);
}

function dateErrors(
  ctx: Ctx,
  company: Company,
  c: Contractor,
  method: ContractorPaymentMethod,
  date: string,
): ErrorItem[] {
  const today = dateIn(ctx.now, company.timeZone);
  if (!employedOn(c, date)) return [invalid('date', `The contractor is not employed on ${date}.`)];
  if (method === 'Historical Payment') {
    return date < today ? [] : [invalid('date', 'A historical payment must be dated in the past.')];
  }
  if (method === 'Check')
    return date >= today ? [] : [invalid('date', 'Record a past payment as a Historical Payment.')];
  const earliest = earliestCheckDate(company, dateIn(ctx.now, GUSTO_TIME_ZONE), ctx.now.getTime());
  if (date < earliest) {
    return [
      invalid('date', `A Direct Deposit payment created now can be paid on ${earliest} at the earliest.`),
    ];
  }
  return [];
}

/** Checks one payment; returns a draft, or the errors that refuse it. */
export function checkPayment(
  ctx: Ctx,
  company: Company,
  input: PaymentInput,
  date: string,
): { draft: PaymentDraft | null; errors: ErrorItem[] } {
  const contractor = ctx.sim.store.contractors.get(input.contractor_uuid);
  if (!contractor || contractor.companyUuid !== company.uuid) {
    return {
      draft: null,
      errors: [invalid('contractor_uuid', `No contractor ${input.contractor_uuid} in this company.`)],
    };
  }
  const errors = [
    ...amountErrors(contractor, input),
    ...dateErrors(ctx, company, contractor, input.payment_method, date),
  ];
  if (input.payment_method === 'Direct Deposit' && contractor.paymentMethod !== 'Direct Deposit') {
    errors.push(
      invalid('payment_method', 'The contractor has no bank account for Direct Deposit; pay by Check.'),
    );
  }
  if (errors.length) return { draft: null, errors };
  return {
    draft: {
      contractor,
      date,
      method: input.payment_method,
      hours: input.hours ?? 0,
      wage: input.wage ?? 0,
      bonus: input.bonus ?? 0,
      reimbursement: input.reimbursement ?? 0,
    },
    errors: [],
  };
}

/** Builds (does not store) the payment record for a checked draft. */
export function paymentFromDraft(
  ctx: Ctx,
  company: Company,
  draft: PaymentDraft,
  groupUuid: string | null,
): ContractorPayment {
  return {
    uuid: ctx.sim.store.rng.uuid(),
    companyUuid: company.uuid,
    contractorUuid: draft.contractor.uuid,
    groupUuid,
    date: draft.date,
    debitDate: debitDateFor(company, draft.method, draft.date),
    paymentMethod: draft.method,
    wageType: draft.contractor.wageType,
    hourlyRate: draft.contractor.wageType === 'Hourly' ? draft.contractor.hourlyRateCents : 0,
    hours: draft.hours,
    wage: draft.wage,
    bonus: draft.bonus,
    reimbursement: draft.reimbursement,
    status: 'Unfunded',
    fundedAt: null,
    createdAt: ctx.now.getTime(),
  };
}

/** Stores a new payment and counts it for the "paid twice?" checks. */
export function recordPayment(ctx: Ctx, payment: ContractorPayment): void {
  const { store } = ctx.sim;
  store.payments.set(payment.uuid, payment);
  if (payment.paymentMethod === 'Direct Deposit') store.pending.payments.add(payment.uuid);
  ctx.sim.counters.bump('payments_per_contractor_date', `${payment.contractorUuid}:${payment.date}`);
}
