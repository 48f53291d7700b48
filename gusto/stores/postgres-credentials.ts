/**
 * The cluster's credential store: a row per company in PostgreSQL, shared by every worker, the API
 * and the CLI. Single-flight is a transaction-scoped advisory lock per company (it also covers a
 * company that has no row yet); the lock is held while the refresh call runs and released by the
 * COMMIT that makes the new refresh token durable, so a waiter always reads the winner's tokens.
 */
import type pg from 'pg';
import type { CredentialStore } from '../credentials.js';
import type { SealKey } from '../seal.js';
import { CREDENTIALS_TABLE, inTransaction, migrate } from './postgres.js';
import {
  checkCompanyId,
  isState,
  openRecord,
  sealChange,
  summaryOf,
  type SealedRecord,
} from './sealed-record.js';

interface Row {
  company_id: string;
  state: string;
  key_id: string | null;
  sealed: Buffer | null;
  reason: string | null;
  loaded_at: Date;
  rotated_at: Date;
}

const COLUMNS = 'company_id, state, key_id, sealed, reason, loaded_at, rotated_at';

function fromRow(row: Row): SealedRecord {
  if (!isState(row.state))
    throw new Error(`${CREDENTIALS_TABLE}: unknown state ${JSON.stringify(row.state)}`);
  return {
    companyId: row.company_id,
    state: row.state,
    keyId: row.key_id ?? undefined,
    sealed: row.sealed ?? undefined,
    reason: row.reason ?? undefined,
    loadedAt: row.loaded_at,
    rotatedAt: row.rotated_at,
  };
}

export function postgresCredentialStore(pool: pg.Pool, keys: readonly SealKey[]): CredentialStore {
  const select = async (db: pg.Pool | pg.PoolClient, companyId: string) => {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM ${CREDENTIALS_TABLE} WHERE company_id = $1`,
      [companyId],
    );
    return rows[0] && fromRow(rows[0]);
  };

  const store: CredentialStore = {
    async read(companyId) {
      checkCompanyId(companyId);
      await migrate(pool);
      const record = await select(pool, companyId);
      return record && openRecord(keys, record);
    },

    async update(companyId, fn) {
      checkCompanyId(companyId);
      await migrate(pool);
      await inTransaction(pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `${CREDENTIALS_TABLE}:${companyId}`,
        ]);
        const record = await select(client, companyId);
        const change = await fn(record && openRecord(keys, record));
        if (change) {
          const r = sealChange(keys, companyId, record, change, new Date());
          await client.query(
            `INSERT INTO ${CREDENTIALS_TABLE} (${COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())
             ON CONFLICT (company_id) DO UPDATE SET state = $2, key_id = $3, sealed = $4, reason = $5,
               loaded_at = $6, rotated_at = $7, updated_at = now()`,
            [
              r.companyId,
              r.state,
              r.keyId ?? null,
              r.sealed ?? null,
              r.reason ?? null,
              r.loadedAt,
              r.rotatedAt,
            ],
          );
        }
      });
    },

    async list() {
      await migrate(pool);
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${CREDENTIALS_TABLE} ORDER BY company_id`,
      );
      return rows.map(fromRow).map(summaryOf);
    },

    async check() {
      await migrate(pool);
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${CREDENTIALS_TABLE} WHERE sealed IS NOT NULL`,
      );
      for (const row of rows) openRecord(keys, fromRow(row));
    },

    // The pool belongs to whoever made it (it is shared with the rate budget).
    async close() {},
  };
  return store;
}
