/**
 * Routes of the outbound events: subscriptions and deliveries. Part of the one route table
 * (routes.ts spreads them in), so they are validated and documented like every other route.
 */
import { z } from 'zod';
import * as events from '../events.js';
import { defineRoute, reply, type RouteContext, type RouteSpec } from './route.js';

const SUBSCRIPTIONS = '/v1/event-subscriptions';
const SubscriptionParams = events.subscriptionIdSchema;

const Subscription = z
  .looseObject({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    companyIds: z.array(z.string()).optional(),
    description: z.string().optional(),
    previousExpiresAt: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'EventSubscription' });
const SubscriptionWithSecret = Subscription.extend({
  secret: z.string().describe('whsec_…: shown only now; verify deliveries with it'),
}).meta({ id: 'EventSubscriptionWithSecret' });
const DeliveryState = z
  .looseObject({
    subscriptionId: z.string(),
    stage: z.string(),
    delivered: z.number(),
    skipped: z.number(),
    queued: z.number(),
    givenUp: z.array(z.looseObject({ lastError: z.string(), attempts: z.number(), at: z.string() })),
  })
  .meta({ id: 'EventDeliveryState' });

/** The events functions need the store; the API has one unless events are switched off. */
function eventDeps(ctx: RouteContext): events.EventServiceDeps {
  return { ...ctx, subscriptions: ctx.subscriptions, allowInsecureUrls: ctx.allowInsecureEventUrls };
}

export const eventRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: SUBSCRIPTIONS,
    operationId: 'createEventSubscription',
    summary: 'Subscribe an endpoint to outbound events (the signing secret is in this answer only)',
    tag: 'events',
    body: events.createSubscriptionSchema,
    responses: {
      201: { description: 'Subscribed', schema: SubscriptionWithSecret },
      409: { description: 'The URL is subscribed already' },
    },
    handler: async ({ body }, ctx) => reply(201, await events.createSubscription(eventDeps(ctx), body)),
  }),
  defineRoute({
    method: 'GET',
    path: SUBSCRIPTIONS,
    operationId: 'listEventSubscriptions',
    summary: 'Subscriptions (without secrets)',
    tag: 'events',
    responses: {
      200: { description: 'Subscriptions', schema: z.object({ subscriptions: z.array(Subscription) }) },
    },
    handler: async (_, ctx) => ({ subscriptions: await events.listSubscriptions(eventDeps(ctx)) }),
  }),
  defineRoute({
    method: 'DELETE',
    path: `${SUBSCRIPTIONS}/{subscriptionId}`,
    operationId: 'deleteEventSubscription',
    summary: 'Unsubscribe (events queued for it are dropped)',
    tag: 'events',
    params: SubscriptionParams,
    responses: {
      200: { description: 'Deleted', schema: z.object({ deleted: z.literal(true) }) },
      404: { description: 'No such subscription' },
    },
    handler: async ({ params }, ctx) => events.deleteSubscription(eventDeps(ctx), params),
  }),
  defineRoute({
    method: 'POST',
    path: `${SUBSCRIPTIONS}/{subscriptionId}/rotate-secret`,
    operationId: 'rotateEventSubscriptionSecret',
    summary: 'A new signing secret; the previous one keeps signing for 24 hours',
    tag: 'events',
    params: SubscriptionParams,
    responses: {
      200: { description: 'Rotated', schema: SubscriptionWithSecret },
      404: { description: 'No such subscription' },
    },
    handler: async ({ params }, ctx) => events.rotateSubscriptionSecret(eventDeps(ctx), params),
  }),
  defineRoute({
    method: 'POST',
    path: `${SUBSCRIPTIONS}/{subscriptionId}/test`,
    operationId: 'sendTestEvent',
    summary: 'Send a test.ping through the delivery path; waits up to 10 s for the answer',
    tag: 'events',
    params: SubscriptionParams,
    responses: {
      200: {
        description: 'Delivered, or still retrying (delivered false, with the delivery state)',
        schema: z.object({ eventId: z.string(), delivered: z.boolean(), delivery: DeliveryState }),
      },
      404: { description: 'No such subscription' },
    },
    handler: async ({ params }, ctx) => events.sendTestEvent(eventDeps(ctx), params),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/event-deliveries',
    operationId: 'listTroubledDeliveries',
    summary: 'Deliveries retrying a failing subscriber, and those that gave events up',
    tag: 'events',
    query: SubscriptionParams.partial(),
    responses: {
      200: {
        description: 'Deliveries',
        schema: z.object({
          deliveries: z.array(
            z.object({ workflowId: z.string(), runId: z.string(), status: z.string(), state: DeliveryState }),
          ),
        }),
      },
    },
    handler: async ({ query }, ctx) => ({
      deliveries: await events.listTroubledDeliveries(eventDeps(ctx), query),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: `${SUBSCRIPTIONS}/{subscriptionId}/replay`,
    operationId: 'replayGivenUpEvents',
    summary: 'Send again, with their ids, the events a subscription gave up on',
    tag: 'events',
    params: SubscriptionParams,
    responses: {
      200: { description: 'Queued again', schema: z.object({ replayed: z.number() }) },
      404: { description: 'No such subscription' },
    },
    handler: async ({ params }, ctx) => events.replayGivenUp(eventDeps(ctx), params),
  }),
];
