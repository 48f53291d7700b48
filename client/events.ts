/**
 * Outbound events, for the HTTP API and the CLI: manage subscriptions (create, list, delete, rotate the
 * signing secret, send a test event) and look after deliveries (which are failing, replay what was
 * given up). Secrets are shown once, when created or rotated.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { EVENT_TYPES, EVENT_VERSION, isEventType, type OutboundEvent } from '../events/catalogue.js';
import {
  DELIVERY_ID_PREFIX,
  deliveryWorkflowId,
  enqueueDelivery,
  EVENT_DELIVERY_WORKFLOW,
} from '../events/delivery.js';
import {
  DuplicateSubscriptionError,
  publicView,
  type PublicSubscription,
  type SubscriptionStore,
} from '../events/subscriptions.js';
import { deliveryStateQuery, type DeliveryState } from '../workflows/event-delivery.js';
import { parseInput, ServiceError } from './errors.js';

export interface EventServiceDeps {
  temporal: Client;
  taskQueue: string;
  subscriptions: SubscriptionStore;
  /** Allow http:// URLs outside loopback (EVENTS_ALLOW_INSECURE_URLS; never in production). */
  allowInsecureUrls?: boolean;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

const eventTypeSchema = z
  .string()
  .refine((t) => t === '*' || isEventType(t), `must be * or one of ${Object.keys(EVENT_TYPES).join(', ')}`);

export const createSubscriptionSchema = z.strictObject({
  url: z.url({ error: 'must be an absolute http(s) URL' }).max(2000, 'must be at most 2000 characters'),
  eventTypes: z.array(eventTypeSchema).min(1, 'must name at least one event type (or *)').default(['*']),
  companyIds: z
    .array(z.uuid({ error: 'must be a UUID' }))
    .min(1, 'must not be empty (omit it for all companies)')
    .optional(),
  description: z.string().max(200, 'must be at most 200 characters').optional(),
});

export const subscriptionIdSchema = z.strictObject({
  subscriptionId: z.string().regex(/^sub_[0-9a-f-]{36}$/, 'must be a subscription id (sub_<uuid>)'),
});

/** A subscription with its secret: what create and rotate answer (the only times it is shown). */
export type SubscriptionWithSecret = PublicSubscription & { secret: string };

/** What managing subscriptions needs: the store alone, no Temporal. */
export type SubscriptionDeps = Pick<EventServiceDeps, 'subscriptions' | 'allowInsecureUrls'>;

export async function createSubscription(
  deps: SubscriptionDeps,
  input: unknown,
): Promise<SubscriptionWithSecret> {
  const parsed = parseInput(createSubscriptionSchema, input);
  checkUrl(new URL(parsed.url), deps.allowInsecureUrls ?? false);
  try {
    const sub = await deps.subscriptions.create({
      ...parsed,
      eventTypes: parsed.eventTypes as PublicSubscription['eventTypes'],
    });
    return { ...publicView(sub), secret: sub.secret };
  } catch (err) {
    if (err instanceof DuplicateSubscriptionError) throw new ServiceError('conflict', err.message, 'url');
    throw err;
  }
}

export async function listSubscriptions(deps: SubscriptionDeps): Promise<PublicSubscription[]> {
  return (await deps.subscriptions.list()).map(publicView);
}

export async function deleteSubscription(deps: SubscriptionDeps, ref: unknown): Promise<{ deleted: true }> {
  const { subscriptionId } = parseInput(subscriptionIdSchema, ref);
  if (!(await deps.subscriptions.delete(subscriptionId))) throw notFound(subscriptionId);
  return { deleted: true };
}

/** A new secret; the previous one keeps signing for a day, so receivers can switch without a gap. */
export async function rotateSubscriptionSecret(
  deps: SubscriptionDeps,
  ref: unknown,
): Promise<SubscriptionWithSecret> {
  const { subscriptionId } = parseInput(subscriptionIdSchema, ref);
  const sub = await deps.subscriptions.rotateSecret(subscriptionId);
  if (!sub) throw notFound(subscriptionId);
  return { ...publicView(sub), secret: sub.secret };
}

/**
 * Sends a `test.ping` through the same delivery path as real events and waits up to `waitMs` for the
 * subscriber's answer: `delivered`, or the delivery's state while it retries.
 */
export async function sendTestEvent(
  deps: EventServiceDeps,
  ref: unknown,
  waitMs = 10_000,
): Promise<{ eventId: string; delivered: boolean; delivery: DeliveryState }> {
  const { subscriptionId } = parseInput(subscriptionIdSchema, ref);
  const sub = await deps.subscriptions.get(subscriptionId);
  if (!sub) throw notFound(subscriptionId);
  const id = `evt_${randomUUID()}`;
  const event: OutboundEvent = {
    id,
    type: 'test.ping',
    version: EVENT_VERSION,
    occurredAt: new Date().toISOString(),
    entity: { type: 'test', id, companyId: '' },
    sequence: 1,
    source: {
      workflowId: deliveryWorkflowId(sub.id, { entity: { type: 'test', id, companyId: '' } }),
      runId: '',
    },
    data: { message: 'a test event from the payroll orchestrator' },
  };
  const handle = await enqueueDelivery(deps.temporal, deps.taskQueue, { subscriptionId: sub.id }, event);
  // Polled, not a long-poll on result(): a wait that times out leaves no call behind.
  for (const deadline = Date.now() + waitMs; ; await new Promise((r) => setTimeout(r, 200))) {
    if ((await handle.describe()).status.name !== 'RUNNING') {
      const done = (await handle.result()) as DeliveryState;
      return { eventId: id, delivered: done.delivered === 1, delivery: done };
    }
    if (Date.now() >= deadline) {
      return { eventId: id, delivered: false, delivery: await handle.query(deliveryStateQuery) };
    }
  }
}

export interface DeliveryReport {
  workflowId: string;
  runId: string;
  status: 'running' | 'closed';
  state: DeliveryState;
}

/**
 * Deliveries that need a look: running ones retrying a failing subscriber, and closed ones that gave
 * events up (unless a later run of the same delivery, such as a replay, superseded them). Optionally
 * for one subscription.
 */
export async function listTroubledDeliveries(
  deps: EventServiceDeps,
  ref: unknown = {},
): Promise<DeliveryReport[]> {
  const { subscriptionId } = parseInput(subscriptionIdSchema.partial(), ref);
  const prefix = `${DELIVERY_ID_PREFIX}${subscriptionId ?? ''}`;
  const query =
    `WorkflowType = '${EVENT_DELIVERY_WORKFLOW}' AND WorkflowId STARTS_WITH '${prefix}' AND ` +
    `((ExecutionStatus = 'Running' AND Stage = 'delivery:failing') OR Stage = 'delivery:gave_up')`;
  const reports: DeliveryReport[] = [];
  for await (const wf of deps.temporal.workflow.list({ query })) {
    const handle = deps.temporal.workflow.getHandle(wf.workflowId, wf.runId);
    const running = wf.status.name === 'RUNNING';
    if (!running && (await superseded(deps, wf.workflowId, wf.runId))) continue;
    const state = running
      ? await handle.query(deliveryStateQuery)
      : ((await handle.result()) as DeliveryState);
    reports.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      status: running ? 'running' : 'closed',
      state,
    });
    if (reports.length >= 200) break;
  }
  return reports;
}

/** Sends again every event a subscription's deliveries gave up on, in their order, with their ids. */
export async function replayGivenUp(deps: EventServiceDeps, ref: unknown): Promise<{ replayed: number }> {
  const { subscriptionId } = parseInput(subscriptionIdSchema, ref);
  if (!(await deps.subscriptions.get(subscriptionId))) throw notFound(subscriptionId);
  let replayed = 0;
  for (const report of await listTroubledDeliveries(deps, { subscriptionId })) {
    if (report.status !== 'closed') continue;
    for (const { event } of report.state.givenUp) {
      await enqueueDelivery(deps.temporal, deps.taskQueue, { subscriptionId }, event);
      replayed++;
    }
  }
  return { replayed };
}

async function superseded(deps: EventServiceDeps, workflowId: string, runId: string): Promise<boolean> {
  return (await deps.temporal.workflow.getHandle(workflowId).describe()).runId !== runId;
}

function checkUrl(url: URL, allowInsecure: boolean): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ServiceError('invalid_input', 'url: must be an http(s) URL', 'url');
  }
  if (url.protocol === 'http:' && !allowInsecure && !LOOPBACK.test(url.hostname)) {
    throw new ServiceError(
      'invalid_input',
      `url: must use https outside loopback (got http://${url.hostname}); events carry payroll figures`,
      'url',
    );
  }
  if (url.username || url.password) {
    throw new ServiceError(
      'invalid_input',
      'url: must not carry credentials (the signature authenticates)',
      'url',
    );
  }
}

function notFound(subscriptionId: string): ServiceError {
  return new ServiceError('not_found', `no subscription ${subscriptionId}`, 'subscriptionId');
}
