/**
 * The Temporal server of `npm run cluster`: schema set-up with the script compose uses, then the
 * multi-service server (frontend, history, matching, worker in one process) on the checked-in config
 * scripts/cluster/config/cluster.yaml, which takes every address and port from the environment.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ServerPaths } from '../provision/paths.js';
import {
  REPO_ROOT,
  spawnService,
  untilReady,
  untilTemporalServing,
  type ServiceProcess,
} from './processes.js';

/**
 * Ports of the server's four services, derived from the frontend's (TEMPORAL_PORT) by Temporal's own
 * default spacing: 7233 gives 7234 history, 7235 matching, 7239 worker, 7243 frontend HTTP and
 * 6933-6939 membership, exactly the defaults. A second cluster needs only a different TEMPORAL_PORT.
 */
export function temporalPorts(frontend: number): Record<string, number> {
  return {
    TEMPORAL_FRONTEND_PORT: frontend,
    TEMPORAL_HISTORY_PORT: frontend + 1,
    TEMPORAL_MATCHING_PORT: frontend + 2,
    TEMPORAL_WORKER_PORT: frontend + 6,
    TEMPORAL_FRONTEND_HTTP_PORT: frontend + 10,
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: frontend - 300,
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: frontend - 299,
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: frontend - 298,
    TEMPORAL_WORKER_MEMBERSHIP_PORT: frontend - 294,
  };
}

export interface Database {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The variables setup-postgres-schema.sh and cluster.yaml read, in the names compose uses. */
function databaseEnv(db: Database): NodeJS.ProcessEnv {
  return {
    POSTGRES_SEEDS: db.host,
    DB_PORT: String(db.port),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    SQL_PASSWORD: db.password,
  };
}

/** Creates the Temporal databases (when missing) and migrates their schemas; throws with the output. */
export async function setupSchema(paths: ServerPaths, db: Database, env: NodeJS.ProcessEnv): Promise<void> {
  await run('sh', [join(REPO_ROOT, 'scripts/compose/setup-postgres-schema.sh')], {
    ...env,
    ...databaseEnv(db),
    SCHEMA_DIR: join(paths.postgresSchemaRoot, 'v12'),
    TEMPORAL_SQL_TOOL: paths.sqlTool,
  });
}

/** Creates database `name` for the service's own tables; an existing one is fine. */
export async function createDatabase(
  paths: ServerPaths,
  db: Database,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const args = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  await run(paths.sqlTool, [...args, '--db', name, 'create'], { ...env, SQL_PASSWORD: db.password }).catch(
    (err: Error) => {
      if (!/already exists/.test(err.message)) throw err;
    },
  );
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.at(-1)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

export interface TemporalServerOptions {
  paths: ServerPaths;
  db: Database;
  port: number;
  /** Fixed for the life of the database (see cluster.yaml). */
  historyShards: number;
  env: NodeJS.ProcessEnv;
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  process: ServiceProcess;
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const ports = Object.fromEntries(Object.entries(temporalPorts(opts.port)).map(([k, v]) => [k, String(v)]));
  const server = spawnService({
    name: 'Temporal server',
    command: opts.paths.server,
    args: [
      '--root',
      REPO_ROOT,
      '--config',
      'scripts/cluster/config',
      '--env',
      'cluster',
      '--allow-no-auth',
      'start',
    ],
    env: {
      ...opts.env,
      ...databaseEnv(opts.db),
      ...ports,
      NUM_HISTORY_SHARDS: String(opts.historyShards),
      TEMPORAL_BIND_IP: '127.0.0.1',
      TEMPORAL_DYNAMIC_CONFIG: join(REPO_ROOT, 'scripts/compose/dynamicconfig/production-sql.yaml'),
    },
    onOutput: opts.onOutput,
  });
  const address = `127.0.0.1:${opts.port}`;
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  await untilReady(server, untilTemporalServing(address, timeoutMs), timeoutMs + 5_000);
  return { address, process: server };
}
