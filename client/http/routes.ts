import { z } from 'zod';
import * as contractors from '../contractors.js';
import { ServiceError } from '../errors.js';
import { checkHealth, HealthBody } from './health.js';
import { defineRoute, reply, uuid, type RouteSpec } from './route.js';
import { DeactivationResult, DeletionResult, TransitionState } from './schemas.js';
import { receiveGustoWebhook, WebhookAck } from './webhooks.js';

const ContractorParams = z.object({ companyId: uuid(), contractorId: uuid() });

/**
 * THE route table: every endpoint of the HTTP API, its schemas and its handler. Handlers stay short:
 * validation happened before them (from these schemas) and the typed client functions do the work.
 * The OpenAPI document at /openapi.json is generated from this table.
 */
export const apiRoutes: RouteSpec[] = [
  // ---- system ----------------------------------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Ready when Temporal answers and a worker polls the task queue',
    tag: 'system',
    auth: false,
    responses: {
      200: { description: 'Ready', schema: HealthBody },
      503: { description: 'Not ready: Temporal unreachable or no worker polling', schema: HealthBody },
    },
    handler: async (_, ctx) => {
      const health = await checkHealth(ctx.temporal, ctx.taskQueue, ctx.isWorkerReady);
      return reply(health.status === 'ok' ? 200 : 503, health);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/gusto',
    operationId: 'gustoWebhook',
    summary: 'Gusto webhook ingress (signed events and the subscription handshake)',
    description:
      'Verifies X-Gusto-Signature (HMAC-SHA256 of the raw body) and signals the waiting workflow with ' +
      '`gustoEvent`. Never starts a workflow. The first POST of a new subscription carries its ' +
      'verification token; the ingress verifies the subscription through the Gusto API.',
    tag: 'webhooks',
    auth: false,
    rawBody: true,
    responses: {
      200: { description: 'Acknowledged (also when no workflow waits for the event)', schema: WebhookAck },
      401: { description: 'Missing or wrong signature; nothing was signalled' },
    },
    handler: async (_, ctx) => {
      const signature = ctx.headers['x-gusto-signature'];
      if (Array.isArray(signature)) throw new ServiceError('unauthorized', 'more than one X-Gusto-Signature');
      return receiveGustoWebhook(ctx.rawBody ?? Buffer.alloc(0), signature, ctx);
    },
  }),

  // ---- contractor dismissal / rehire ----------------------------------------------------------
  ...(['dismissal', 'rehire'] as const).flatMap((kind) => transitionRoutes(kind)),
  defineRoute({
    method: 'POST',
    path: '/v1/companies/{companyId}/contractors/{contractorId}/deactivate',
    operationId: 'deactivateContractorNow',
    summary: 'Mark a contractor inactive now (Gusto PUT with the current version)',
    tag: 'contractors',
    params: ContractorParams,
    responses: { 200: { description: 'Inactive', schema: DeactivationResult }, 422: { description: 'Refused' } },
    handler: async ({ params }, ctx) => contractors.deactivateContractorNow(ctx, params),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/companies/{companyId}/contractors/{contractorId}',
    operationId: 'deleteContractor',
    summary: 'Delete a contractor who was never paid (a paid one must be dismissed)',
    tag: 'contractors',
    params: ContractorParams,
    responses: {
      200: { description: 'Deleted', schema: DeletionResult },
      404: { description: 'No such contractor' },
      422: { description: 'Refused: the contractor has payments' },
    },
    handler: async ({ params }, ctx) => contractors.deleteContractor(ctx, params),
  }),
];

function transitionRoutes(kind: 'dismissal' | 'rehire'): RouteSpec[] {
  const Kind = kind === 'dismissal' ? 'Dismissal' : 'Rehire';
  const path = `/v1/companies/{companyId}/contractors/{contractorId}/${kind}`;
  const body =
    kind === 'dismissal'
      ? contractors.dismissalInputSchema.omit({ companyId: true, contractorId: true })
      : contractors.rehireInputSchema.omit({ companyId: true, contractorId: true });
  return [
    defineRoute({
      method: 'POST',
      path,
      operationId: `schedule${Kind}`,
      summary: `Schedule the contractor's ${kind} in Gusto and hold it until its date`,
      description: 'Idempotent per contractor: a second call returns the running one (409 if its date differs).',
      tag: 'contractors',
      params: ContractorParams,
      body,
      responses: {
        200: { description: 'Scheduled', schema: TransitionState },
        409: { description: `Another ${kind} of this contractor is in progress` },
        422: { description: 'Refused (e.g. a conflicting scheduled transition with policy refuse)' },
      },
      handler: async ({ params, body }, ctx) =>
        kind === 'dismissal'
          ? contractors.startDismissal(ctx, { ...params, ...body })
          : contractors.startRehire(ctx, { ...params, ...body }),
    }),
    defineRoute({
      method: 'GET',
      path,
      operationId: `get${Kind}`,
      summary: `State of the contractor's ${kind}`,
      tag: 'contractors',
      params: ContractorParams,
      responses: { 200: { description: 'State', schema: TransitionState }, 404: { description: `No ${kind}` } },
      handler: async ({ params }, ctx) =>
        ofCompany(params.companyId, await contractors.getTransitionState(ctx, { kind, contractorId: params.contractorId })),
    }),
    defineRoute({
      method: 'POST',
      path: `${path}/cancel`,
      operationId: `cancel${Kind}`,
      summary: `Cancel the scheduled ${kind} (until its date, or in the grace period)`,
      tag: 'contractors',
      params: ContractorParams,
      body: contractors.cancelTransitionSchema.pick({ reason: true }),
      responses: {
        200: { description: 'Cancelled', schema: TransitionState },
        404: { description: `No ${kind}` },
        422: { description: 'Refused: too late to cancel, or already ended' },
      },
      handler: async ({ params, body }, ctx) => {
        const ref = { kind, contractorId: params.contractorId };
        ofCompany(params.companyId, await contractors.getTransitionState(ctx, ref));
        return contractors.cancelTransition(ctx, { ...ref, ...body });
      },
    }),
  ];
}

/** Runs keyed by contractor alone must still belong to the company in the path. */
function ofCompany<T extends { companyId: string }>(companyId: string, state: T): T {
  if (state.companyId !== companyId) throw new ServiceError('not_found', 'no such run for this company');
  return state;
}
