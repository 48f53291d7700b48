/** Events (`GET /v1/events`), webhook subscriptions and the thin webhook payload; all system-token calls. */
import { z } from 'zod';
import { openEnum, uuidInput } from './common.js';

/** Event types the processes act on; any other type still parses. */
export const KNOWN_EVENT_TYPES = [
  'payroll.calculated',
  'payroll.submitted',
  'payroll.processed',
  'payroll.processing_failed',
  'payroll.updated',
  'payroll.cancelled',
  'contractor_payment.created',
  'contractor_payment.funded',
  'contractor_payment.cancelled',
  'contractor.deactivated',
  'contractor.reactivated',
  'contractor.updated',
] as const;
export const KNOWN_ENTITY_TYPES = [
  'Payroll',
  'ContractorPayment',
  'ContractorPaymentGroup',
  'Contractor',
  'Company',
] as const;

export const SUBSCRIPTION_TYPES = [
  'BankAccount',
  'Company',
  'CompanyBenefit',
  'Contractor',
  'ContractorPayment',
  'Employee',
  'EmployeeBenefit',
  'EmployeeJobCompensation',
  'ExternalPayroll',
  'Form',
  'Location',
  'Notification',
  'Payroll',
  'PayrollSync',
  'PaySchedule',
  'PeopleBatch',
  'Signatory',
] as const;

/** Epoch seconds; accepted as a numeric string too, since some senders quote it. */
const epochSeconds = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/**
 * The thin event Gusto delivers by webhook and lists at /v1/events: ids only, never state, so every
 * receiver re-reads the resource it names.
 */
export const gustoEventSchema = z.looseObject({
  uuid: z.string(),
  event_type: openEnum(KNOWN_EVENT_TYPES),
  resource_type: openEnum(['Company']).nullish(),
  resource_uuid: z.string(),
  entity_type: openEnum(KNOWN_ENTITY_TYPES),
  entity_uuid: z.string(),
  timestamp: epochSeconds,
});
export const eventListSchema = z.array(gustoEventSchema);

export type GustoEvent = z.output<typeof gustoEventSchema>;

export const eventListQuerySchema = z.strictObject({
  startingAfterUuid: uuidInput.optional(),
  resourceUuid: uuidInput.optional(),
  limit: z
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
  eventType: z.string().min(1, 'must not be empty').optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
});
export type EventListQuery = z.input<typeof eventListQuerySchema>;

export const webhookSubscriptionSchema = z.looseObject({
  uuid: z.string(),
  url: z.string().nullish(),
  status: openEnum(['pending', 'verified', 'removed', 'unreachable']).nullish(),
  subscription_types: z.array(openEnum(SUBSCRIPTION_TYPES)).nullish(),
});
export const webhookSubscriptionListSchema = z.array(webhookSubscriptionSchema);
export type WebhookSubscription = z.output<typeof webhookSubscriptionSchema>;

export const webhookSubscriptionCreateSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  subscription_types: z.array(z.enum(SUBSCRIPTION_TYPES)).min(1, 'must name at least one subscription type'),
});
export type WebhookSubscriptionCreate = z.input<typeof webhookSubscriptionCreateSchema>;

/** The token itself is POSTed to the subscription URL; this response only acknowledges the request. */
export const verificationTokenRequestSchema = z.looseObject({ message: z.string().nullish() });

export const webhookVerifySchema = z.strictObject({
  verification_token: z.string().min(1, 'must not be empty'),
});
