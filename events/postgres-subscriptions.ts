/**
 * Subscriptions in the service's own PostgreSQL (PAYROLL_DATABASE_URL), for the cluster: every API
 * process and worker sees the same list. The list is one row, changed under a row lock, so two API
 * processes creating at once cannot both win the same URL.
 */
import type pg from 'pg';
import type { SealKey } from '../gusto/seal.js';
import { inTransaction } from '../gusto/stores/postgres.js';
import type { StoredSubscription } from './sealed-secrets.js';
import { WholeListStore } from './subscriptions.js';

const SCHEMA = 'payroll_events';
const TABLE = `${SCHEMA}.subscription_list`;
/** Arbitrary constant: serialises the CREATEs of concurrent first starts. */
const MIGRATION_LOCK = 7_300_113;

export class PostgresSubscriptionStore extends WholeListStore {
  private ready?: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    keys: readonly SealKey[] = [],
  ) {
    super(keys);
  }

  protected async load(): Promise<StoredSubscription[]> {
    await this.migrated();
    const { rows } = await this.pool.query<{ subscriptions: StoredSubscription[] }>(
      `SELECT subscriptions FROM ${TABLE} WHERE id = 1`,
    );
    return rows[0]?.subscriptions ?? [];
  }

  protected async transactStored<T>(
    fn: (stored: StoredSubscription[]) => { stored: StoredSubscription[]; result: T },
  ): Promise<T> {
    await this.migrated();
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ subscriptions: StoredSubscription[] }>(
        `SELECT subscriptions FROM ${TABLE} WHERE id = 1 FOR UPDATE`,
      );
      const { stored, result } = fn(rows[0]?.subscriptions ?? []);
      await client.query(`UPDATE ${TABLE} SET subscriptions = $1, updated_at = now() WHERE id = 1`, [
        JSON.stringify(stored),
      ]);
      return result;
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private migrated(): Promise<void> {
    this.ready ??= this.migrate().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private migrate(): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (id int PRIMARY KEY CHECK (id = 1), subscriptions jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query(`INSERT INTO ${TABLE} (id, subscriptions) VALUES (1, '[]') ON CONFLICT DO NOTHING`);
    });
  }
}
