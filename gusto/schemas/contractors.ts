/** Contractors: get, list, update (versioned), delete, scheduled termination and rehire. */
import { z } from 'zod';
import { dateInput, moneyInput, openEnum, pageInput, wireDate, wireDecimal } from './common.js';

export const CONTRACTOR_INCLUDES = ['company_name', 'portal_invitations'] as const;
export const CONTRACTOR_ONBOARDING_STATUSES = [
  'admin_onboarding_incomplete',
  'admin_onboarding_review',
  'self_onboarding_not_invited',
  'self_onboarding_invited',
  'self_onboarding_started',
  'self_onboarding_review',
  'onboarding_completed',
] as const;

// ---------------------------------------------------------------------------------------------
// Responses

export const contractorSchema = z.looseObject({
  uuid: z.string(),
  company_uuid: z.string().nullish(),
  /** Required for PUT: a stale one gets 409. */
  version: z.string(),
  is_active: z.boolean(),
  type: openEnum(['Individual', 'Business']).nullish(),
  wage_type: openEnum(['Fixed', 'Hourly']).nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  middle_initial: z.string().nullish(),
  business_name: z.string().nullish(),
  email: z.string().nullish(),
  start_date: z.string().nullish(),
  hourly_rate: wireDecimal.nullish(),
  work_state: z.string().nullish(),
  onboarded: z.boolean().nullish(),
  onboarding_status: openEnum(CONTRACTOR_ONBOARDING_STATUSES).nullish(),
  payment_method: openEnum(['Direct Deposit', 'Check']).nullish(),
  department_uuid: z.string().nullish(),
  department: z.string().nullish(),
  /** Scheduled or effective end of the current engagement. */
  dismissal_date: wireDate.nullish(),
  /** A scheduled rehire. */
  upcoming_employment: z.looseObject({ start_date: wireDate, setup_status: z.string().nullish() }).nullish(),
  dismissal_cancellation_eligible: z.boolean().nullish(),
  rehire_cancellation_eligible: z.boolean().nullish(),
});
export const contractorListSchema = z.array(contractorSchema);

export type Contractor = z.output<typeof contractorSchema>;

// ---------------------------------------------------------------------------------------------
// Requests

export const contractorGetQuerySchema = z.strictObject({
  include: z.array(z.enum(CONTRACTOR_INCLUDES)).optional(),
});
export type ContractorGetQuery = z.input<typeof contractorGetQuerySchema>;

export const contractorListQuerySchema = z.strictObject({
  searchTerm: z.string().optional(),
  sortBy: z
    .string()
    .regex(
      /^(created_at|type|onboarding_status|name)(:(asc|desc))?(,(created_at|type|onboarding_status|name)(:(asc|desc))?)*$/,
      'must be created_at, type, onboarding_status or name, optionally with :asc/:desc, comma separated',
    )
    .optional(),
  onboarded: z.boolean().optional(),
  onboardedActive: z.boolean().optional(),
  terminated: z.boolean().optional(),
  terminatedToday: z.boolean().optional(),
  include: z.array(z.enum(CONTRACTOR_INCLUDES)).optional(),
  ...pageInput.shape,
});
export type ContractorListQuery = z.input<typeof contractorListQuerySchema>;

export const contractorUpdateBodySchema = z.strictObject({
  version: z.string({ error: "is required (the contractor's current version)" }).min(1, 'must not be empty'),
  type: z.enum(['Individual', 'Business']).optional(),
  wage_type: z.enum(['Fixed', 'Hourly']).optional(),
  start_date: dateInput.optional(),
  hourly_rate: moneyInput.optional(),
  self_onboarding: z.boolean().optional(),
  email: z.email('must be an email address').optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  middle_initial: z.string().max(1, 'must be a single letter').optional(),
  file_new_hire_report: z.boolean().optional(),
  work_state: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter state code')
    .nullable()
    .optional(),
  ssn: z.string().optional(),
  business_name: z.string().optional(),
  ein: z.string().optional(),
  is_active: z.boolean().optional(),
});
export type ContractorUpdateBody = z.input<typeof contractorUpdateBodySchema>;

export const contractorTerminationSchema = z.strictObject({ endDate: dateInput });
export type ContractorTermination = z.input<typeof contractorTerminationSchema>;

export const contractorRehireSchema = z.strictObject({ startDate: dateInput });
export type ContractorRehire = z.input<typeof contractorRehireSchema>;
