/**
 * The workflow side of outbound events. A process calls `emit` at the points the partner should hear
 * of; the events are handed, in order, to a local activity that passes them to each subscriber's
 * delivery workflow (workflows/event-delivery.ts). Emitting never waits for a subscriber: a slow or
 * dead receiver cannot hold up a payroll. Before the run ends it awaits `flushed()`, so its last events
 * are handed over before it closes.
 *
 * Event ids come from the workflow's deterministic uuid4, so a replay or retry re-sends the same id.
 */
import { log, patched, proxyLocalActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { EventActivities } from '../activities/events.js';
import { EVENT_VERSION, type EventEntity, type EventType, type OutboundEvent } from '../events/catalogue.js';

const publisher = proxyLocalActivities<EventActivities>({
  startToCloseTimeout: '10 seconds',
  // Until Temporal takes it: an event is never dropped because the frontend was briefly away.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export class Outbox {
  private sequence = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly entity: () => EventEntity) {}

  emit(type: EventType, data: Record<string, unknown>): void {
    if (!patched('outbound-events')) return;
    const { workflowId, runId } = workflowInfo();
    const event: OutboundEvent = {
      id: `evt_${uuid4()}`,
      type,
      version: EVENT_VERSION,
      occurredAt: new Date().toISOString(),
      entity: this.entity(),
      sequence: ++this.sequence,
      source: { workflowId, runId },
      data,
    };
    this.chain = this.chain
      .then(() => publisher.publishEvent(event))
      .catch((err: unknown) => log.warn('outbound event not published', { type, error: err }));
  }

  /** Resolves once every event emitted so far has been handed to its subscribers' deliveries. */
  flushed(): Promise<unknown> {
    return this.chain;
  }
}
