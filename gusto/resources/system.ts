/** client.companies, client.events and client.webhookSubscriptions. */
import { companySchema, type Company } from '../schemas/companies.js';
import {
  eventListQuerySchema,
  eventListSchema,
  webhookSubscriptionCreateSchema,
  webhookSubscriptionListSchema,
  webhookSubscriptionSchema,
  webhookVerifySchema,
  type EventListQuery,
  type GustoEvent,
  type WebhookSubscription,
  type WebhookSubscriptionCreate,
} from '../schemas/events.js';
import { registerSecret } from '../redact.js';
import { assertIds, parseInput } from '../validation.js';
import { companyAuth, type ClientContext } from './context.js';

export function companiesApi({ transport }: ClientContext) {
  return {
    async get(companyId: string): Promise<Company> {
      assertIds('companies.get', { companyId });
      return transport.json(
        {
          method: 'GET',
          template: '/v1/companies/{company_id}',
          params: { company_id: companyId },
          auth: companyAuth(companyId),
        },
        companySchema,
      );
    },
  };
}

/** Partner-level events of the last 30 days (system token). The safety net behind webhooks. */
export function eventsApi({ transport }: ClientContext) {
  return {
    async list(query: EventListQuery = {}): Promise<GustoEvent[]> {
      const q = parseInput(eventListQuerySchema, query, 'events.list');
      return transport.json(
        {
          method: 'GET',
          template: '/v1/events',
          auth: 'system',
          query: {
            starting_after_uuid: q.startingAfterUuid,
            resource_uuid: q.resourceUuid,
            limit: q.limit,
            event_type: q.eventType,
            sort_order: q.sortOrder,
          },
        },
        eventListSchema,
      );
    },
  };
}

const SUBSCRIPTIONS = '/v1/webhook_subscriptions';
const SUBSCRIPTION = '/v1/webhook_subscriptions/{webhook_subscription_uuid}';

export function webhookSubscriptionsApi({ transport }: ClientContext) {
  const one = (uuid: string) => ({ params: { webhook_subscription_uuid: uuid }, auth: 'system' as const });

  return {
    /** New subscriptions start `pending`; Gusto then POSTs a verification token to the URL. */
    async create(body: WebhookSubscriptionCreate): Promise<WebhookSubscription> {
      const b = parseInput(webhookSubscriptionCreateSchema, body, 'webhookSubscriptions.create');
      return transport.json(
        { method: 'POST', template: SUBSCRIPTIONS, auth: 'system', body: b },
        webhookSubscriptionSchema,
      );
    },

    async list(): Promise<WebhookSubscription[]> {
      return transport.json(
        { method: 'GET', template: SUBSCRIPTIONS, auth: 'system' },
        webhookSubscriptionListSchema,
      );
    },

    async get(uuid: string): Promise<WebhookSubscription> {
      assertIds('webhookSubscriptions.get', { uuid });
      return transport.json(
        { method: 'GET', template: SUBSCRIPTION, ...one(uuid) },
        webhookSubscriptionSchema,
      );
    },

    /** Asks Gusto to re-send the verification token to the subscription URL. */
    async requestVerificationToken(uuid: string): Promise<void> {
      assertIds('webhookSubscriptions.requestVerificationToken', { uuid });
      // The answer only acknowledges the request (the token goes to the URL), so its body is not read.
      await transport.empty({
        method: 'GET',
        template: `${SUBSCRIPTION}/request_verification_token`,
        ...one(uuid),
      });
    },

    async verify(uuid: string, verificationToken: string): Promise<WebhookSubscription> {
      assertIds('webhookSubscriptions.verify', { uuid });
      registerSecret(verificationToken);
      const body = parseInput(
        webhookVerifySchema,
        { verification_token: verificationToken },
        'webhookSubscriptions.verify',
      );
      return transport.json(
        { method: 'PUT', template: `${SUBSCRIPTION}/verify`, ...one(uuid), body },
        webhookSubscriptionSchema,
      );
    },
  };
}
