import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { WORKER_VARIABLES, workerTuningFrom, type WorkerTuning } from './config-worker.js';

/**
 * The one config loader. Every process (worker, `npm start`, HTTP API, sandbox, CLI) reads its settings
 * through `loadConfig`, so a variable has one name, one default and one validation rule everywhere.
 * A bad value stops start-up with one line per problem naming the variable and the rule.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const TOKEN_SOURCES = ['sandbox', 'static', 'oauth'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

export interface PayloadKey {
  id: string;
  key: Buffer; // 32 bytes, AES-256-GCM
}

export interface Config {
  temporal: {
    /** Set: use this server. Unset: `npm start` runs its own dev server; a bare worker uses localhost:7233. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    apiKey: string | undefined;
    tls: boolean;
    /** Ports of the dev server `npm start` runs when `address` is unset. */
    devServerPort: number;
    uiPort: number;
    cliPath: string | undefined;
  };
  gusto: {
    /** Set: call this API. Unset: `npm start` runs the sandbox; a bare worker uses http://localhost:8090. */
    baseUrl: string | undefined;
    apiVersion: string;
    tokenSource: TokenSource;
    accessTokens: Record<string, string>;
    systemToken: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    refreshTokens: Record<string, string>;
    webhookToken: string | undefined;
  };
  api: {
    host: string;
    port: number;
    keys: string[];
    /** Browser origins (the Web UI's) allowed to call the /codec routes. */
    codecOrigins: string[];
  };
  /** Outbound events; subscriptions live in DATA_DIR (event-subscriptions.json). */
  events: { allowInsecureUrls: boolean };
  sandbox: {
    host: string;
    port: number;
    /** Undefined: the sandbox's defaults (its fixture companies; a fresh seed, or DATA_DIR's for npm start). */
    companies: number | undefined;
    seed: number | undefined;
    rateLimitPerMinute: number | undefined;
    calculateLatencyMs: number | undefined;
    submitLatencyMs: number | undefined;
    /** Undefined: `npm run sandbox` keeps state in memory; `npm start` uses DATA_DIR/sandbox-state.json. */
    stateFile: string | undefined;
  };
  metrics: { port: number | undefined };
  /** OpenTelemetry traces (observability/tracing.ts). No endpoint: tracing is off. */
  tracing: { otlpEndpoint: string | undefined; serviceName: string };
  /** `npm run cluster` only: its PostgreSQL port and how many worker processes it starts. */
  cluster: { postgresPort: number; workers: number };
  /** The service's own PostgreSQL (shared Gusto credentials and rate budget). Unset: embedded stores. */
  databaseUrl: string | undefined;
  dataDir: string;
  shutdownGraceMs: number;
  /** Worker options and the polling net's timing (workers/config-worker.ts). */
  worker: WorkerTuning;
  logLevel: LogLevel;
  /** Unset: `pretty` on a terminal, `json` otherwise (see `resolveLogFormat`). */
  logFormat: LogFormat | undefined;
  /** First key encrypts; all keys decrypt (rotation). Empty: payloads are stored as plain JSON. */
  payloadKeys: PayloadKey[];
  workflowBundlePath: string | undefined;
}

/** Thrown by `loadConfig`; `problems` holds one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
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

interface VariableSpec {
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
type Parsed = { [K in ConfigVariable]: z.output<(typeof CONFIG_VARIABLES)[K]['schema']> | undefined };

/** Validates every variable and reports all bad ones at once, so a deploy needs one fix round. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const values = parseVariables(env, problems);
  const invalid = new Set(problems.map((line) => line.slice(0, line.indexOf(':'))));
  problems.push(...crossChecks(values, invalid));
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(values);
}

function parseVariables(env: NodeJS.ProcessEnv, problems: string[]): Parsed {
  const values: Record<string, unknown> = {};
  for (const [variable, spec] of Object.entries(CONFIG_VARIABLES) as [ConfigVariable, VariableSpec][]) {
    const fromFile = spec.secret ? secretFromFile(variable, env, problems) : undefined;
    const raw = env[variable]?.trim() || fromFile || spec.default;
    if (raw === undefined) continue;
    const result = spec.schema.safeParse(raw);
    if (result.success) values[variable] = result.data;
    else problems.push(describeProblem(variable, spec, raw, result.error));
  }
  return values as Parsed;
}

/**
 * A secret may come from a file instead (`<NAME>_FILE=/run/secrets/...`, as Docker and Kubernetes
 * mount them), so it never sits in the process environment. Setting both is a mistake, not a choice.
 */
function secretFromFile(variable: string, env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const path = env[`${variable}_FILE`]?.trim();
  if (!path) return undefined;
  if (env[variable]?.trim()) {
    problems.push(`${variable}_FILE: set ${variable} or ${variable}_FILE, not both`);
    return undefined;
  }
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (err) {
    problems.push(
      `${variable}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
}

/** The variables the loader reads, with `<NAME>_FILE` for each secret. */
export function knownVariable(name: string): boolean {
  if (name in CONFIG_VARIABLES) return true;
  const base = name.replace(/_FILE$/, '');
  return base !== name && (CONFIG_VARIABLES as Record<string, VariableSpec>)[base]?.secret === true;
}

function describeProblem(variable: string, spec: VariableSpec, raw: string, error: z.ZodError): string {
  const rule = error.issues[0]?.message ?? 'is invalid';
  // Secrets stay out of logs: the rule is enough to fix them.
  return spec.secret ? `${variable}: ${rule}` : `${variable}: ${rule}, got ${JSON.stringify(raw)}`;
}

/** Rules across variables; a variable already reported as invalid is not reported again as missing. */
function crossChecks(v: Parsed, invalid: Set<string>): string[] {
  const problems: string[] = [];
  const requireFor = (variable: ConfigVariable, source: TokenSource) => {
    if (v.GUSTO_TOKEN_SOURCE === source && v[variable] === undefined && !invalid.has(variable))
      problems.push(`${variable}: required when GUSTO_TOKEN_SOURCE=${source}`);
  };
  requireFor('GUSTO_ACCESS_TOKENS', 'static');
  requireFor('GUSTO_CLIENT_ID', 'oauth');
  requireFor('GUSTO_CLIENT_SECRET', 'oauth');
  if (
    v.GUSTO_TOKEN_SOURCE === 'oauth' &&
    v.PAYLOAD_ENCRYPTION_KEY === undefined &&
    !invalid.has('PAYLOAD_ENCRYPTION_KEY')
  )
    problems.push(
      'PAYLOAD_ENCRYPTION_KEY: required when GUSTO_TOKEN_SOURCE=oauth (stored refresh tokens are sealed with it)',
    );
  problems.push(...portClashes(v));
  return problems;
}

/** `npm start` binds all of these on one machine; a clash would surface later as a confusing EADDRINUSE. */
function portClashes(v: Parsed): string[] {
  const seen = new Map<number, ConfigVariable>();
  const problems: string[] = [];
  const ports: ConfigVariable[] = [
    'API_PORT',
    'SANDBOX_PORT',
    'TEMPORAL_PORT',
    'TEMPORAL_UI_PORT',
    'METRICS_PORT',
    'CLUSTER_POSTGRES_PORT',
  ];
  for (const variable of ports) {
    const value = v[variable] as number | undefined;
    if (value === undefined) continue;
    const other = seen.get(value);
    if (other) problems.push(`${variable}: must differ from ${other} (both ${value})`);
    else seen.set(value, variable);
  }
  return problems;
}

function toConfig(v: Parsed): Config {
  const apiKey = v.TEMPORAL_API_KEY;
  return {
    temporal: {
      address: v.TEMPORAL_ADDRESS,
      namespace: v.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: v.TASK_QUEUE ?? 'payroll',
      apiKey,
      tls: (v.TEMPORAL_TLS ?? false) || apiKey !== undefined,
      devServerPort: v.TEMPORAL_PORT ?? 7233,
      uiPort: v.TEMPORAL_UI_PORT ?? 8233,
      cliPath: v.TEMPORAL_CLI_PATH,
    },
    gusto: {
      baseUrl: v.GUSTO_BASE_URL,
      apiVersion: v.GUSTO_API_VERSION ?? '2025-11-15',
      tokenSource: v.GUSTO_TOKEN_SOURCE ?? 'sandbox',
      accessTokens: v.GUSTO_ACCESS_TOKENS ?? {},
      systemToken: v.GUSTO_SYSTEM_TOKEN,
      clientId: v.GUSTO_CLIENT_ID,
      clientSecret: v.GUSTO_CLIENT_SECRET,
      refreshTokens: v.GUSTO_REFRESH_TOKENS ?? {},
      webhookToken: v.GUSTO_WEBHOOK_TOKEN,
    },
    api: {
      host: v.API_HOST ?? '127.0.0.1',
      port: v.API_PORT ?? 8080,
      keys: v.API_KEYS ?? [],
      codecOrigins: v.CODEC_CORS_ORIGINS ?? [
        `http://localhost:${v.TEMPORAL_UI_PORT ?? 8233}`,
        `http://127.0.0.1:${v.TEMPORAL_UI_PORT ?? 8233}`,
      ],
    },
    events: { allowInsecureUrls: v.EVENTS_ALLOW_INSECURE_URLS ?? false },
    sandbox: {
      host: v.SANDBOX_HOST ?? '127.0.0.1',
      port: v.SANDBOX_PORT ?? 8090,
      companies: v.SANDBOX_COMPANIES,
      seed: v.SANDBOX_SEED,
      rateLimitPerMinute: v.SANDBOX_RATE_LIMIT,
      calculateLatencyMs: v.SANDBOX_CALCULATE_LATENCY_MS,
      submitLatencyMs: v.SANDBOX_SUBMIT_LATENCY_MS,
      stateFile: v.SANDBOX_STATE_FILE,
    },
    metrics: { port: v.METRICS_PORT },
    tracing: {
      otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: v.OTEL_SERVICE_NAME ?? 'payroll-orchestrator',
    },
    cluster: { postgresPort: v.CLUSTER_POSTGRES_PORT ?? 5433, workers: v.CLUSTER_WORKERS ?? 2 },
    databaseUrl: v.PAYROLL_DATABASE_URL,
    dataDir: v.DATA_DIR ?? './data',
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS ?? 30_000,
    worker: workerTuningFrom(v),
    logLevel: v.LOG_LEVEL ?? 'info',
    logFormat: v.LOG_FORMAT,
    payloadKeys: v.PAYLOAD_ENCRYPTION_KEY ?? [],
    workflowBundlePath: v.WORKFLOW_BUNDLE_PATH,
  };
}

/** Defaults a lone worker or client uses when `npm start` has not supplied its own servers. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_GUSTO_BASE_URL = 'http://localhost:8090';

/**
 * For entry points: load the config or print the problems (one line each) and exit 1, without a stack
 * trace that would bury the line that matters.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) console.error(line);
    process.exit(1);
  }
}
