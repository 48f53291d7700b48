/** Payroll requests and responses (list, show, prepare, update, calculate, submit, cancel, receipt). */
import { z } from 'zod';
import {
  dateInput,
  gustoErrorItemSchema,
  hoursInput,
  moneyInput,
  openEnum,
  pageInput,
  receiptHeader,
  uuidInput,
  wireDate,
  wireDecimal,
} from './common.js';

// ---------------------------------------------------------------------------------------------
// Enumerations

export const PROCESSING_STATUSES = [
  'calculating',
  'calculate_success',
  'submitting',
  'submit_success',
  'processing_failed',
] as const;
export const PAYROLL_LIST_INCLUDES = [
  'taxes',
  'payroll_status_meta',
  'totals',
  'risk_blockers',
  'reversals',
] as const;
export const PAYROLL_SHOW_INCLUDES = [
  'benefits',
  'deductions',
  'taxes',
  'payroll_status_meta',
  'totals',
  'risk_blockers',
  'reversals',
  'payroll_taxes',
] as const;
export const WITHHOLDING_PAY_PERIODS = [
  'Every week',
  'Every other week',
  'Twice per month',
  'Monthly',
  'Quarterly',
  'Semiannually',
  'Annually',
] as const;
export const PAYROLL_BLOCKER_KEYS = [
  'company_ownership_required',
  'contractor_only_company',
  'eftps_in_error',
  'geocode_error',
  'geocode_needed',
  'invalid_signatory',
  'missing_addresses',
  'missing_bank_info',
  'missing_bank_verification',
  'missing_employee_setup',
  'missing_federal_tax_setup',
  'missing_forms',
  'missing_industry_selection',
  'missing_pay_schedule',
  'missing_signatory',
  'missing_state_tax_setup',
  'needs_approval',
  'needs_onboarding',
  'pay_schedule_setup_not_complete',
  'pending_information_request',
  'pending_payroll_review',
  'pending_recovery_case',
  'soft_suspended',
  'suspended',
] as const;

// ---------------------------------------------------------------------------------------------
// Responses

const decimalOrNull = wireDecimal.nullish();

export const fixedCompensationSchema = z.looseObject({
  name: z.string(),
  amount: wireDecimal,
  job_uuid: z.string().nullish(),
});

export const hourlyCompensationSchema = z.looseObject({
  name: z.string(),
  hours: wireDecimal,
  amount: decimalOrNull,
  job_uuid: z.string().nullish(),
  compensation_multiplier: z.number().nullish(),
  flsa_status: z.string().nullish(),
});

const paidTimeOffSchema = z.looseObject({
  name: z.string().nullish(),
  hours: wireDecimal,
  final_payout_unused_hours_input: decimalOrNull,
});

const reimbursementSchema = z.looseObject({
  amount: wireDecimal,
  uuid: z.string().nullish(),
  description: z.string().nullish(),
  recurring: z.boolean().nullish(),
});

const deductionSchema = z.looseObject({
  name: z.string().nullish(),
  amount: wireDecimal,
  amount_type: openEnum(['fixed', 'percent']).nullish(),
  uuid: z.string().nullish(),
});

const taxLineSchema = z.looseObject({
  name: z.string(),
  employer: z.boolean().nullish(),
  amount: wireDecimal,
});

const benefitLineSchema = z.looseObject({
  name: z.string().nullish(),
  employee_deduction: decimalOrNull,
  company_contribution: decimalOrNull,
  imputed: z.boolean().nullish(),
});

export const employeeCompensationSchema = z.looseObject({
  employee_uuid: z.string(),
  /** Present on prepared/updated payrolls; the token for optimistic concurrency on update. */
  version: z.string().nullish(),
  excluded: z.boolean().nullish(),
  first_name: z.string().nullish(),
  preferred_first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  gross_pay: decimalOrNull,
  net_pay: decimalOrNull,
  check_amount: decimalOrNull,
  payment_method: openEnum(['Direct Deposit', 'Check', 'Historical']).nullish(),
  memo: z.string().nullish(),
  fixed_compensations: z.array(fixedCompensationSchema).nullish(),
  hourly_compensations: z.array(hourlyCompensationSchema).nullish(),
  paid_time_off: z.array(paidTimeOffSchema).nullish(),
  reimbursements: z.array(reimbursementSchema).nullish(),
  deductions: z.array(deductionSchema).nullish(),
  taxes: z.array(taxLineSchema).nullish(),
  benefits: z.array(benefitLineSchema).nullish(),
});

export const payrollTotalsSchema = z.looseObject({
  company_debit: decimalOrNull,
  net_pay_debit: decimalOrNull,
  tax_debit: decimalOrNull,
  reimbursement_debit: decimalOrNull,
  child_support_debit: decimalOrNull,
  reimbursements: decimalOrNull,
  net_pay: decimalOrNull,
  gross_pay: decimalOrNull,
  employee_bonuses: decimalOrNull,
  employee_commissions: decimalOrNull,
  employee_cash_tips: decimalOrNull,
  employee_paycheck_tips: decimalOrNull,
  additional_earnings: decimalOrNull,
  owners_draw: decimalOrNull,
  check_amount: decimalOrNull,
  employer_taxes: decimalOrNull,
  employee_taxes: decimalOrNull,
  benefits: decimalOrNull,
  employee_benefits_deductions: decimalOrNull,
  imputed_pay: decimalOrNull,
  deferred_payroll_taxes: decimalOrNull,
  other_deductions: decimalOrNull,
});

export const processingRequestSchema = z.looseObject({
  status: openEnum(PROCESSING_STATUSES).nullish(),
  errors: z.array(gustoErrorItemSchema).nullish(),
});

export const payrollStatusMetaSchema = z.looseObject({
  cancellable: z.boolean().nullish(),
  expected_check_date: z.string().nullish(),
  initial_check_date: z.string().nullish(),
  expected_debit_time: z.string().nullish(),
  payroll_late: z.boolean().nullish(),
  initial_debit_cutoff_time: z.string().nullish(),
});

const submissionBlockerSchema = z.looseObject({
  blocker_type: z.string(),
  blocker_name: z.string().nullish(),
  unblock_options: z.array(z.looseObject({ unblock_type: z.string() })).nullish(),
  selected_option: z.string().nullish(),
  status: openEnum(['unresolved', 'pending_review', 'resolved', 'failed']).nullish(),
});

const payrollFields = z.looseObject({
  payroll_uuid: z.string().optional(),
  uuid: z.string().optional(),
  company_uuid: z.string(),
  processed: z.boolean(),
  check_date: wireDate,
  /** Date-time (with offset) by which the payroll must be submitted. */
  payroll_deadline: z.string().nullish(),
  processed_date: z.string().nullish(),
  calculated_at: z.string().nullish(),
  created_at: z.string().nullish(),
  off_cycle: z.boolean().nullish(),
  off_cycle_reason: z.string().nullish(),
  auto_payroll: z.boolean().nullish(),
  external: z.boolean().nullish(),
  final_termination_payroll: z.boolean().nullish(),
  withholding_pay_period: openEnum(WITHHOLDING_PAY_PERIODS).nullish(),
  skip_regular_deductions: z.boolean().nullish(),
  fixed_withholding_rate: z.boolean().nullish(),
  pay_period: z
    .looseObject({ start_date: wireDate, end_date: wireDate, pay_schedule_uuid: z.string().nullish() })
    .nullish(),
  payroll_status_meta: payrollStatusMetaSchema.nullish(),
  totals: payrollTotalsSchema.nullish(),
  company_taxes: z.array(taxLineSchema).nullish(),
  payroll_taxes: z.array(taxLineSchema).nullish(),
  submission_blockers: z.array(submissionBlockerSchema).nullish(),
  credit_blockers: z.array(submissionBlockerSchema).nullish(),
  processing_request: processingRequestSchema.nullish(),
  partner_owned_disbursement: z.boolean().nullish(),
  employee_compensations: z.array(employeeCompensationSchema).nullish(),
  /** On prepared payrolls: the company's fixed compensation names an update may set. */
  fixed_compensation_types: z.array(z.looseObject({ name: z.string() })).nullish(),
});

/**
 * A payroll as list/show/prepare/update/cancel return it. Gusto sends the id as both `uuid` and
 * `payroll_uuid`; either is accepted and `payroll_uuid` is always set on the parsed value.
 */
export const payrollSchema = payrollFields
  .refine((p) => typeof (p.payroll_uuid ?? p.uuid) === 'string', {
    message: 'is required (payroll_uuid or uuid)',
    path: ['payroll_uuid'],
  })
  .transform((p) => ({ ...p, payroll_uuid: (p.payroll_uuid ?? p.uuid) as string }));

export const payrollListSchema = z.array(payrollSchema);

export const payrollBlockerSchema = z.looseObject({
  key: openEnum(PAYROLL_BLOCKER_KEYS),
  message: z.string().nullish(),
});
export const payrollBlockerListSchema = z.array(payrollBlockerSchema);

export const payrollReceiptSchema = z.looseObject({
  payroll_uuid: z.string(),
  ...receiptHeader.shape,
  totals: z
    .looseObject({
      company_debit: decimalOrNull,
      net_pay_debit: decimalOrNull,
      child_support_debit: decimalOrNull,
      reimbursement_debit: decimalOrNull,
      tax_debit: decimalOrNull,
    })
    .nullish(),
  taxes: z.array(z.looseObject({ name: z.string(), amount: wireDecimal })).nullish(),
  employee_compensations: z
    .array(
      z.looseObject({
        employee_uuid: z.string(),
        employee_first_name: z.string().nullish(),
        employee_last_name: z.string().nullish(),
        payment_method: openEnum(['Direct Deposit', 'Check']).nullish(),
        net_pay: decimalOrNull,
        total_tax: decimalOrNull,
        total_garnishments: decimalOrNull,
        child_support_garnishment: decimalOrNull,
        total_reimbursement: decimalOrNull,
      }),
    )
    .nullish(),
  licensee: z.looseObject({}).nullish(),
});

export type Payroll = z.output<typeof payrollSchema>;
export type EmployeeCompensation = z.output<typeof employeeCompensationSchema>;
export type PayrollTotals = z.output<typeof payrollTotalsSchema>;
export type ProcessingRequest = z.output<typeof processingRequestSchema>;
export type PayrollBlocker = z.output<typeof payrollBlockerSchema>;
export type PayrollReceipt = z.output<typeof payrollReceiptSchema>;

// ---------------------------------------------------------------------------------------------
// Requests

/** One page of at most 100 payroll objects; Gusto's own limit. */
export const payrollListQuerySchema = z.strictObject({
  processingStatuses: z.array(z.enum(['processed', 'unprocessed'])).optional(),
  payrollTypes: z.array(z.enum(['regular', 'off_cycle', 'external'])).optional(),
  include: z.array(z.enum(PAYROLL_LIST_INCLUDES)).optional(),
  startDate: dateInput.optional(),
  endDate: dateInput.optional(),
  dateFilterBy: z.enum(['check_date']).optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
  ...pageInput.shape,
});
export type PayrollListQuery = z.input<typeof payrollListQuerySchema>;

const sortByInput = z
  .string()
  .regex(
    /^(first_name|last_name)(:(asc|desc))?(,(first_name|last_name)(:(asc|desc))?)*$/,
    'must be first_name or last_name, optionally with :asc/:desc, comma separated',
  );

export const payrollGetQuerySchema = z.strictObject({
  include: z.array(z.enum(PAYROLL_SHOW_INCLUDES)).optional(),
  sortBy: sortByInput.optional(),
  ...pageInput.shape,
});
export type PayrollGetQuery = z.input<typeof payrollGetQuerySchema>;

export const payrollPrepareSchema = z.strictObject({
  employeeUuids: z.array(uuidInput).optional(),
  sortBy: sortByInput.optional(),
  ...pageInput.shape,
});
export type PayrollPrepareOptions = z.input<typeof payrollPrepareSchema>;

/** Gusto accepts at most this many employee compensations in one update call. */
export const MAX_COMPENSATIONS_PER_UPDATE = 100;

const fixedCompensationEdit = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  amount: moneyInput,
  job_uuid: uuidInput.optional(),
});

const hourlyCompensationEdit = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  hours: hoursInput,
  job_uuid: uuidInput.optional(),
});

const paidTimeOffEdit = z
  .strictObject({
    name: z.string().min(1, 'must not be empty').optional(),
    policy_uuid: uuidInput.optional(),
    hours: hoursInput,
    final_payout_unused_hours_input: hoursInput.nullable().optional(),
  })
  .refine((p) => (p.name === undefined) !== (p.policy_uuid === undefined), {
    message: 'must name the time off by exactly one of name or policy_uuid',
  });

const deductionEdit = z.strictObject({
  name: z.string().min(1, 'must not be empty').optional(),
  // The spec types deduction amounts as JSON numbers (a percent or dollars); a decimal string is
  // also accepted so callers never have to hold money in a float.
  amount: z.union([z.number().finite().nonnegative('must not be negative'), moneyInput]),
  amount_type: z.enum(['fixed', 'percent']).optional(),
  uuid: uuidInput.optional(),
});

const reimbursementEdit = z.strictObject({
  amount: moneyInput,
  description: z.string().optional(),
  uuid: uuidInput.optional(),
});

/** One employee's changes, in Gusto's wire shape (the body item of PUT .../payrolls/{id}). */
export const employeeCompensationEditSchema = z.strictObject({
  employee_uuid: uuidInput,
  /** The version from the prepared payroll: a stale one gets 409 instead of overwriting. */
  version: z
    .string({ error: 'is required (the version from the prepared payroll)' })
    .min(1, 'must not be empty'),
  excluded: z.boolean().optional(),
  payment_method: z.enum(['Direct Deposit', 'Check']).optional(),
  memo: z.string().optional(),
  fixed_compensations: z.array(fixedCompensationEdit).optional(),
  hourly_compensations: z.array(hourlyCompensationEdit).optional(),
  deductions: z.array(deductionEdit).optional(),
  paid_time_off: z.array(paidTimeOffEdit).optional(),
  reimbursements: z.array(reimbursementEdit).optional(),
});
export type EmployeeCompensationEdit = z.input<typeof employeeCompensationEditSchema>;

const noDuplicateEmployees = (edits: readonly { employee_uuid: string }[], ctx: z.RefinementCtx): void => {
  const seen = new Map<string, number>();
  edits.forEach((edit, i) => {
    const first = seen.get(edit.employee_uuid);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'employee_uuid'],
        message: `duplicates entry ${first}: one entry per employee per update`,
      });
    } else seen.set(edit.employee_uuid, i);
  });
};

const payrollOptionsShape = {
  withholding_pay_period: z.enum(WITHHOLDING_PAY_PERIODS).optional(),
  skip_regular_deductions: z.boolean().optional(),
  fixed_withholding_rate: z.boolean().optional(),
};

/** The body of one PUT: what `payrolls.updateChunk` sends as is. */
export const payrollUpdateBodySchema = z.strictObject({
  employee_compensations: z
    .array(employeeCompensationEditSchema)
    .min(1, 'must contain at least one employee compensation')
    .max(
      MAX_COMPENSATIONS_PER_UPDATE,
      `must contain at most ${MAX_COMPENSATIONS_PER_UPDATE} employee compensations per call (payrolls.update splits larger sets)`,
    )
    .superRefine(noDuplicateEmployees),
  ...payrollOptionsShape,
});
export type PayrollUpdateBody = z.input<typeof payrollUpdateBodySchema>;

/** What `payrolls.update` takes: any number of edits, split into calls of at most 100. */
export const payrollUpdateInputSchema = z.strictObject({
  employeeCompensations: z
    .array(employeeCompensationEditSchema)
    .min(1, 'must contain at least one employee compensation')
    .superRefine(noDuplicateEmployees),
  withholdingPayPeriod: payrollOptionsShape.withholding_pay_period,
  skipRegularDeductions: payrollOptionsShape.skip_regular_deductions,
  fixedWithholdingRate: payrollOptionsShape.fixed_withholding_rate,
});
export type PayrollUpdateInput = z.input<typeof payrollUpdateInputSchema>;

export const payrollSubmitBodySchema = z.strictObject({
  submission_blockers: z
    .array(
      z.strictObject({
        blocker_type: z.string().min(1, 'must not be empty'),
        selected_option: z.string().min(1, 'must not be empty'),
      }),
    )
    .optional(),
});
export type PayrollSubmitBody = z.input<typeof payrollSubmitBodySchema>;

/** Gusto's reasons for an off-cycle payroll (POST /v1/companies/{company_id}/payrolls). */
export const OFF_CYCLE_REASONS = [
  'Bonus',
  'Correction',
  'Adhoc',
  'Dismissed employee',
  'Transition from old pay schedule',
] as const;

export const offCycleCreateBodySchema = z.strictObject({
  off_cycle: z.literal(true),
  off_cycle_reason: z.enum(OFF_CYCLE_REASONS),
  start_date: dateInput,
  end_date: dateInput,
  pay_schedule_uuid: z.string().optional(),
  employee_uuids: z.array(z.string()).nullish(),
  check_date: dateInput.optional(),
  withholding_pay_period: z.enum(WITHHOLDING_PAY_PERIODS).optional(),
  skip_regular_deductions: z.boolean().optional(),
  fixed_withholding_rate: z.boolean().optional(),
  is_check_only_payroll: z.boolean().optional(),
});
export type OffCycleCreateBody = z.input<typeof offCycleCreateBodySchema>;
