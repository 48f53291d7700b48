/**
 * The Gusto sandbox: a node:http server speaking the Gusto Embedded Payroll API (v2025-11-15) over
 * an in-memory, seeded customer base, plus sandbox-only routes under /sandbox/.
 *
 * Request pipeline: route → count → fault rule → body → clock → API version → bearer token →
 * rate limit → handler → response (or, for drop_response, the change applied and the socket cut).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminRoutes, describeCompanies, type SeededCompany } from './admin.js';
import { SandboxClock, type ClockSource } from './clock.js';
import { companyRoutes } from './companies.js';
import type { Ctx, Reply, RouteDef, SandboxConfig, Sim } from './context.js';
import { contractorPaymentGroupRoutes } from './contractor-payment-groups.js';
import { contractorPaymentRoutes } from './contractor-payments.js';
import { contractorRoutes } from './contractors.js';
import { Counters, type SandboxCounters } from './counters.js';
import {
  badVersion,
  internalError,
  notFound,
  SandboxHttpError,
  unauthorized,
  unprocessable,
} from './errors.js';
import { eventRoutes } from './events.js';
import { Faults, type FaultAction } from './faults.js';
import { oauthRoutes } from './oauth.js';
import { payrollRoutes } from './payrolls.js';
import { freshSeed, Prng } from './prng.js';
import { RateLimiter, rateLimitResetHeader } from './rate-limit.js';
import { Router } from './router.js';
import { loadFixtures, seedCompanies } from './seed.js';
import type { CompanySpec } from './seed-spec.js';
import { Store } from './store.js';
import { settleAll, startTicker } from './ticker.js';
import { WebhookDispatcher, webhookRoutes } from './webhooks.js';

export type { SeededCompany, SeededContractor, SeededEmployee } from './admin.js';
export type { SandboxCounters } from './counters.js';
export type { CompanySpec } from './seed-spec.js';
export { signPayload } from './webhooks.js';

export interface SandboxOptions {
  /** 0 (the default here) = a free port; `npm run sandbox` uses SANDBOX_PORT or 8090. */
  port?: number;
  host?: string;
  /** Injected clock (time-skipping tests: the test environment's time). */
  clock?: ClockSource;
  /**
   * companies: how many (default: the 6 fixtures of sim/seed.json; beyond them companies are
   * generated). seed: PRNG seed (default: fresh per sandbox, so parallel sandboxes never share ids).
   * fixtures: replaces sim/seed.json's companies.
   */
  seed?: { companies?: number; seed?: number; fixtures?: CompanySpec[] };
  calculateLatencyMs?: number;
  submitLatencyMs?: number;
  /** Per token over a rolling 60 s; default 200. 0 or Infinity turns the limit off. */
  rateLimitPerMinute?: number;
  quiet?: boolean;
  /** Webhook switches (also changeable at run time with PUT /sandbox/config). */
  webhooks?: { enabled?: boolean; duplicate?: boolean; outOfOrder?: boolean; retryDelaysMs?: number[] };
  /** Background settle interval in ms (default 200). */
  tickMs?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  /** Same JSON as GET /sandbox/companies, computed on each access. */
  readonly companies: SeededCompany[];
  systemToken: string;
  /** The PRNG seed this sandbox was built from (pass it back as seed.seed to reproduce it). */
  seed: number;
  oauthClient: { client_id: string; client_secret: string };
  counters(): SandboxCounters;
  /** Current sandbox-clock time. */
  now(): Promise<Date>;
  close(): Promise<void>;
}

const SUPPORTED_SINCE = '2025-06-15';
/** Shared by every request without a query string (handlers only read queries). */
const NO_QUERY = new URLSearchParams();
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const ROUTES: RouteDef[] = [
  ...payrollRoutes,
  ...contractorPaymentRoutes,
  ...contractorPaymentGroupRoutes,
  ...contractorRoutes,
  ...companyRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  ...oauthRoutes,
  ...adminRoutes,
];

const isSandboxRoute = (route: RouteDef): boolean => route.template.startsWith('/sandbox/');
const endpointOf = (route: RouteDef): string => `${route.method} ${route.template}`;

function buildRouter(): Router<RouteDef> {
  const router = new Router<RouteDef>();
  for (const route of ROUTES) router.add(route.method, route.template, route);
  return router;
}

function buildSim(options: SandboxOptions, seed: number): Sim {
  const rng = new Prng(seed);
  const store = new Store(rng);
  const config: SandboxConfig = {
    calculateLatencyMs: options.calculateLatencyMs ?? 1500,
    submitLatencyMs: options.submitLatencyMs ?? 1500,
    webhooks: {
      enabled: options.webhooks?.enabled ?? true,
      duplicate: options.webhooks?.duplicate ?? false,
      outOfOrder: options.webhooks?.outOfOrder ?? false,
      retryDelaysMs: options.webhooks?.retryDelaysMs ?? [500, 2_000, 10_000],
    },
  };
  const limit = options.rateLimitPerMinute ?? 200;
  const faults = new Faults(new Prng(seed ^ 0x5eed));
  faults.setKnownEndpoints(ROUTES.filter((r) => !isSandboxRoute(r)).map(endpointOf));
  const sim: Sim = {
    store,
    clock: new SandboxClock(options.clock),
    config,
    counters: new Counters(),
    faults,
    limiter: new RateLimiter(limit > 0 ? limit : Number.POSITIVE_INFINITY),
    webhooks: new WebhookDispatcher(store, config.webhooks, new Prng(seed ^ 0xb00c)),
    oauthClient: {
      client_id: `sandbox-client-${rng.hex(8)}`,
      client_secret: `sandbox-secret-${rng.hex(16)}`,
    },
    seed,
    log: options.quiet ? () => {} : (message) => console.log(`[sandbox] ${message}`),
  };
  store.onEvent(sim.webhooks.onEvent);
  store.systemToken = rng.token();
  store.addToken(store.systemToken, { kind: 'system' });
  return sim;
}

// Request handling

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

class RequestHandler {
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
    try {
      const bodyText = await readBody(req);
      const now = await this.sim.clock.now();
      this.onNow(now);
      if (!isSandboxRoute(route)) checkApiVersion(req);
      const { token, companyUuid } = authenticate(this.sim, req, route);
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
      return { reply: await route.handler(ctx), headers };
    } catch (err) {
      if (err instanceof SandboxHttpError) return { reply: errorReply(err), headers };
      throw err;
    }
  }
}

// Lifecycle

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = (options.seed?.seed ?? freshSeed()) >>> 0;
  const sim = buildSim(options, seed);
  let lastNow = await sim.clock.now();
  const fixtures = options.seed?.fixtures ?? loadFixtures();
  seedCompanies(sim, fixtures, options.seed?.companies ?? fixtures.length, lastNow);
  const handler = new RequestHandler(sim, buildRouter(), (now) => (lastNow = now));
  const server = createServer({ keepAliveTimeout: 30_000 }, handler.handle);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const stopTicker = startTicker(sim, options.tickMs ?? 200);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  sim.log(`listening on ${url} (seed ${seed}, ${sim.store.companies.size} companies)`);
  return {
    url,
    port,
    get companies() {
      settleAll(sim, lastNow.getTime());
      return describeCompanies(sim, lastNow);
    },
    systemToken: sim.store.systemToken,
    seed,
    oauthClient: sim.oauthClient,
    counters: () => sim.counters.snapshot(),
    now: () => sim.clock.now(),
    close: async () => {
      stopTicker();
      sim.webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
