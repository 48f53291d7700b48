/**
 * The shape of a company seed spec: sim/seed.json holds the fixtures in this shape, and
 * POST /sandbox/companies accepts the same objects to add companies at run time.
 */
import { z } from 'zod';
import { MONEY_PATTERN } from '../gusto/money.js';

export const BLOCKER_KEYS = [
  'missing_bank_info',
  'missing_bank_verification',
  'missing_federal_tax_setup',
  'missing_employee_setup',
  'needs_onboarding',
  'needs_approval',
  'suspended',
] as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const contractorSpecSchema = z.object({
  /** Stable handle within the company, e.g. "hourly-dd". */
  key: z.string().min(1).optional(),
  type: z.enum(['Individual', 'Business']).default('Individual'),
  first_name: z.string().min(1).optional(),
  last_name: z.string().min(1).optional(),
  business_name: z.string().min(1).optional(),
  wage_type: z.enum(['Hourly', 'Fixed']),
  hourly_rate: z.string().regex(MONEY_PATTERN, 'must be a decimal amount like "62.50"').optional(),
  payment_method: z.enum(['Direct Deposit', 'Check']),
  /** "past": a few funded/issued payments in the last quarter; "none": never paid (deletable). */
  payments: z.enum(['past', 'none']).default('past'),
  /** Dismissed this many days before the seed's "today" (inactive, ready for a rehire). */
  dismissed_days_ago: z.number().int().min(1).max(365).optional(),
});

export const companySpecSchema = z.object({
  key: z.string().min(1).optional(),
  name: z.string().min(1),
  entity_type: z.enum(['LLC', 'C-Corporation', 'S-Corporation', 'Sole proprietor']).default('LLC'),
  location: z.object({
    street_1: z.string().min(1),
    city: z.string().min(1),
    state: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state code'),
    zip: z.string().regex(/^\d{5}$/, 'must be a five-digit ZIP code'),
  }),
  time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/New_York'),
  pay_schedule: z.enum(['biweekly', 'semimonthly']),
  /** Business days from a Direct Deposit contractor payment's debit to its check date. */
  ach_speed_days: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(2),
  employees: z.object({
    salaried_exempt: z.number().int().min(0).max(1000),
    salaried_nonexempt: z.number().int().min(0).max(1000),
    hourly: z.number().int().min(0).max(1000),
    /** How many employees (taken from the end of the list) are paid by check. */
    check_count: z.number().int().min(0).default(0),
  }),
  contractors: z.array(contractorSpecSchema).default([]),
  blockers: z.array(z.enum(BLOCKER_KEYS)).default([]),
});

export const seedFileSchema = z.object({
  companies: z.array(companySpecSchema).min(1),
  /** Companies that cannot run payroll; seeded after the others when the default seed is used. */
  blocked_companies: z.array(companySpecSchema).default([]),
});

export const addCompaniesSchema = z.object({
  companies: z.array(companySpecSchema).max(1000).default([]),
  /** Also generate this many random companies. */
  count: z.number().int().min(0).max(10_000).default(0),
});

export type CompanySpec = z.output<typeof companySpecSchema>;
export type ContractorSpec = z.output<typeof contractorSpecSchema>;
