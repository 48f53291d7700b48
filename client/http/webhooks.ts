import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { GustoClient } from '../../gusto/client.js';
import { isGustoApiError } from '../../gusto/errors.js';
import { UUID_PATTERN } from '../../gusto/schemas/common.js';
import { gustoEventSchema, verifyGustoSignature } from '../../gusto/webhooks.js';
import {
  contractorDismissalId,
  contractorPaymentGroupId,
  contractorPaymentId,
  contractorRehireId,
  payrollRunId,
} from '../../workflows/ids.js';
import { gustoEventSignal, type GustoEventSignal } from '../../workflows/waiting.js';
import { ServiceError } from '../errors.js';

export interface WebhookDeps {
  temporal: Client;
  gusto?: GustoClient;
  keys: WebhookKeys;
  log: FastifyBaseLogger;
}

/**
 * The keys X-Gusto-Signature is checked with: the configured GUSTO_WEBHOOK_TOKEN, plus tokens of
 * subscriptions this process verified with Gusto since it started. Adopting a verified token lets a
 * new subscription deliver at once; it lives in memory only (after a restart the configured token
 * applies, and events that fail meanwhile are retried by Gusto while workflows keep polling).
 * A token is adopted only after Gusto's verify call accepted it, so a forged handshake adds nothing.
 */
export class WebhookKeys {
  private readonly adopted: string[] = [];

  constructor(private readonly configured?: string) {}

  adopt(token: string): void {
    if (this.has(token)) return;
    this.adopted.unshift(token);
    this.adopted.splice(MAX_ADOPTED);
  }

  has(token: string): boolean {
    return this.all().some((k) => tokenFingerprint(k) === tokenFingerprint(token));
  }

  isConfigured(token: string): boolean {
    return this.configured !== undefined && tokenFingerprint(this.configured) === tokenFingerprint(token);
  }

  /** True when the signature matches the body under any known key (each check is constant-time). */
  verify(rawBody: Buffer, signature: string): boolean {
    let ok = false;
    for (const key of this.all()) ok = verifyGustoSignature(rawBody, signature, key) || ok;
    return ok;
  }

  get empty(): boolean {
    return this.all().length === 0;
  }

  private all(): string[] {
    return [...(this.configured ? [this.configured] : []), ...this.adopted];
  }
}

const MAX_ADOPTED = 4;

export const WebhookAck = z
  .object({
    received: z.literal(true),
    kind: z.enum(['event', 'handshake']),
    event: z.string().optional(),
    signalled: z.array(z.string()).optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'WebhookAck' });
type Ack = z.infer<typeof WebhookAck>;

const handshakeSchema = z.object({
  verification_token: z.string().min(1),
  webhook_subscription_uuid: z.string().min(1),
});

/**
 * The Gusto webhook ingress. It keeps no store: an event only tells a waiting workflow "look again"
 * (the workflow re-reads Gusto), so duplicates and reordering are harmless and nothing needs dedup.
 */
export async function receiveGustoWebhook(
  rawBody: Buffer,
  signature: string | undefined,
  deps: WebhookDeps,
): Promise<Ack> {
  const json = tryParseJson(rawBody);
  const handshake = handshakeSchema.safeParse(json);
  if (handshake.success) return completeHandshake(handshake.data, deps);

  // Everything else must be signed by the subscription's token over the exact bytes received.
  if (!signature) throw new ServiceError('unauthorized', 'missing X-Gusto-Signature header');
  if (deps.keys.empty) {
    throw new ServiceError(
      'unauthorized',
      'no webhook token configured (GUSTO_WEBHOOK_TOKEN); cannot verify',
    );
  }
  if (!deps.keys.verify(rawBody, signature)) {
    throw new ServiceError('unauthorized', 'X-Gusto-Signature does not match the body');
  }
  if (json === undefined) throw new ServiceError('invalid_input', 'body: not JSON');

  const parsed = gustoEventSchema.safeParse(json);
  if (!parsed.success) {
    // Signed by Gusto but not a shape we know: a retry would not change it, so acknowledge and log.
    deps.log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'gusto webhook: unrecognised event ignored');
    return { received: true, kind: 'event', note: 'unrecognised event shape; ignored' };
  }
  const event = parsed.data as GustoEventSignal & { uuid?: string };
  const signal: GustoEventSignal = {
    event_type: event.event_type,
    resource_uuid: event.resource_uuid,
    entity_type: event.entity_type,
    entity_uuid: event.entity_uuid,
    timestamp: event.timestamp,
  };
  const targets = await workflowIdsFor(signal, deps.temporal);
  const signalled: string[] = [];
  for (const id of targets) {
    if (await signalIfRunning(deps.temporal, id, signal)) signalled.push(id);
  }
  const meta = { eventUuid: event.uuid, eventType: event.event_type, signalled };
  if (signalled.length === 0) deps.log.info(meta, 'gusto webhook: no running workflow for event');
  else deps.log.info(meta, 'gusto webhook: signalled');
  return {
    received: true,
    kind: 'event',
    event: event.event_type,
    signalled,
    ...(signalled.length === 0
      ? { note: targets.length ? 'no running workflow for this event' : 'no workflow waits on this event' }
      : {}),
  };
}

/**
 * The first POST of a new subscription carries its verification token. Calling Gusto's verify with it
 * both activates the subscription and proves the POST came from Gusto (a forged token fails there),
 * so the ingress keeps no store. The token is never logged: only a fingerprint, and whether it is
 * the configured GUSTO_WEBHOOK_TOKEN.
 */
async function completeHandshake(body: z.infer<typeof handshakeSchema>, deps: WebhookDeps): Promise<Ack> {
  const subscription = body.webhook_subscription_uuid;
  const token = body.verification_token;
  const meta = {
    subscription,
    fingerprint: tokenFingerprint(token),
    configured: deps.keys.isConfigured(token),
  };
  if (!deps.gusto) {
    deps.log.warn(meta, 'gusto webhook handshake: no Gusto client to verify it with; ignored');
    return { received: true, kind: 'handshake', note: 'not verified: no Gusto client configured' };
  }
  try {
    await deps.gusto.webhookSubscriptions.verify(subscription, token);
  } catch (err) {
    // Gusto refusing the token means the POST did not come from Gusto (or is stale): nothing changes.
    if (isGustoApiError(err) && err.status < 500) {
      deps.log.warn({ ...meta, status: err.status }, 'gusto webhook handshake refused by Gusto');
      throw new ServiceError('unauthorized', 'verification token not accepted by Gusto');
    }
    throw err;
  }
  deps.keys.adopt(token);
  if (meta.configured) deps.log.info(meta, 'gusto webhook subscription verified');
  else
    deps.log.warn(
      meta,
      'gusto webhook subscription verified; its token is used until restart: set GUSTO_WEBHOOK_TOKEN to keep it',
    );
  return { received: true, kind: 'handshake', note: 'subscription verified' };
}

/** A short, non-reversible name for a token, so logs can say which one without revealing it. */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/**
 * Which workflows an event may concern. Payroll and contractor ids come straight from the event.
 * Contractor-payment workflow ids use the caller's business key, which the event does not carry: a
 * run tags itself with its Gusto payment (and group) ids once created (GustoIds), so the event finds
 * it with one point lookup. A company event (its setup changed) wakes its running payroll runs the
 * same way; only a run waiting in `blocked` acts on it.
 */
export async function workflowIdsFor(event: GustoEventSignal, temporal: Client): Promise<string[]> {
  const company = event.resource_uuid;
  const entity = event.entity_uuid;
  switch (domainOf(event)) {
    case 'payroll':
      if (ECHOES.has(event.event_type)) return [];
      return company && entity ? [payrollRunId(company, entity)] : [];
    case 'contractor':
      return entity ? [contractorDismissalId(entity), contractorRehireId(entity)] : [];
    case 'contractor_payment':
      return company ? contractorPaymentRunsFor(temporal, company, entity) : [];
    case 'company':
      // A company's setup changed (a blocker cleared, say): its payroll runs waiting in `blocked` look again.
      return company ? runningIdsWithPrefix(temporal, company, [payrollRunId(company, '')]) : [];
    default:
      return [];
  }
}

function domainOf(
  event: GustoEventSignal,
): 'payroll' | 'contractor' | 'contractor_payment' | 'company' | undefined {
  const type = event.event_type.toLowerCase();
  const entity = (event.entity_type ?? '').toLowerCase();
  if (type.startsWith('contractor_payment') || entity.startsWith('contractorpayment'))
    return 'contractor_payment';
  if (type.startsWith('payroll.') || entity === 'payroll') return 'payroll';
  if (type.startsWith('contractor.') || entity === 'contractor') return 'contractor';
  if (type.startsWith('company.')) return 'company';
  return undefined;
}

/**
 * Payroll events that are a run's own step echoed back, which no run waits on: a signal would only
 * cost the run a workflow task (one per run at payday). `payroll.submitted` follows our submit; a run
 * waiting in `blocked` has submitted nothing. `payroll.updated` stays: a blocked run looks again on it.
 */
const ECHOES = new Set(['payroll.submitted']);

const MAX_FANOUT = 200;

/**
 * The running payment runs tagged with the event's payment or group id, and any run waiting for
 * funding without the tag (started before runs tagged themselves: none once those have ended).
 */
async function contractorPaymentRunsFor(
  temporal: Client,
  companyId: string,
  entity: string | undefined,
): Promise<string[]> {
  const prefixes = [contractorPaymentId(companyId, ''), contractorPaymentGroupId(companyId, '')];
  const untagged = await runningIdsWithPrefix(
    temporal,
    companyId,
    prefixes,
    "Stage = 'awaiting_funding' AND GustoIds IS NULL",
  );
  if (!entity || !UUID_PATTERN.test(entity)) return untagged;
  const tagged: string[] = [];
  const query = `GustoIds = '${entity}' AND ExecutionStatus = 'Running'`;
  for await (const wf of temporal.workflow.list({ query })) tagged.push(wf.workflowId);
  return [...new Set([...tagged, ...untagged])];
}

async function runningIdsWithPrefix(
  temporal: Client,
  companyId: string,
  prefixes: string[],
  condition?: string,
): Promise<string[]> {
  if (!UUID_PATTERN.test(companyId)) return []; // never interpolate an unchecked value
  const ids: string[] = [];
  const query = `CompanyId = '${companyId}' AND ExecutionStatus = 'Running'${condition ? ` AND ${condition}` : ''}`;
  for await (const wf of temporal.workflow.list({ query })) {
    if (prefixes.some((p) => wf.workflowId.startsWith(p))) ids.push(wf.workflowId);
    if (ids.length >= MAX_FANOUT) break;
  }
  return ids;
}

/** Signals an existing run only: an event never starts one. A missing or closed run is not an error. */
async function signalIfRunning(
  temporal: Client,
  workflowId: string,
  event: GustoEventSignal,
): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowId).signal(gustoEventSignal, event);
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return false;
    throw err; // Temporal unreachable: a 5xx makes Gusto deliver again later
  }
}

function tryParseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
