/**
 * One request through the sandbox: route → count → fault rule → body → clock → API version →
 * bearer token → rate limit → handler → response (or, for drop_response, the change applied and the
 * socket cut). Handlers signal refusals by throwing SandboxHttpError; anything else is a sandbox bug.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ctx, Reply, RouteDef, Sim } from './context.js';
import {
  badVersion,
  internalError,
  notFound,
  SandboxHttpError,
  unauthorized,
  unprocessable,
} from './errors.js';
import type { FaultAction } from './faults.js';
import { rateLimitResetHeader } from './rate-limit.js';
import type { Router } from './router.js';

const SUPPORTED_SINCE = '2025-06-15';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Shared by every request without a query string (handlers only read queries). */
const NO_QUERY = new URLSearchParams();

export const isSandboxRoute = (route: RouteDef): boolean => route.template.startsWith('/sandbox/');
export const endpointOf = (route: RouteDef): string => `${route.method} ${route.template}`;

function readBody(req: IncomingMessage): Promise<string> {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    return Promise.resolve('');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES)
        reject(
          new SandboxHttpError(413, [
            { error_key: 'request', category: 'invalid_attribute_value', message: 'Request body too large.' },
          ]),
        );
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
    // A client that hangs up mid-body never sends 'end'.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted before its body was read'));
    });
  });
}

function parseBodyText(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw unprocessable([
      {
        error_key: 'request',
        category: 'invalid_attribute_value',
        message: 'The request body is not valid JSON.',
      },
    ]);
  }
}

function checkApiVersion(req: IncomingMessage): void {
  const version = req.headers['x-gusto-api-version'];
  if (version === undefined || version === '') return;
  const value = Array.isArray(version) ? (version[0] ?? '') : version;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw badVersion(`Invalid API version "${value}": expected YYYY-MM-DD.`);
  if (value < SUPPORTED_SINCE) {
    throw badVersion(
      `API version ${value} is no longer supported; use ${SUPPORTED_SINCE} or later (the sandbox speaks 2025-11-15).`,
    );
  }
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

/** Resolves the caller; returns the token (for rate limiting) and the company it grants. */
function authenticate(
  sim: Sim,
  req: IncomingMessage,
  route: RouteDef,
): { token: string | null; companyUuid: string } {
  if (route.auth === 'none') return { token: null, companyUuid: '' };
  const token = bearer(req);
  if (!token) throw unauthorized('Missing bearer token: send Authorization: Bearer <access token>.');
  const grant = sim.store.tokens.get(token);
  if (!grant) throw unauthorized('The access token is invalid, expired or revoked.');
  if (route.auth === 'system' && grant.kind !== 'system') {
    throw unauthorized('This endpoint needs the system access token, not a company token.');
  }
  if (route.auth === 'company' && grant.kind !== 'company') {
    throw unauthorized('This endpoint needs a company access token, not the system token.');
  }
  return { token, companyUuid: grant.kind === 'company' ? grant.companyUuid : '' };
}

/** Applies the rate limit; returns the headers every answer to this token carries. */
function rateLimit(sim: Sim, token: string | null, nowMs: number): Record<string, string> {
  if (!token || !sim.limiter.enabled) return {};
  const decision = sim.limiter.take(token, nowMs);
  const headers = {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': rateLimitResetHeader(decision.resetAt),
  };
  if (decision.allowed) return headers;
  throw new SandboxHttpError(
    429,
    [
      {
        error_key: 'request',
        category: 'rate_limit_exceeded',
        message: `Rate limit of ${decision.limit} requests per 60 s exceeded.`,
      },
    ],
    { ...headers, 'Retry-After': String(decision.retryAfterSeconds) },
  );
}

function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string | number> = reply.headers
    ? { ...extraHeaders, ...reply.headers }
    : extraHeaders;
  if (reply.raw) {
    headers['Content-Type'] = reply.raw.contentType;
    headers['Content-Length'] = reply.raw.data.length;
    res.writeHead(reply.status, headers).end(reply.raw.data);
    return;
  }
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers).end(text);
}

const errorReply = (err: SandboxHttpError): Reply => ({
  status: err.status,
  body: err.body(),
  headers: err.headers,
});

export class RequestHandler {
  constructor(
    private readonly sim: Sim,
    private readonly router: Router<RouteDef>,
    private readonly onNow: (now: Date) => void,
  ) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.run(req, res).catch((err: unknown) => {
      if (req.socket.destroyed) return; // the caller went away; nobody to answer
      // A sandbox bug, not a simulated fault: always visible, even with `quiet`.
      console.error(
        `[sandbox] ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      if (!res.headersSent) send(res, errorReply(internalError()), {});
    });
  };

  private async run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const match = this.router.match(req.method ?? 'GET', path);
    if (!match) return send(res, errorReply(notFound()), {});
    const route = match.route;
    const gusto = !isSandboxRoute(route);
    const endpoint = endpointOf(route);
    let fault: FaultAction = { kind: 'none', latencyMs: 0 };
    if (gusto) {
      this.sim.counters.call(endpoint);
      fault = this.sim.faults.decide(endpoint);
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.kind === 'reset') return void req.socket.destroy();
      if (fault.kind === 'error') return send(res, errorReply(internalError(fault.status)), {});
    }
    const { reply, headers } = await this.answer(
      req,
      route,
      match.params,
      q < 0 ? '' : url.slice(q + 1),
      endpoint,
    );
    // "Applied but response lost": the handler ran, the caller never hears about it.
    if (fault.kind === 'drop') return void req.socket.destroy();
    send(res, reply, headers);
  }

  private async answer(
    req: IncomingMessage,
    route: RouteDef,
    params: Record<string, string>,
    queryText: string,
    endpoint: string,
  ): Promise<{ reply: Reply; headers: Record<string, string> }> {
    let headers: Record<string, string> = {};
    let company = '';
    let arrived = 0;
    const answered = (reply: Reply) => {
      if (company) this.record(company, arrived, endpoint, reply);
      return { reply, headers };
    };
    try {
      const bodyText = await readBody(req);
      arrived = Date.now(); // wall clock, when the rate limit looks at it
      const now = await this.sim.clock.now();
      this.onNow(now);
      if (!isSandboxRoute(route)) checkApiVersion(req);
      const { token, companyUuid } = authenticate(this.sim, req, route);
      company = companyUuid;
      headers = rateLimit(this.sim, token, now.getTime());
      const ctx: Ctx = {
        sim: this.sim,
        now,
        params,
        query: queryText ? new URLSearchParams(queryText) : NO_QUERY,
        body: parseBodyText(bodyText, req.headers['content-type']),
        companyUuid,
        endpoint,
      };
      return answered(await route.handler(ctx));
    } catch (err) {
      if (err instanceof SandboxHttpError) return answered(errorReply(err));
      throw err;
    }
  }

  /** Company-token requests only: the per-company record benchmarks read (sim/request-log.ts). */
  private record(companyUuid: string, at: number, endpoint: string, reply: Reply): void {
    const retryAfter = reply.headers?.['Retry-After'];
    this.sim.requests.record(companyUuid, {
      at,
      endpoint,
      status: reply.status,
      ...(retryAfter === undefined ? {} : { retry_after_s: Number(retryAfter) }),
    });
  }
}
