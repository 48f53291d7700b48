/** Contractor payment groups: preview, create (idempotent by creation_token), get, list, cancel, fund. */
import { z } from 'zod';
import {
  dateInput,
  hoursInput,
  moneyInput,
  openEnum,
  pageInput,
  uuidInput,
  wireDate,
  wireDecimal,
} from './common.js';
import {
  CONTRACTOR_PAYMENT_METHODS,
  CONTRACTOR_PAYMENT_METHODS_OUT,
  FUNDING_STATUSES,
  contractorPaymentAmounts,
} from './contractor-payments.js';

const decimalOrNull = wireDecimal.nullish();

// ---------------------------------------------------------------------------------------------
// Responses

export const groupPaymentSchema = z.looseObject({
  /** Null in a preview: nothing exists yet. */
  uuid: z.string().nullish(),
  contractor_uuid: z.string(),
  payment_method: openEnum(CONTRACTOR_PAYMENT_METHODS_OUT).nullish(),
  status: openEnum(FUNDING_STATUSES).nullish(),
  may_cancel: z.boolean().nullish(),
  ...contractorPaymentAmounts,
});

const blockerSchema = z.looseObject({
  blocker_type: z.string(),
  blocker_name: z.string().nullish(),
  selected_option: z.string().nullish(),
  status: z.string().nullish(),
});

const groupFields = {
  company_uuid: z.string(),
  check_date: wireDate,
  debit_date: wireDate.nullish(),
  status: openEnum(FUNDING_STATUSES).nullish(),
  creation_token: z.string().nullish(),
  partner_owned_disbursement: z.boolean().nullish(),
  submission_blockers: z.array(blockerSchema).nullish(),
  credit_blockers: z.array(blockerSchema).nullish(),
  totals: z
    .looseObject({
      amount: decimalOrNull,
      debit_amount: decimalOrNull,
      wage_amount: decimalOrNull,
      reimbursement_amount: decimalOrNull,
      check_amount: decimalOrNull,
    })
    .nullish(),
};

export const contractorPaymentGroupSchema = z.looseObject({
  uuid: z.string(),
  ...groupFields,
  /** Absent from list responses (minimal groups). */
  contractor_payments: z.array(groupPaymentSchema).nullish(),
});

export const contractorPaymentGroupPreviewSchema = z.looseObject({
  uuid: z.string().nullish(),
  ...groupFields,
  contractor_payments: z.array(groupPaymentSchema).nullish(),
});

export const contractorPaymentGroupListSchema = z.array(contractorPaymentGroupSchema);

export type ContractorPaymentGroup = z.output<typeof contractorPaymentGroupSchema>;
export type ContractorPaymentGroupPreview = z.output<typeof contractorPaymentGroupPreviewSchema>;
export type GroupPayment = z.output<typeof groupPaymentSchema>;

// ---------------------------------------------------------------------------------------------
// Requests

export const groupPaymentInputSchema = z.strictObject({
  contractor_uuid: uuidInput,
  payment_method: z.enum(CONTRACTOR_PAYMENT_METHODS).optional(),
  wage: moneyInput.optional(),
  hours: hoursInput.optional(),
  bonus: moneyInput.optional(),
  reimbursement: moneyInput.optional(),
});
export type GroupPaymentInput = z.input<typeof groupPaymentInputSchema>;

const groupPayments = z.array(groupPaymentInputSchema).min(1, 'must contain at least one payment');

export const contractorPaymentGroupPreviewBodySchema = z.strictObject({
  check_date: dateInput.optional(),
  contractor_payments: groupPayments,
});
export type ContractorPaymentGroupPreviewBody = z.input<typeof contractorPaymentGroupPreviewBodySchema>;

export const contractorPaymentGroupCreateBodySchema = z.strictObject({
  check_date: dateInput,
  /** Idempotency key: the same token never creates a second group. Derive it from the workflow id. */
  creation_token: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  contractor_payments: groupPayments,
  submission_blockers: z
    .array(
      z.strictObject({
        blocker_type: z.string().min(1, 'must not be empty'),
        selected_option: z.string().min(1, 'must not be empty').nullable(),
      }),
    )
    .optional(),
});
export type ContractorPaymentGroupCreateBody = z.input<typeof contractorPaymentGroupCreateBodySchema>;

export const contractorPaymentGroupListQuerySchema = z.strictObject({
  startDate: dateInput.optional(),
  endDate: dateInput.optional(),
  ...pageInput.shape,
});
export type ContractorPaymentGroupListQuery = z.input<typeof contractorPaymentGroupListQuerySchema>;
