/** Companies: the one read the processes need (name, status, locations and time zone). */
import { z } from 'zod';
import { openEnum } from './common.js';

export const COMPANY_STATUSES = ['Approved', 'Not Approved', 'Suspended'] as const;

export const companyLocationSchema = z.looseObject({
  street_1: z.string().nullish(),
  street_2: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  zip: z.string().nullish(),
  country: z.string().nullish(),
  active: z.boolean().nullish(),
  inactive: z.boolean().nullish(),
  /** Not in Gusto's schema; the sandbox adds an IANA zone here and on the company. */
  time_zone: z.string().nullish(),
});

export const companySchema = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  trade_name: z.string().nullish(),
  slug: z.string().nullish(),
  ein: z.string().nullish(),
  entity_type: z.string().nullish(),
  company_status: openEnum(COMPANY_STATUSES).nullish(),
  is_suspended: z.boolean().nullish(),
  contractor_only: z.boolean().nullish(),
  tier: z.string().nullish(),
  funding_type: z.string().nullish(),
  pay_schedule_type: z.string().nullish(),
  join_date: z.string().nullish(),
  time_zone: z.string().nullish(),
  locations: z.array(companyLocationSchema).nullish(),
  compensations: z
    .looseObject({
      hourly: z.array(z.looseObject({ name: z.string(), multiple: z.number().nullish() })).nullish(),
      fixed: z.array(z.looseObject({ name: z.string() })).nullish(),
      paid_time_off: z.array(z.looseObject({ name: z.string() })).nullish(),
    })
    .nullish(),
  primary_payroll_admin: z.looseObject({}).nullish(),
  primary_signatory: z.looseObject({}).nullish(),
});

export type Company = z.output<typeof companySchema>;
export type CompanyLocation = z.output<typeof companyLocationSchema>;
