import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  CONFIG_VARIABLES,
  type ConfigVariable,
  type LogFormat,
  type LogLevel,
  type PayloadKey,
  type TokenSource,
  type VariableSpec,
} from './config-variables.js';
import { workerTuningFrom, type WorkerTuning } from './config-worker.js';

/**
 * The one config loader. Every process (worker, `npm start`, HTTP API, sandbox, CLI) reads its settings
 * through `loadConfig`, so a variable has one name, one default and one validation rule everywhere.
 * A bad value stops start-up with one line per problem naming the variable and the rule. The variables
 * themselves, with their rules and defaults, are in config-variables.ts.
 */

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
