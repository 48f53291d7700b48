/**
 * Scrubbing of secrets from anything that leaves the Gusto client as text: log lines, error messages,
 * error details. Access tokens, refresh tokens and client secrets are all bearer credentials, so a
 * single leaked log line is enough to move money; every string we emit passes through `redact`.
 */

const MASK = '[REDACTED]';

/** Keys whose values are credentials wherever they appear (headers, JSON bodies, log metadata). */
const SECRET_KEY =
  /^(authorization|token|access_token|refresh_token|system_token|verification_token|client_secret|password|api[-_]?key)$/i;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // "Authorization: Bearer abc", "Bearer abc"
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${MASK}`],
  // JSON or form fields: "access_token":"abc", refresh_token=abc, client_secret: abc
  [
    /(["']?(?:access_token|refresh_token|client_secret|verification_token|system_token|authorization)["']?\s*[:=]\s*["']?)(?!(?:Bearer|Basic|Token)\s|\[REDACTED\])[^"'&\s,}]+/gi,
    `$1${MASK}`,
  ],
];

/**
 * Exact credential values seen at run time (tokens the providers fetched or were configured with).
 * Patterns catch the usual shapes; this catches a token quoted somewhere unexpected, e.g. echoed
 * back inside an error message. Bounded so a long-lived worker with many rotations stays small.
 */
const knownSecrets = new Set<string>();
const MAX_KNOWN_SECRETS = 2000;
const MIN_SECRET_LENGTH = 8;

/** Remember a credential so `redact` masks it wherever it appears later. */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || knownSecrets.has(value)) return;
  if (knownSecrets.size >= MAX_KNOWN_SECRETS) {
    const oldest = knownSecrets.values().next().value;
    if (oldest !== undefined) knownSecrets.delete(oldest);
  }
  knownSecrets.add(value);
}

/** Mask credentials in a piece of text. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a log/error payload with credential-named keys masked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && v != null ? MASK : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
