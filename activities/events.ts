/**
 * Outbound events: publish (match an event to the subscriptions that want it and hand it to each
 * one's delivery workflow) and deliver (one signed POST to one subscriber). Retries of a delivery are
 * the delivery workflow's, so it can tell people how a subscriber is doing while it retries.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import got from 'got';
import type { OutboundEvent } from '../events/catalogue.js';
import { enqueueDelivery, type DeliveryRetry } from '../events/delivery.js';
import { signEvent } from '../events/signing.js';
import { signingSecrets, wants, type SubscriptionStore } from '../events/subscriptions.js';
import { recordDeliveryAttempt, type DeliveryResult } from '../observability/metrics.js';

export type DeliveryOutcome = { delivered: true; status: number } | { delivered: false; reason: string };

export interface EventActivityDeps {
  subscriptions: SubscriptionStore;
  /** Per-attempt timeout of a delivery POST. */
  deliveryTimeoutMs?: number;
  /** Handed to new delivery workflows (default: theirs, 72 h). */
  deliveryRetry?: DeliveryRetry;
}

const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

export function createEventActivities(deps: EventActivityDeps) {
  return {
    /**
     * A local activity: finds the subscriptions that want the event and signals it to each one's
     * delivery workflow (started if needed). Signals keep their order, so each subscriber gets an
     * entity's events in sequence. Returns how many subscribers will receive it.
     */
    async publishEvent(event: OutboundEvent): Promise<number> {
      const subs = (await deps.subscriptions.list()).filter((s) =>
        wants(s, event.type, event.entity.companyId),
      );
      const { client, info } = Context.current();
      for (const sub of subs) {
        await enqueueDelivery(
          client,
          info.taskQueue,
          { subscriptionId: sub.id, retry: deps.deliveryRetry },
          event,
        );
      }
      return subs.length;
    },

    /** One signed POST. Any answer but 2xx (or no answer) fails the attempt with a short reason. */
    async deliverEvent(subscriptionId: string, event: OutboundEvent): Promise<DeliveryOutcome> {
      const sub = await deps.subscriptions.get(subscriptionId);
      if (!sub) {
        recordDeliveryAttempt(event.type, 'skipped');
        return { delivered: false, reason: 'the subscription was deleted' };
      }
      const body = JSON.stringify(event);
      const response = await got
        .post(sub.url, {
          body,
          headers: { 'content-type': 'application/json', ...signEvent(event.id, body, signingSecrets(sub)) },
          retry: { limit: 0 },
          timeout: { request: deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS },
          throwHttpErrors: false,
          followRedirect: false,
        })
        .catch((err: unknown) => {
          const code = (err as { code?: string }).code ?? 'error';
          recordDeliveryAttempt(event.type, 'no_answer');
          throw ApplicationFailure.retryable(`no answer from the subscriber (${code})`, 'DeliveryFailed');
        });
      recordDeliveryAttempt(event.type, resultOf(response.statusCode));
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { delivered: true, status: response.statusCode };
      }
      throw ApplicationFailure.retryable(
        `the subscriber answered HTTP ${response.statusCode}`,
        'DeliveryFailed',
      );
    },
  };
}

export type EventActivities = ReturnType<typeof createEventActivities>;

function resultOf(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500) return 'http_5xx';
  return status >= 400 ? 'http_4xx' : 'http_3xx';
}
