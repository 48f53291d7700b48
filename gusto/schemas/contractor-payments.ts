/** Single contractor payments: preview, create, get, list, cancel, receipt, fund. */
import { z } from 'zod';
import {
  dateInput,
  hoursInput,
  moneyInput,
  openEnum,
  pageInput,
  receiptHeader,
  uuidInput,
  wireDate,
  wireDecimal,
} from './common.js';

export const CONTRACTOR_PAYMENT_METHODS = ['Direct Deposit', 'Check', 'Historical Payment'] as const;
export const CONTRACTOR_PAYMENT_METHODS_OUT = [...CONTRACTOR_PAYMENT_METHODS, 'Correction Payment'] as const;
export const FUNDING_STATUSES = ['Funded', 'Unfunded'] as const;

// ---------------------------------------------------------------------------------------------
// Responses

const decimalOrNull = wireDecimal.nullish();

/** Amount fields shared by single payments and the payments inside a group. */
export const contractorPaymentAmounts = {
  wage: decimalOrNull,
  hours: decimalOrNull,
  bonus: decimalOrNull,
  reimbursement: decimalOrNull,
  hourly_rate: decimalOrNull,
  wage_total: decimalOrNull,
  wage_type: openEnum(['Hourly', 'Fixed']).nullish(),
};

export const contractorPaymentSchema = z.looseObject({
  uuid: z.string(),
  contractor_uuid: z.string(),
  /** The check date. */
  date: wireDate,
  payment_method: openEnum(CONTRACTOR_PAYMENT_METHODS_OUT),
  /** Funded once the money moved (Direct Deposit); Check and Historical stay Unfunded. */
  status: openEnum(FUNDING_STATUSES),
  may_cancel: z.boolean().nullish(),
  ...contractorPaymentAmounts,
});

export const contractorPaymentPreviewSchema = z.looseObject({ expected_debit_date: wireDate });

/**
 * The list response comes in two shapes (grouped by contractor, or by check date when
 * group_by_date=true); one lenient schema covers both, `check_date` being set only in the latter.
 */
export const contractorPaymentSummarySchema = z.looseObject({
  total: z.looseObject({ reimbursements: decimalOrNull, wages: decimalOrNull }).nullish(),
  contractor_payments: z.array(
    z.looseObject({
      // The spec types this as a number in one variant; ids are strings everywhere else.
      contractor_uuid: z
        .union([z.string(), z.number()])
        .transform((v) => String(v))
        .nullish(),
      check_date: z.string().nullish(),
      reimbursement_total: decimalOrNull,
      wage_total: decimalOrNull,
      payments: z.array(contractorPaymentSchema).nullish(),
    }),
  ),
});

export const contractorPaymentReceiptSchema = z.looseObject({
  contractor_payment_uuid: z.string(),
  ...receiptHeader.shape,
  totals: z.looseObject({ company_debit: decimalOrNull }).nullish(),
  contractor_payments: z
    .array(
      z.looseObject({
        contractor_uuid: z.string().nullish(),
        contractor_first_name: z.string().nullish(),
        contractor_last_name: z.string().nullish(),
        contractor_business_name: z.string().nullish(),
        contractor_type: z.string().nullish(),
        payment_method: openEnum(CONTRACTOR_PAYMENT_METHODS_OUT).nullish(),
        wage: decimalOrNull,
        bonus: decimalOrNull,
        reimbursement: decimalOrNull,
      }),
    )
    .nullish(),
  licensee: z.looseObject({}).nullish(),
});

export type ContractorPayment = z.output<typeof contractorPaymentSchema>;
export type ContractorPaymentPreview = z.output<typeof contractorPaymentPreviewSchema>;
export type ContractorPaymentSummary = z.output<typeof contractorPaymentSummarySchema>;
export type ContractorPaymentReceipt = z.output<typeof contractorPaymentReceiptSchema>;

/** Every payment in a list response, whichever way it was grouped. */
export function flattenContractorPayments(summary: ContractorPaymentSummary): ContractorPayment[] {
  return summary.contractor_payments.flatMap((group) => group.payments ?? []);
}

// ---------------------------------------------------------------------------------------------
// Requests

const paymentAmountsInput = {
  wage: moneyInput.optional(),
  hours: hoursInput.optional(),
  bonus: moneyInput.optional(),
  reimbursement: moneyInput.optional(),
};

export const contractorPaymentCreateSchema = z.strictObject({
  contractor_uuid: uuidInput,
  date: dateInput,
  payment_method: z.enum(CONTRACTOR_PAYMENT_METHODS).optional(),
  ...paymentAmountsInput,
});
export type ContractorPaymentCreate = z.input<typeof contractorPaymentCreateSchema>;

export const contractorPaymentPreviewBodySchema = z.strictObject({
  contractor_payments: z
    .array(
      z.strictObject({
        contractor_uuid: uuidInput,
        date: dateInput,
        payment_method: z.enum(CONTRACTOR_PAYMENT_METHODS).optional(),
        hourly_rate: moneyInput.optional(),
        ...paymentAmountsInput,
      }),
    )
    .min(1, 'must contain at least one payment'),
});
export type ContractorPaymentPreviewBody = z.input<typeof contractorPaymentPreviewBodySchema>;

export const contractorPaymentListQuerySchema = z.strictObject({
  startDate: dateInput,
  endDate: dateInput,
  contractorUuid: uuidInput.optional(),
  groupByDate: z.boolean().optional(),
  ...pageInput.shape,
});
export type ContractorPaymentListQuery = z.input<typeof contractorPaymentListQuerySchema>;
