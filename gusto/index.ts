/** Public surface of the Gusto client, for activities, workers, the HTTP API and tests. */
export * from './client.js';
export * from './errors.js';
export * from './money.js';
export * from './rate-limit.js';
export * from './tokens.js';
export * from './webhooks.js';
export { redact, redactValue } from './redact.js';
export { parseRetryAfter } from './http.js';
export { collectPages, iteratePages } from './pagination.js';
export { compensationEditIssues, validateCompensationEdits, utcDate } from './validation.js';
export type { PayrollUpdateOptions } from './resources/payrolls.js';
export type { NowOption } from './resources/context.js';
export * from './schemas/common.js';
export * from './schemas/payrolls.js';
export * from './schemas/contractor-payments.js';
export * from './schemas/contractor-payment-groups.js';
export * from './schemas/contractors.js';
export * from './schemas/companies.js';
export {
  KNOWN_ENTITY_TYPES as EVENT_ENTITY_TYPES,
  SUBSCRIPTION_TYPES,
  eventListQuerySchema,
  eventListSchema,
  webhookSubscriptionCreateSchema,
  webhookSubscriptionSchema,
  type EventListQuery,
  type WebhookSubscription,
  type WebhookSubscriptionCreate,
} from './schemas/events.js';
