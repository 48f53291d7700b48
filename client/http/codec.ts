/**
 * Temporal's remote codec protocol on the HTTP API (`POST /codec/encode`, `POST /codec/decode`): the
 * Web UI and the `temporal` CLI send the payloads they hold and get them back encoded or decoded with
 * the service's PAYLOAD_ENCRYPTION_KEY, so an operator with an API key reads encrypted inputs and
 * results, and one without gets 401. The browser calls it across origins (UI → API), hence CORS for
 * the configured UI origins only.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ServiceError } from '../errors.js';
import { defineRoute, type RouteContext, type RouteSpec } from './route.js';

/** A payload as the protocol sends it (proto3 JSON): metadata values and data are base64. */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});
const Payloads = z
  .object({ payloads: z.array(JsonPayload).max(1000, 'at most 1000 payloads per call') })
  .meta({ id: 'CodecPayloads', description: 'Payloads in the remote codec protocol (base64 fields).' });

type JsonPayloadT = z.output<typeof JsonPayload>;

const fromJson = (p: JsonPayloadT): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayloadT => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

function codecOf(ctx: RouteContext): PayloadCodec {
  if (!ctx.codec) throw new ServiceError('not_found', 'no payload codec: PAYLOAD_ENCRYPTION_KEY is not set');
  return ctx.codec;
}

async function run(
  ctx: RouteContext,
  payloads: JsonPayloadT[],
  direction: 'encode' | 'decode',
): Promise<{ payloads: JsonPayloadT[] }> {
  const codec = codecOf(ctx);
  try {
    return { payloads: (await codec[direction](payloads.map(fromJson))).map(toJson) };
  } catch (err) {
    // A wrong or unknown key, or tampered data: say so without echoing anything of the payload.
    throw new ServiceError('invalid_input', `cannot ${direction}: ${(err as Error).message}`);
  }
}

const codecRoute = (direction: 'encode' | 'decode'): RouteSpec =>
  defineRoute({
    method: 'POST',
    path: `/codec/${direction}`,
    operationId: direction === 'encode' ? 'codecEncode' : 'codecDecode',
    summary: `${direction === 'encode' ? 'Encrypt' : 'Decrypt'} payloads (Temporal remote codec, for the Web UI and CLI)`,
    tag: 'system',
    body: Payloads,
    responses: {
      200: { description: `The payloads, ${direction}d in order`, schema: Payloads },
      404: { description: 'No PAYLOAD_ENCRYPTION_KEY configured' },
    },
    handler: ({ body }, ctx) => run(ctx, body.payloads, direction),
  });

export const codecRoutes: RouteSpec[] = [codecRoute('encode'), codecRoute('decode')];

/**
 * CORS for the codec routes: the Web UI's origin may call them from the browser with the
 * Authorization header. Preflights are answered before authentication (browsers send them without
 * credentials); other origins get no CORS headers, so their browsers refuse the answer.
 */
export function allowCodecOrigins(app: FastifyInstance, origins: readonly string[]): void {
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/codec/')) return;
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    void reply.headers({
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'authorization, content-type, x-namespace',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });
  app.options('/codec/*', async (_req, reply) => reply.code(204).send());
}
