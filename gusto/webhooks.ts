/**
 * Webhook authenticity. Gusto signs each delivery with `X-Gusto-Signature`: the hex HMAC-SHA256 of
 * the raw request body keyed by the subscription's verification token. The check must run on the
 * exact bytes received (re-serialised JSON would differ) and in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { gustoEventSchema, type GustoEvent } from './schemas/events.js';

export { gustoEventSchema, KNOWN_EVENT_TYPES, KNOWN_ENTITY_TYPES } from './schemas/events.js';
export type { GustoEvent } from './schemas/events.js';

export const GUSTO_SIGNATURE_HEADER = 'x-gusto-signature';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Hex HMAC-SHA256 of `rawBody` keyed by the verification token: what Gusto puts in the header. */
export function signGustoPayload(rawBody: Buffer | string, token: string): string {
  return createHmac('sha256', token).update(rawBody).digest('hex');
}

/** True only for a well-formed signature that matches `rawBody` under `token`. */
export function verifyGustoSignature(
  rawBody: Buffer | string,
  signatureHex: string | null | undefined,
  token: string,
): boolean {
  if (!token || typeof signatureHex !== 'string') return false;
  const given = signatureHex.trim();
  if (!HEX_SHA256.test(given)) return false;
  const expected = Buffer.from(signGustoPayload(rawBody, token), 'hex');
  const actual = Buffer.from(given, 'hex');
  // timingSafeEqual throws on a length mismatch; the pattern above already fixes the length.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export type ParsedEvent = { ok: true; event: GustoEvent } | { ok: false; error: string };

/** Parse a verified body into the thin event; reports the field that failed instead of throwing. */
export function parseGustoEvent(rawBody: Buffer | string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
  const result = gustoEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  return { ok: false, error: `${field}: ${issue?.message ?? 'is invalid'}` };
}
