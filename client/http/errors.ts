import type { FastifyBaseLogger } from 'fastify';
import { formatPath, ServiceError, toServiceError, type ServiceErrorJson } from '../errors.js';

export interface ErrorReply {
  status: number;
  body: { error: ServiceErrorJson };
}

/**
 * The one place an exception becomes an HTTP answer. Fastify's own 4xx (bad JSON, body too large,
 * wrong media type) keep their status but speak our error shape; everything else goes through
 * `toServiceError`, so a Temporal or Gusto failure is a 502 with a message, never a stack.
 */
export function errorReply(err: unknown, log?: FastifyBaseLogger): ErrorReply {
  const fastifyStatus = fastifyClientError(err);
  if (fastifyStatus) {
    const message = (err as Error).message;
    return { status: fastifyStatus, body: { error: { code: 'invalid_input', message } } };
  }
  const se = toServiceError(err);
  if (se.code === 'internal' || se.code === 'upstream_failed') {
    // The cause stays in the server log (with its stack); the caller gets the code and a message.
    log?.error({ err }, `request failed: ${se.code}`);
    return { status: se.httpStatus, body: { error: { code: se.code, message: se.message } } };
  }
  return { status: se.httpStatus, body: { error: jsonOf(se) } };
}

function jsonOf(se: ServiceError): ServiceErrorJson {
  const json: ServiceErrorJson = { code: se.code, message: se.message };
  if (se.field) json.field = se.field;
  if (se.details !== undefined) json.details = compactIssues(se.details);
  return json;
}

/** zod issues carry internals (regex sources, codes); a caller needs every field and its rule. */
function compactIssues(details: unknown): unknown {
  const isIssue = (i: unknown) =>
    typeof i === 'object' && i !== null && Array.isArray((i as { path?: unknown }).path) && 'message' in i;
  if (!Array.isArray(details) || details.length === 0 || !details.every(isIssue)) return details;
  return (details as Array<{ path: PropertyKey[]; message: string; keys?: string[] }>).map((i) => ({
    field: formatPath([...i.path, ...(i.keys?.length ? [i.keys[0]!] : [])]),
    message: i.keys?.length ? 'is not a known field' : i.message,
  }));
}

function fastifyClientError(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const isFastify = typeof e?.code === 'string' && e.code.startsWith('FST_');
  return isFastify && status && status >= 400 && status < 500 ? status : undefined;
}
