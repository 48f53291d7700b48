/**
 * Input schemas of the contractor payment client functions. The HTTP routes validate with the same
 * rules (client/contractor-payments.ts re-exports them), so a bad field is named the same way in the
 * API, the CLI and the typed client.
 */
import { z } from 'zod';
import { isCalendarDate } from '../domain/dates.js';
import { decimalRule, UUID_PATTERN } from '../gusto/schemas/common.js';
import { MAX_PAYMENTS_PER_GROUP, PAYMENT_METHODS } from '../domain/contractor-payment.js';

/** Gusto ids are UUIDs: a malformed one is refused here, naming the field, not by Gusto as a 404. */
const id = (what: string) =>
  z
    .string({ error: `is required (the ${what} id, a UUID)` })
    .regex(UUID_PATTERN, `must be a UUID (the ${what} id)`);

const calendarDate = z
  .string({ error: 'is required (a calendar date YYYY-MM-DD)' })
  .refine(isCalendarDate, 'must be a calendar date in the form YYYY-MM-DD');

function decimal(places: number, example: string) {
  return z.string({ error: `must be a decimal string like "${example}"` }).superRefine((value, ctx) => {
    const rule = decimalRule(value, places, example);
    if (rule) ctx.addIssue({ code: 'custom', message: rule });
  });
}
/** Non-negative, at most 2 decimals, as a string: money is never a float here. */
const money = decimal(2, '1234.50');
const hours = decimal(3, '40.000');

export const paymentMethodSchema = z.enum(PAYMENT_METHODS, {
  error: `must be one of ${PAYMENT_METHODS.join(', ')}`,
});

/** A key the caller chooses; it becomes part of the workflow id, so it is kept to safe characters. */
export const businessKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:@-]{1,120}$/, 'must be 1-120 letters, digits or . _ : @ -');

export const approvalPolicySchema = z.enum(['auto', 'manual'], { error: 'must be auto or manual' });

export const paymentLineSchema = z.strictObject({
  contractorId: id('contractor'),
  paymentMethod: paymentMethodSchema.default('Direct Deposit'),
  hours: hours.optional(),
  hourlyRate: money.optional(),
  wage: money.optional(),
  bonus: money.optional(),
  reimbursement: money.optional(),
});

export const contractorPaymentInputSchema = z
  .strictObject({
    companyId: id('company'),
    date: calendarDate,
    ...paymentLineSchema.shape,
    businessKey: businessKeySchema.optional(),
    approval: approvalPolicySchema.default('auto'),
  })
  .superRefine((input, ctx) => {
    if (input.hours !== undefined && input.wage !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['wage'],
        message: 'give hours (hourly contractor) or wage (fixed), not both',
      });
    }
  });

export const contractorPaymentGroupInputSchema = z.strictObject({
  companyId: id('company'),
  checkDate: calendarDate,
  payments: z
    .array(paymentLineSchema, { error: 'must be a list of payments' })
    .min(1, 'must contain at least one payment')
    .max(MAX_PAYMENTS_PER_GROUP, `must contain at most ${MAX_PAYMENTS_PER_GROUP} payments`)
    .superRefine((lines, ctx) => {
      // Every line of a group is paid on its check date: a second line for the same contractor
      // would be a second payment that day (as a payroll edit may name an employee only once).
      const first = new Map<string, number>();
      lines.forEach((line, i) => {
        const earlier = first.get(line.contractorId);
        if (earlier === undefined) first.set(line.contractorId, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: [i, 'contractorId'],
            message: `contractor ${line.contractorId} is already paid in payments[${earlier}]: one payment per contractor per check date (add the amounts into one line)`,
          });
      });
    }),
  businessKey: businessKeySchema.optional(),
  approval: approvalPolicySchema.default('auto'),
});

export const paymentKindSchema = z.enum(['payment', 'group'], { error: 'must be payment or group' });

/** Names one run: the company, the business key it was started with, and single payment or group. */
export const paymentRefSchema = z.strictObject({
  kind: paymentKindSchema.default('payment'),
  companyId: id('company'),
  businessKey: businessKeySchema,
});

export const approvalSchema = z.strictObject({
  ...paymentRefSchema.shape,
  amount: money.describe('the total the approver saw'),
  debitDate: calendarDate.optional(),
  by: z.string().max(200, 'must be at most 200 characters').optional(),
});

export const cancelSchema = z.strictObject({
  ...paymentRefSchema.shape,
  reason: z.string().max(500, 'must be at most 500 characters').optional(),
  by: z.string().max(200, 'must be at most 200 characters').optional(),
});

export const paymentRangeSchema = z
  .strictObject({ startDate: calendarDate, endDate: calendarDate })
  .refine((r) => r.startDate <= r.endDate, { path: ['endDate'], message: 'must not be before startDate' });

export type PaymentRef = z.input<typeof paymentRefSchema>;
export type PaymentKind = z.output<typeof paymentKindSchema>;
