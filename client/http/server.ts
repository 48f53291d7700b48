import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Client } from '@temporalio/client';
import type { SubscriptionStore } from '../../events/subscriptions.js';
import { subscriptionStoreFromConfig } from '../../workers/stores.js';
import type { GustoClient } from '../../gusto/client.js';
import { AesGcmPayloadCodec } from '../../workers/codec.js';
import type { Config } from '../../workers/config.js';
import type { PayloadKey } from '../../workers/config-variables.js';
import { parseInput, ServiceError } from '../errors.js';
import { apiKeyChecker } from './auth.js';
import { allowCodecOrigins } from './codec.js';
import { errorReply } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { isExplicitResult, type RouteContext, type RouteSpec } from './route.js';
import { apiRoutes } from './routes.js';
import { WebhookKeys } from './webhooks.js';
import { inRequestSpan, traceApiRequests } from '../../observability/spans.js';

export interface ApiServerOptions {
  temporal: Client;
  taskQueue: string;
  /** Accepted API keys (`Authorization: Bearer <key>`). Empty: no auth, for local use only. */
  apiKeys?: readonly string[];
  /** Alternative to the fields above: taken from the one config loader. */
  config?: Pick<Config, 'api' | 'gusto' | 'temporal'> &
    Partial<Pick<Config, 'payloadKeys' | 'events' | 'dataDir'>>;
  /** Keys of the /codec routes (default: config.payloadKeys). None: those routes answer 404. */
  payloadKeys?: PayloadKey[];
  /** Browser origins (the Web UI's) allowed to call /codec (default: config.api.codecOrigins). */
  codecOrigins?: readonly string[];
  /** For listing straight from Gusto and completing the webhook handshake. */
  gusto?: GustoClient;
  /** The webhook subscription's verification token (HMAC key of X-Gusto-Signature). */
  webhookToken?: string;
  /** Replaces the DescribeTaskQueue poller check in /healthz (e.g. an in-process worker's state). */
  isWorkerReady?: () => boolean | Promise<boolean>;
  /** Outbound event subscriptions. Default: the file in DATA_DIR with `config`, else in memory. */
  subscriptions?: SubscriptionStore;
  /** Fastify logger options; `false` in tests. Authorization and signatures are always redacted. */
  logger?: FastifyServerOptions['logger'];
}

const REDACT = ['req.headers.authorization', 'req.headers["x-gusto-signature"]', 'req.headers.cookie'];

/** Builds (does not listen) the HTTP API: every route comes from the one route table. */
export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const app = Fastify({
    logger: withRedaction(opts.logger ?? { level: opts.config ? 'info' : 'warn' }),
    bodyLimit: 1024 * 1024,
    // A caller's x-request-id (or a generated one) tags the server's log lines and comes back in the
    // response, so a support question can be matched to the logs.
    requestIdHeader: 'x-request-id',
  });
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  traceApiRequests(app);
  const apiKeys = opts.apiKeys ?? opts.config?.api.keys ?? [];
  if (apiKeys.length === 0) app.log.warn('API_KEYS is empty: the HTTP API accepts unauthenticated requests');
  const checkKey = apiKeys.length > 0 ? apiKeyChecker(apiKeys) : () => undefined;
  const routes = apiRoutes;
  const payloadKeys = opts.payloadKeys ?? opts.config?.payloadKeys ?? [];
  const openapi = buildOpenApi(routes, {
    title: 'Payroll orchestration API',
    version: '1.0.0',
    description:
      'Durable payroll, contractor payment and contractor lifecycle processes on Temporal for Gusto.',
  });
  const base = {
    temporal: opts.temporal,
    taskQueue: opts.taskQueue,
    gusto: opts.gusto,
    webhookKeys: new WebhookKeys(opts.webhookToken ?? opts.config?.gusto.webhookToken),
    isWorkerReady: opts.isWorkerReady,
    codec: payloadKeys.length > 0 ? new AesGcmPayloadCodec(payloadKeys) : undefined,
    subscriptions: opts.subscriptions ?? subscriptionStoreFromConfig(opts.config),
    allowInsecureEventUrls: opts.config?.events?.allowInsecureUrls,
    openapi,
  };
  allowCodecOrigins(app, opts.codecOrigins ?? opts.config?.api.codecOrigins ?? []);

  app.setErrorHandler((err, req, reply) => send(reply, errorReply(err, req.log)));
  const allowedOn = methodsByPath(routes);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    // The path exists with other methods: 405 and what it does allow, as HTTP asks, rather than 404.
    const allowed = allowedOn(path);
    if (allowed.length === 0)
      return send(reply, errorReply(new ServiceError('not_found', `no route ${req.method} ${path}`)));
    void reply.header('allow', allowed.join(', '));
    return send(
      reply,
      errorReply(
        new ServiceError(
          'method_not_allowed',
          `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        ),
      ),
    );
  });
  for (const route of routes.filter((r) => !r.rawBody)) register(app, route, base, checkKey);
  // Signature checks need the exact bytes received, so raw-body routes get their own parser in their
  // own encapsulated context; JSON parsing everywhere else stays untouched.
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const route of routes.filter((r) => r.rawBody)) register(raw, route, base, checkKey);
  });
  return app;
}

function register(
  app: FastifyInstance,
  route: RouteSpec,
  base: Omit<RouteContext, 'log' | 'headers' | 'rawBody'>,
  checkKey: (authorization: string | undefined) => void,
): void {
  const successStatus = Number(Object.keys(route.responses).find((s) => s.startsWith('2')) ?? 200);
  app.route({
    method: route.method,
    url: route.path.replace(/\{(\w+)\}/g, ':$1'),
    // Authenticate before the body is even parsed: an anonymous caller learns nothing from a 400.
    onRequest: async (req) => {
      if (route.auth !== false) checkKey(req.headers.authorization);
    },
    handler: inRequestSpan(async (req: FastifyRequest, reply: FastifyReply) => {
      const input = {
        params: route.params ? parseInput(route.params, req.params) : undefined,
        query: route.query ? parseInput(route.query, req.query) : undefined,
        body: route.body && !route.rawBody ? parseInput(route.body, req.body ?? {}) : undefined,
      };
      const ctx: RouteContext = {
        ...base,
        log: req.log,
        headers: req.headers,
        rawBody: route.rawBody ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : undefined,
      };
      const result = await route.handler(input as never, ctx);
      if (isExplicitResult(result)) {
        if (result.headers) void reply.headers(result.headers);
        if (result.contentType) void reply.type(result.contentType);
        return reply.code(result.status).send(result.body);
      }
      return reply.code(successStatus).send(result);
    }),
  });
}

/** The methods the route table serves on a concrete path (HEAD comes with GET in Fastify). */
function methodsByPath(routes: readonly RouteSpec[]): (path: string) => string[] {
  const patterns = routes.map((r) => ({
    method: r.method,
    pattern: new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`),
  }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method as string));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

function send(reply: FastifyReply, r: { status: number; body: unknown }): FastifyReply {
  return reply.code(r.status).type('application/json').send(r.body);
}

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = typeof logger === 'object' ? logger : {};
  return { ...base, redact: REDACT } as FastifyServerOptions['logger'];
}
