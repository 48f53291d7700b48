/**
 * Webhooks: subscriptions (system token) with Gusto's verification handshake, and delivery of thin
 * events to verified subscriptions. On create (and on request_verification_token) the sandbox POSTs
 * `{verification_token, webhook_subscription_uuid}` to the URL; PUT .../verify with that token
 * activates the subscription. Deliveries carry `X-Gusto-Signature`: hex HMAC-SHA256 of the raw body
 * keyed by the subscription's verification token. They run off the request path (timers), are retried
 * on failure, and can be duplicated or reordered on purpose (PUT /sandbox/config).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { SUBSCRIPTION_TYPES } from '../gusto/schemas/events.js';
import { json, noContent, type Ctx, type Reply, type RouteDef, type WebhookConfig } from './context.js';
import { invalidAttribute, notFound } from './errors.js';
import type { SandboxEvent, WebhookSubscription } from './model.js';
import type { Prng } from './prng.js';
import type { Store } from './store.js';
import { parseBody } from './validation.js';

/** Which subscription type an event's entity belongs to. */
const TYPE_OF_ENTITY: Record<string, string> = {
  Payroll: 'Payroll',
  Contractor: 'Contractor',
  ContractorPayment: 'ContractorPayment',
  ContractorPaymentGroup: 'ContractorPayment',
};

const DELIVERY_TIMEOUT_MS = 5_000;
/** Reordering window when out_of_order is on. */
const SHUFFLE_MS = 300;
const LOG_SIZE = 500;

export const signPayload = (rawBody: string, token: string): string =>
  createHmac('sha256', token).update(rawBody).digest('hex');

export interface DeliveryRecord {
  subscription_uuid: string;
  url: string;
  event_uuid: string | null;
  event_type: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: string;
}

export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private readonly log: DeliveryRecord[] = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly config: WebhookConfig,
    private readonly rng: Prng,
  ) {}

  /** Store listener: fans an event out to every verified subscription that wants it. */
  readonly onEvent = (event: SandboxEvent): void => {
    if (!this.config.enabled || this.closed) return;
    const type = TYPE_OF_ENTITY[event.entity_type] ?? event.entity_type;
    for (const sub of this.store.subscriptions.values()) {
      if (sub.status !== 'verified' || !sub.subscriptionTypes.includes(type)) continue;
      const copies = this.config.duplicate ? 2 : 1;
      for (let i = 0; i < copies; i++) this.schedule(sub, event, 1, this.initialDelay());
    }
  };

  sendVerificationToken(sub: WebhookSubscription): void {
    const body = { verification_token: sub.verificationToken, webhook_subscription_uuid: sub.uuid };
    this.schedule(sub, body, 1, 0);
  }

  recentDeliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inflight) controller.abort();
  }

  private initialDelay(): number {
    return this.config.outOfOrder ? Math.floor(this.rng.next() * SHUFFLE_MS) : 0;
  }

  private schedule(sub: WebhookSubscription, payload: object, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(sub, payload, attempt);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(sub: WebhookSubscription, payload: object, attempt: number): Promise<void> {
    const raw = JSON.stringify(payload);
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), DELIVERY_TIMEOUT_MS);
    this.inflight.add(controller);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Gusto-Signature': signPayload(raw, sub.verificationToken),
        },
        body: raw,
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(controller);
    }
    this.record(sub, payload, attempt, status, error);
    const failed = status === null || status < 200 || status >= 300;
    const delay = this.config.retryDelaysMs[attempt - 1];
    if (failed && delay !== undefined) this.schedule(sub, payload, attempt + 1, delay);
  }

  private record(
    sub: WebhookSubscription,
    payload: object,
    attempt: number,
    status: number | null,
    error: string | null,
  ): void {
    const event = payload as Partial<SandboxEvent>;
    this.log.push({
      subscription_uuid: sub.uuid,
      url: sub.url,
      event_uuid: event.uuid ?? null,
      event_type: event.event_type ?? 'verification_token',
      attempt,
      status,
      error,
      at: new Date().toISOString(),
    });
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }
}

// Subscription endpoints

const typesSchema = z.array(z.enum(SUBSCRIPTION_TYPES)).min(1, 'subscribe to at least one type');

const createSchema = z.object({
  url: z.string().refine((u) => /^https?:\/\/[^\s]+$/.test(u), 'must be an http(s) URL'),
  subscription_types: typesSchema,
});

function subscriptionJson(sub: WebhookSubscription): Record<string, unknown> {
  return { uuid: sub.uuid, url: sub.url, status: sub.status, subscription_types: sub.subscriptionTypes };
}

function loadSubscription(ctx: Ctx): WebhookSubscription {
  const sub = ctx.sim.store.subscriptions.get(ctx.params.webhook_subscription_uuid ?? '');
  if (!sub || sub.status === 'removed') throw notFound();
  return sub;
}

function createSubscription(ctx: Ctx): Reply {
  const body = parseBody(createSchema, ctx.body);
  const { store } = ctx.sim;
  const sub: WebhookSubscription = {
    uuid: store.rng.uuid(),
    url: body.url,
    status: 'pending',
    subscriptionTypes: [...new Set(body.subscription_types)],
    verificationToken: store.rng.hex(16),
  };
  store.subscriptions.set(sub.uuid, sub);
  ctx.sim.webhooks.sendVerificationToken(sub);
  return json(201, subscriptionJson(sub));
}

function listSubscriptions(ctx: Ctx): Reply {
  const subs = [...ctx.sim.store.subscriptions.values()].filter((s) => s.status !== 'removed');
  return json(200, subs.map(subscriptionJson));
}

function updateSubscription(ctx: Ctx): Reply {
  const sub = loadSubscription(ctx);
  const body = parseBody(z.object({ subscription_types: typesSchema }), ctx.body);
  sub.subscriptionTypes = [...new Set(body.subscription_types)];
  return json(200, subscriptionJson(sub));
}

function deleteSubscription(ctx: Ctx): Reply {
  loadSubscription(ctx).status = 'removed';
  return noContent();
}

function verifySubscription(ctx: Ctx): Reply {
  const sub = loadSubscription(ctx);
  const body = parseBody(z.object({ verification_token: z.string().min(1) }), ctx.body);
  if (body.verification_token !== sub.verificationToken)
    throw invalidAttribute('base', 'Invalid verification token.');
  sub.status = 'verified';
  return json(200, subscriptionJson(sub));
}

function requestVerificationToken(ctx: Ctx): Reply {
  const sub = loadSubscription(ctx);
  ctx.sim.webhooks.sendVerificationToken(sub);
  return json(200, { message: 'The verification token is on its way to the subscription URL.' });
}

const base = '/v1/webhook_subscriptions';
const one = `${base}/{webhook_subscription_uuid}`;

export const webhookRoutes: RouteDef[] = [
  { method: 'POST', template: base, auth: 'system', handler: createSubscription },
  { method: 'GET', template: base, auth: 'system', handler: listSubscriptions },
  {
    method: 'GET',
    template: one,
    auth: 'system',
    handler: (ctx) => json(200, subscriptionJson(loadSubscription(ctx))),
  },
  { method: 'PUT', template: one, auth: 'system', handler: updateSubscription },
  { method: 'DELETE', template: one, auth: 'system', handler: deleteSubscription },
  { method: 'PUT', template: `${one}/verify`, auth: 'system', handler: verifySubscription },
  {
    method: 'GET',
    template: `${one}/request_verification_token`,
    auth: 'system',
    handler: requestVerificationToken,
  },
];
