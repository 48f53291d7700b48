/**
 * Delivery of one entity's events to one subscriber, in order. Started (or signalled) by the publish
 * activity; each event is POSTed until the subscriber answers 2xx, retrying with backoff for 72 hours
 * before it is set aside as given up (kept in the result, and replayable). The retries are this
 * workflow's own, so its state tells how a subscriber is doing while it fails: stage `failing`, the
 * attempt count and the last error, also as the Stage search attribute for listings. The run ends when
 * nothing is queued; the entity's next event starts a new one.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { EventActivities } from '../activities/events.js';
import type { OutboundEvent } from '../events/catalogue.js';
import {
  DEFAULT_DELIVERY_RETRY,
  EVENT_SIGNAL,
  type DeliveryInput,
  type DeliveryRetry,
} from '../events/delivery.js';
import { deliveryMetrics } from './metrics.js';
import { CompanyId, Stage } from './search-attributes.js';

/** After this many failed attempts in a row the delivery shows as `failing`. */
const FAILING_AFTER_ATTEMPTS = 3;

export type DeliveryStage = 'delivering' | 'failing' | 'done';

export interface GivenUp {
  event: OutboundEvent;
  attempts: number;
  lastError: string;
  at: string;
}

export interface DeliveryState {
  subscriptionId: string;
  stage: DeliveryStage;
  delivered: number;
  /** Events not sent because the subscription was deleted meanwhile. */
  skipped: number;
  queued: number;
  current?: {
    eventId: string;
    type: string;
    sequence: number;
    attempts: number;
    since: string;
    lastError?: string;
  };
  givenUp: GivenUp[];
}

export const outboundEventSignal = defineSignal<[OutboundEvent]>(EVENT_SIGNAL);
export const deliveryStateQuery = defineQuery<DeliveryState>('state');

const subscriber = proxyActivities<EventActivities>({
  // One attempt per call: the retries are the loop below, so the state can show them.
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

export async function eventDeliveryWorkflow(input: DeliveryInput): Promise<DeliveryState> {
  return new Delivery(input.subscriptionId, input.retry ?? DEFAULT_DELIVERY_RETRY).run();
}

class Delivery {
  private readonly queue: OutboundEvent[] = [];
  private readonly seen = new Set<string>();
  private readonly state: DeliveryState;

  constructor(
    subscriptionId: string,
    private readonly retry: DeliveryRetry,
  ) {
    this.state = { subscriptionId, stage: 'delivering', delivered: 0, skipped: 0, queued: 0, givenUp: [] };
    setHandler(outboundEventSignal, (event) => this.enqueue(event));
    setHandler(deliveryStateQuery, () => ({ ...this.state, queued: this.queue.length }));
  }

  async run(): Promise<DeliveryState> {
    for (let event = this.queue.shift(); event; event = this.queue.shift()) {
      await this.deliver(event);
    }
    this.setStage('done');
    await condition(allHandlersFinished);
    return { ...this.state, queued: 0 };
  }

  /** Events repeat (a retried publish): each id is delivered once per run. */
  private enqueue(event: OutboundEvent): void {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size === 1) upsertSearchAttributes([{ key: CompanyId, value: event.entity.companyId }]);
    this.queue.push(event);
  }

  private async deliver(event: OutboundEvent): Promise<void> {
    const since = new Date();
    const current = {
      eventId: event.id,
      type: event.type,
      sequence: event.sequence,
      attempts: 0,
      since: since.toISOString(),
    };
    this.state.current = current;
    let ended: 'delivered' | 'gave_up' = 'delivered';
    for (let delay = this.retry.firstMs; ; delay = Math.min(delay * 2, this.retry.maxMs)) {
      current.attempts++;
      try {
        const outcome = await subscriber.deliverEvent(this.state.subscriptionId, event);
        if (outcome.delivered) this.state.delivered++;
        else this.state.skipped++;
        break;
      } catch (err) {
        const lastError = reason(err);
        Object.assign(current, { lastError });
        if (current.attempts === FAILING_AFTER_ATTEMPTS) {
          this.setStage('failing');
          deliveryMetrics.failing();
        }
        if (Date.now() + delay - since.getTime() > this.retry.giveUpAfterMs) {
          deliveryMetrics.givenUp(event.type);
          ended = 'gave_up';
          this.state.givenUp.push({
            event,
            attempts: current.attempts,
            lastError,
            at: new Date().toISOString(),
          });
          break;
        }
        await sleep(delay);
      }
    }
    this.state.current = undefined;
    if (this.state.stage === 'failing') {
      deliveryMetrics.recovered(ended);
      this.setStage('delivering');
    }
  }

  private setStage(stage: DeliveryStage): void {
    this.state.stage = stage;
    const shown = stage === 'done' && this.state.givenUp.length > 0 ? 'gave_up' : stage;
    upsertSearchAttributes([{ key: Stage, value: `delivery:${shown}` }]);
  }
}

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause instanceof Error ? cause.message : String(cause);
}
