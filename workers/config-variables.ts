/**
 * Every variable the service reads, each with its rule (zod), its default and a line for the README's
 * configuration table. workers/config.ts loads them; the worker's tuning variables live beside them in
 * config-worker.ts and are spread in here.
 */
import { z } from 'zod';
import { WORKER_VARIABLES } from './config-worker.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
const TOKEN_SOURCES = ['sandbox', 'static', 'oauth'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

export interface PayloadKey {
  id: string;
  key: Buffer; // 32 bytes, AES-256-GCM
}

const PORT_RULE = 'must be a port number (1-65535)';
const port = z
  .string()
  .regex(/^\d{1,5}$/, PORT_RULE)
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65535, PORT_RULE);

const wholeNumber = (rule: string) => z.string().regex(/^\d+$/, rule).transform(Number);
const nonNegativeInt = wholeNumber('must be a whole number of milliseconds (0 or more)');

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'must be host:port (e.g. localhost:7233)');

const httpUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http(s) URL')
  .transform((s) => s.replace(/\/+$/, ''));

const postgresUrl = z
  .string()
  .refine(
    (s) => URL.canParse(s) && /^postgres(ql)?:$/.test(new URL(s).protocol),
    'must be a postgres:// URL (postgres://user:password@host:5432/database)',
  );

const name = z
  .string()
  .regex(/^[A-Za-z0-9._\-/]+$/, 'must be letters, digits, dot, dash, underscore or slash');

const boolFlag = z
  .string()
  .regex(/^(true|false|1|0)$/i, 'must be true or false')
  .transform((s) => /^(true|1)$/i.test(s));

/** A JSON object mapping company uuid → string (tokens); values never appear in error messages. */
const tokenMap = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<company uuid>": "<token>"}' });
    return z.NEVER;
  }
  const map = z.record(z.string().min(1), z.string().min(1)).safeParse(parsed);
  if (!map.success || Object.keys(map.data).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-empty JSON object of non-empty strings' });
    return z.NEVER;
  }
  return map.data;
});

const payloadKeys = z.string().transform((raw, ctx) => {
  const keys: PayloadKey[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const [id, b64] = part.split(':');
    const key = b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (!id || !/^[A-Za-z0-9._-]+$/.test(id) || key.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be "<key id>:<base64 of 32 bytes>" (comma-separated for rotation)',
      });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  return keys;
});

export interface VariableSpec {
  schema: z.ZodType;
  /** Applied when the variable is unset or empty (compose passes `${X:-}` as an empty string). */
  default?: string;
  /** For the README table and error messages; never holds a secret. */
  describe: string;
  secret?: boolean;
}

/** Every variable the service reads. The README's configuration table lists exactly these. */
export const CONFIG_VARIABLES = {
  TEMPORAL_ADDRESS: {
    schema: hostPort,
    describe:
      'Temporal frontend host:port. Unset: `npm start` runs its own dev server; a lone worker uses localhost:7233',
  },
  TEMPORAL_NAMESPACE: { schema: name, default: 'default', describe: 'Temporal namespace' },
  TASK_QUEUE: {
    schema: name,
    default: 'payroll',
    describe: 'Task queue the worker polls and clients start on',
  },
  TEMPORAL_API_KEY: {
    schema: z.string().min(1),
    secret: true,
    describe: 'API key for Temporal Cloud (turns TLS on)',
  },
  TEMPORAL_TLS: { schema: boolFlag, default: 'false', describe: 'Connect to Temporal over TLS' },
  TEMPORAL_PORT: {
    schema: port,
    default: '7233',
    describe: 'gRPC port of the dev server `npm start` runs, and of the frontend `npm run cluster` runs',
  },
  TEMPORAL_UI_PORT: {
    schema: port,
    default: '8233',
    describe: 'Web UI port of the dev server `npm start` runs (`npm run cluster` has no UI)',
  },
  TEMPORAL_CLI_PATH: {
    schema: z.string().min(1),
    describe: 'Temporal CLI executable for the dev server (skips the cached build; see Platform)',
  },
  TEMPORAL_TEST_SERVER_PATH: {
    schema: z.string().min(1),
    describe: 'Time-skipping test server executable (tests only; skips the cached build)',
  },
  GUSTO_BASE_URL: {
    schema: httpUrl,
    describe:
      'Gusto API base URL. Unset: `npm start` runs the sandbox; a lone worker uses http://localhost:8090',
  },
  GUSTO_API_VERSION: {
    schema: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2025-11-15'),
    default: '2025-11-15',
    describe: 'Sent as X-Gusto-API-Version on every call',
  },
  GUSTO_TOKEN_SOURCE: {
    schema: z.enum(TOKEN_SOURCES, { error: `must be one of ${TOKEN_SOURCES.join(', ')}` }),
    default: 'sandbox',
    describe:
      'Where company tokens come from: sandbox (asks the sandbox), static (GUSTO_ACCESS_TOKENS), oauth (refresh)',
  },
  GUSTO_ACCESS_TOKENS: {
    schema: tokenMap,
    secret: true,
    describe: 'JSON map company uuid → access token (GUSTO_TOKEN_SOURCE=static)',
  },
  GUSTO_SYSTEM_TOKEN: {
    schema: z.string().min(1),
    secret: true,
    describe: 'System access token for events and webhook subscriptions',
  },
  GUSTO_CLIENT_ID: { schema: z.string().min(1), describe: 'OAuth client id (GUSTO_TOKEN_SOURCE=oauth)' },
  GUSTO_CLIENT_SECRET: {
    schema: z.string().min(1),
    secret: true,
    describe: 'OAuth client secret (GUSTO_TOKEN_SOURCE=oauth)',
  },
  GUSTO_REFRESH_TOKENS: {
    schema: tokenMap,
    secret: true,
    describe:
      'JSON map company uuid → OAuth refresh token: seeds the credential store for companies it has no record of (GUSTO_TOKEN_SOURCE=oauth)',
  },
  GUSTO_WEBHOOK_TOKEN: {
    schema: z.string().min(1),
    secret: true,
    describe: 'Webhook verification token: the key of the X-Gusto-Signature HMAC',
  },
  API_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    describe: 'Interface the HTTP API binds (0.0.0.0 in containers)',
  },
  API_PORT: { schema: port, default: '8080', describe: 'HTTP API port' },
  API_KEYS: {
    schema: z
      .string()
      .transform((s) => s.split(',').map((k) => k.trim()))
      .refine(
        (keys) => keys.every((k) => k.length >= 16),
        'must be comma-separated keys of at least 16 characters',
      ),
    secret: true,
    describe:
      'Comma-separated keys accepted by the HTTP API (Authorization: Bearer <key>). Unset: no auth (local use)',
  },
  CODEC_CORS_ORIGINS: {
    schema: z
      .string()
      .transform((s) => s.split(',').map((o) => o.trim()))
      .refine(
        (origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)),
        'must be comma-separated origins like https://temporal-ui.example.com (no path)',
      ),
    describe:
      "Browser origins allowed to call the API's /codec routes (the Web UI). Unset: http://localhost:<TEMPORAL_UI_PORT> and http://127.0.0.1:<TEMPORAL_UI_PORT>",
  },
  SANDBOX_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    describe: 'Interface the Gusto sandbox binds',
  },
  SANDBOX_PORT: { schema: port, default: '8090', describe: 'Gusto sandbox port' },
  SANDBOX_COMPANIES: {
    schema: wholeNumber('must be a whole number of companies (1 or more)').refine(
      (n) => n >= 1,
      'must be 1 or more',
    ),
    describe: 'How many companies the sandbox seeds (default: its 6 fixture companies; more are generated)',
  },
  SANDBOX_SEED: {
    schema: wholeNumber('must be a whole number'),
    describe: 'PRNG seed of the sandbox data (default: fresh per start; `npm start` keeps one in DATA_DIR)',
  },
  SANDBOX_RATE_LIMIT: {
    schema: z
      .string()
      .regex(/^(off|\d+)$/, 'must be requests per minute per token, or "off"')
      .transform((s) => (s === 'off' ? 0 : Number(s))),
    describe: 'Sandbox rate limit per token and rolling minute (default 200, like Gusto; "off" disables it)',
  },
  SANDBOX_CALCULATE_LATENCY_MS: {
    schema: nonNegativeInt,
    describe: 'Sandbox time a payroll calculation takes (default 1500)',
  },
  SANDBOX_SUBMIT_LATENCY_MS: {
    schema: nonNegativeInt,
    describe: 'Sandbox time a payroll submission takes (default 1500)',
  },
  SANDBOX_STATE_FILE: {
    schema: z.string().regex(/\.json$/i, 'must be a path to a .json file'),
    describe:
      'Sandbox state file: loaded at start, saved after changes. Unset: `npm start` uses DATA_DIR/sandbox-state.json, `npm run sandbox` keeps state in memory',
  },
  METRICS_PORT: {
    schema: port,
    describe: 'Prometheus endpoint of the worker (/metrics). Unset: no endpoint',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: httpUrl,
    describe:
      'OTLP/HTTP collector base URL (spans go to <url>/v1/traces). Unset: no tracing, no OpenTelemetry SDK started',
  },
  OTEL_SERVICE_NAME: {
    schema: name,
    default: 'payroll-orchestrator',
    describe: 'service.name of the exported spans',
  },
  CLUSTER_POSTGRES_PORT: {
    schema: port,
    default: '5433',
    describe:
      'PostgreSQL port of `npm run cluster` (5433: clear of a system PostgreSQL on 5432); it binds 127.0.0.1',
  },
  CLUSTER_WORKERS: {
    schema: wholeNumber('must be a whole number of worker processes (1-16)').refine(
      (n) => n >= 1 && n <= 16,
      'must be 1-16',
    ),
    default: '2',
    describe: 'How many worker processes (`npm run worker`) `npm run cluster` starts',
  },
  PAYROLL_DATABASE_URL: {
    schema: postgresUrl,
    secret: true,
    describe:
      "The service's own PostgreSQL: Gusto credentials and the per-company rate budget shared by all workers. Unset: token files in DATA_DIR, in-memory budget",
  },
  DATA_DIR: {
    schema: z.string().min(1),
    default: './data',
    describe:
      '`npm start` keeps the dev server SQLite file and the sandbox seed and state here; Gusto credentials without PAYROLL_DATABASE_URL',
  },
  EVENTS_ALLOW_INSECURE_URLS: {
    schema: boolFlag,
    default: 'false',
    describe:
      'Accept http:// event subscription URLs outside loopback (development only: events carry payroll figures)',
  },
  SHUTDOWN_GRACE_MS: {
    schema: nonNegativeInt,
    default: '30000',
    describe: 'On SIGTERM, how long in-flight activities may finish before they are cancelled',
  },
  LOG_LEVEL: {
    schema: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
    default: 'info',
    describe: 'Log level of the service and of the Temporal core runtime',
  },
  LOG_FORMAT: {
    schema: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` })),
    describe:
      'Output of the service: `pretty` (human lines) or `json` (one JSON object a line). Unset: pretty on a terminal, json otherwise',
  },
  PAYLOAD_ENCRYPTION_KEY: {
    schema: payloadKeys,
    secret: true,
    describe:
      'AES-256-GCM payload keys "<id>:<base64 32 bytes>", comma-separated, first encrypts. Unset: plain payloads',
  },
  WORKFLOW_BUNDLE_PATH: {
    schema: z.string().min(1),
    describe:
      'Prebuilt workflow bundle. Unset: dist/workflow-bundle.js when built from the current sources, else bundles at start',
  },
  ...WORKER_VARIABLES,
} satisfies Record<string, VariableSpec>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;
