/**
 * The spans of this project's own code: one per HTTP API request and one per Gusto call. Both record
 * templates, not URLs (`/v1/companies/{companyId}/payroll-runs`, `PUT /v1/companies/{company_id}/
 * payrolls/{payroll_id}/submit`), the method and the status; never a header, a token, a query string,
 * a body or an error message (Gusto's messages may name an employee). With tracing off nothing here
 * creates a span.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GustoApiError } from '../gusto/errors.js';
import { tracingEnabled } from './tracing.js';

const tracer = () => trace.getTracer('payroll-orchestrator');

/** Runs one Gusto call in a client span (a child of the activity's span when there is one). */
export async function traceGustoCall<T extends { status: number }>(
  method: string,
  template: string,
  call: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return call();
  const attributes = { 'http.request.method': method, 'url.template': template, 'peer.service': 'gusto' };
  return tracer().startActiveSpan(
    `gusto ${method} ${template}`,
    { kind: SpanKind.CLIENT, attributes },
    async (span) => {
      try {
        const result = await call();
        span.setAttribute('http.response.status_code', result.status);
        return result;
      } catch (err) {
        recordGustoFailure(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

function recordGustoFailure(span: Span, err: unknown): void {
  if (err instanceof GustoApiError) {
    if (err.status > 0) span.setAttribute('http.response.status_code', err.status);
    if (err.code) span.setAttribute('error.type', err.code);
    else span.setAttribute('error.type', String(err.status));
    if (err.retryAfterMs !== undefined) span.setAttribute('gusto.retry_after_ms', err.retryAfterMs);
    const keys = err.errors.map((e) => e.error_key).filter((k): k is string => typeof k === 'string');
    if (keys.length > 0) span.setAttribute('gusto.error_keys', keys);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: err.status ? `HTTP ${err.status}` : 'no response',
    });
    return;
  }
  span.setAttribute('error.type', err instanceof Error ? err.name : 'unknown');
  span.setStatus({ code: SpanStatusCode.ERROR });
}

const requestSpans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request, named by the route template; a caller's W3C `traceparent` makes it a
 * child of the caller's trace. Register before the routes (hooks reach the contexts registered after).
 */
export function traceApiRequests(app: FastifyInstance): void {
  if (!tracingEnabled()) return;
  app.addHook('onRequest', async (req) => {
    const parent = propagation.extract(context.active(), req.headers);
    const route = routeTemplate(req);
    const span = tracer().startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route, 'payroll.request_id': req.id },
      },
      parent,
    );
    requestSpans.set(req, span);
  });
  app.addHook('onResponse', async (req, reply) => endRequestSpan(req, reply));
  app.addHook('onRequestAbort', async (req) => endRequestSpan(req, undefined));
}

/** Wraps a route handler to run with the request's span active, so a workflow it starts joins the trace. */
export function inRequestSpan<R>(
  handler: (req: FastifyRequest, reply: FastifyReply) => R,
): (req: FastifyRequest, reply: FastifyReply) => R {
  return (req, reply) => {
    const span = requestSpans.get(req);
    if (!span) return handler(req, reply);
    return context.with(trace.setSpan(context.active(), span), () => handler(req, reply));
  };
}

function endRequestSpan(req: FastifyRequest, reply: FastifyReply | undefined): void {
  const span = requestSpans.get(req);
  if (!span) return;
  requestSpans.delete(req);
  if (reply) {
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  } else span.setAttribute('error.type', 'aborted');
  span.end();
}

/** Fastify's `/v1/companies/:companyId` as the OpenAPI document writes it; unmatched paths stay anonymous. */
function routeTemplate(req: FastifyRequest): string {
  const url = req.routeOptions.url;
  return url ? url.replace(/:(\w+)/g, '{$1}') : 'unmatched';
}
