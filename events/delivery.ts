/**
 * What the publish activity, the delivery workflow and the client agree on: names, ids and the
 * delivery workflow's input. Pure definitions (workflows import them too).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { OutboundEvent } from './catalogue.js';

export const EVENT_DELIVERY_WORKFLOW = 'eventDeliveryWorkflow';
export const EVENT_SIGNAL = 'outboundEvent';
export const DELIVERY_ID_PREFIX = 'event-delivery:';

/** One delivery workflow per subscriber and entity: that is the unit in which order is kept. */
export const deliveryWorkflowId = (subscriptionId: string, event: Pick<OutboundEvent, 'entity'>): string =>
  `${DELIVERY_ID_PREFIX}${subscriptionId}:${event.entity.type}:${event.entity.id}`;

export interface DeliveryRetry {
  firstMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

/** 5 s doubling to 1 h between attempts, for at least 72 h. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = {
  firstMs: 5_000,
  maxMs: 3_600_000,
  giveUpAfterMs: 72 * 3_600_000,
};

export interface DeliveryInput {
  subscriptionId: string;
  /** Default DEFAULT_DELIVERY_RETRY; tests shorten it. */
  retry?: DeliveryRetry;
}

/**
 * Hands `event` to its subscriber's delivery workflow for the event's entity, starting it if none
 * runs: the one way events get queued (publish activity, test events, replays).
 */
export function enqueueDelivery(
  client: Pick<Client, 'workflow'>,
  taskQueue: string,
  input: DeliveryInput,
  event: OutboundEvent,
): Promise<WorkflowHandle> {
  return client.workflow.signalWithStart(EVENT_DELIVERY_WORKFLOW, {
    workflowId: deliveryWorkflowId(input.subscriptionId, event),
    taskQueue,
    args: [input],
    signal: EVENT_SIGNAL,
    signalArgs: [event],
  });
}
