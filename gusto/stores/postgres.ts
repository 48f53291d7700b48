/**
 * The service's own PostgreSQL objects (PAYROLL_DATABASE_URL): one schema, `payroll_gusto`, holding
 * the Gusto credentials table and the shared rate budget table. Created on first use by whichever
 * process comes first; an advisory lock keeps concurrent starts from racing on CREATE.
 */
import pg from 'pg';

export const SCHEMA = 'payroll_gusto';
export const CREDENTIALS_TABLE = `${SCHEMA}.credentials`;
export const RATE_BUDGET_TABLE = 'rate_budget';

/** Arbitrary constant: the key of the advisory lock that serialises schema creation. */
const MIGRATION_LOCK = 7_300_112;

const MIGRATION = `
  CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
  CREATE TABLE IF NOT EXISTS ${CREDENTIALS_TABLE} (
    company_id text PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('active', 'needs_credentials', 'revoked')),
    key_id text,
    sealed bytea,
    reason text,
    loaded_at timestamptz NOT NULL,
    rotated_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ${SCHEMA}.${RATE_BUDGET_TABLE} (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  );
`;

/** A pool that lets the process exit when idle (CLI commands, tests) and never logs its URL. */
export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    allowExitOnIdle: true,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (server restart) must not crash the worker.
  pool.on('error', () => undefined);
  return pool;
}

const migrated = new WeakMap<pg.Pool, Promise<void>>();

/** Creates the schema and tables once per pool. */
export function migrate(pool: pg.Pool): Promise<void> {
  let done = migrated.get(pool);
  if (!done) {
    done = inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(MIGRATION);
    });
    done.catch(() => migrated.delete(pool));
    migrated.set(pool, done);
  }
  return done;
}

/** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** "cannot reach …" without the URL (it holds the password). */
export function describeConnectionError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`;
}
