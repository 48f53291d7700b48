/**
 * Signatures of outbound events in the style of the Standard Webhooks specification: the headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, which holds one
 * `v1,<base64 HMAC-SHA256>` per valid secret over `<id>.<timestamp>.<raw body>`. While a secret
 * rotates both the new and the previous one sign, so a receiver holding either accepts.
 *
 * Receivers use `verifyEvent` (re-exported for them by client/event-verification.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A type, not an interface, so it passes where a header record is expected. */
export type SignedHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/** The headers for one delivery of `body` (the exact bytes sent), signed with every secret given. */
export function signEvent(id: string, body: string, secrets: string[], now = new Date()): SignedHeaders {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signatures = secrets.map((s) => `v1,${hmac(s, id, timestamp, body)}`);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

export class EventVerificationError extends Error {
  override readonly name = 'EventVerificationError';
}

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (replay protection). Default 300 s. */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Checks a delivery: the headers are present, the timestamp is within the tolerance, and one of the
 * signatures matches one of `secrets` (pass both during a rotation). Returns the parsed event; throws
 * EventVerificationError saying what is wrong. `rawBody` must be the bytes received, not re-serialised JSON.
 */
export function verifyEvent<T = unknown>(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  secrets: string | string[],
  opts: VerifyOptions = {},
): T {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp)) throw new EventVerificationError('webhook-timestamp: must be Unix seconds');
  const skew = Math.abs((opts.now ?? new Date()).getTime() / 1000 - seconds);
  if (skew > (opts.toleranceSeconds ?? 300)) {
    throw new EventVerificationError(
      `webhook-timestamp: ${Math.round(skew)} s away from now (replayed or late)`,
    );
  }
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const offered = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const matches = [secrets]
    .flat()
    .map((secret) => Buffer.from(hmac(secret, id, timestamp, body), 'base64'))
    .some((expected) =>
      offered.some((got) => got.length === expected.length && timingSafeEqual(got, expected)),
    );
  if (!matches) throw new EventVerificationError('webhook-signature: no signature matches the secret');
  return JSON.parse(body) as T;
}

function hmac(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) throw new EventVerificationError(`${name}: header missing`);
  return text;
}
