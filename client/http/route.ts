import type { SubscriptionStore } from '../../events/subscriptions.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { GustoClient } from '../../gusto/client.js';
import { uuidInput } from '../../gusto/schemas/common.js';
import type { ServiceErrorCode } from '../errors.js';
import type { WebhookKeys } from './webhooks.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler may use. Handlers stay short: they call the typed client functions with these. */
export interface RouteContext {
  temporal: Client;
  taskQueue: string;
  gusto?: GustoClient;
  /** Keys the webhook ingress checks X-Gusto-Signature with. */
  webhookKeys: WebhookKeys;
  /** The generated OpenAPI document (served by its own route). */
  openapi: object;
  isWorkerReady?: () => boolean | Promise<boolean>;
  /** The payload codec (PAYLOAD_ENCRYPTION_KEY) the /codec routes apply; unset without keys. */
  codec?: PayloadCodec;
  /** Outbound event subscriptions (client/events.ts). */
  subscriptions: SubscriptionStore;
  /** EVENTS_ALLOW_INSECURE_URLS: http:// subscriber URLs outside loopback. */
  allowInsecureEventUrls?: boolean;
  log: FastifyBaseLogger;
  /** Raw request body, only for routes declared with `rawBody: true` (the webhook ingress). */
  rawBody?: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

const REPLY = Symbol('reply');

/** An answer with an explicit status, type or headers; anything else a handler returns is JSON. */
export interface ExplicitReply {
  [REPLY]: true;
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export function reply(
  status: number,
  body: unknown,
  extra: { contentType?: string; headers?: Record<string, string> } = {},
): ExplicitReply {
  return { [REPLY]: true, status, body, ...extra };
}

/** A handler's answer: a JSON body sent with the route's first 2xx status, or an explicit reply. */
export type RouteResult = ExplicitReply | object;

export interface ResponseSpec {
  description: string;
  /** zod schema of the JSON body; omitted for non-JSON (see `contentType`). */
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

/**
 * One row of the route table. The same zod schemas validate requests at run time and produce the
 * OpenAPI document, so the two cannot drift apart.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI-style path: `/v1/companies/{companyId}/payroll-runs`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** API key required (default true). */
  auth?: boolean;
  /** Hand the handler the unparsed body (signature checks need the exact bytes). */
  rawBody?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Every status the route answers with besides the common errors (400/401/500/502). */
  responses: Record<number, ResponseSpec>;
  handler: (
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    ctx: RouteContext,
  ) => Promise<RouteResult>;
}

/** Keeps each row's handler typed by its own schemas while the table holds them all. */
export function defineRoute<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function isExplicitResult(r: RouteResult): r is ExplicitReply {
  return typeof r === 'object' && r !== null && REPLY in r;
}

// ---- shared schemas --------------------------------------------------------------------------

/** Gusto ids are UUIDs; checking them at the edge gives a 400 naming the parameter instead of a 404. */
export const uuid = () => uuidInput;

/** Every ServiceError code, checked against the type below so the document cannot miss one. */
const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'not_found',
  'conflict',
  'refused',
  'run_ended',
  'timed_out',
  'method_not_allowed',
  'upstream_failed',
  'internal',
] as const satisfies readonly ServiceErrorCode[];
const allCodesListed: Exclude<ServiceErrorCode, (typeof ERROR_CODES)[number]> extends never ? true : never =
  true;
void allCodesListed;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      field: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error the API returns, with a stable code.' });

export const CompanyParams = z.object({ companyId: uuid() });
