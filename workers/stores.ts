/**
 * Where the Gusto client keeps what every worker must share: company OAuth credentials and the
 * per-company request budget. With PAYROLL_DATABASE_URL both live in that PostgreSQL (the cluster);
 * without it, credentials are files in DATA_DIR/gusto-credentials and the budget is in memory (one
 * process: `npm start`, or a lone worker).
 */
import { join } from 'node:path';
import type pg from 'pg';
import type { CredentialStore } from '../gusto/credentials.js';
import { createRateLimiter, type RateLimiter } from '../gusto/rate-limit.js';
import { SealKeyError } from '../gusto/seal.js';
import { fileCredentialStore } from '../gusto/stores/file-credentials.js';
import { createPool, describeConnectionError } from '../gusto/stores/postgres.js';
import { postgresCredentialStore } from '../gusto/stores/postgres-credentials.js';
import { sharedRateLimiter } from '../gusto/stores/postgres-rate-limit.js';
import { PostgresSubscriptionStore } from '../events/postgres-subscriptions.js';
import {
  FileSubscriptionStore,
  MemorySubscriptionStore,
  type SubscriptionStore,
} from '../events/subscriptions.js';
import { ConfigError, type Config } from './config.js';

export interface GustoStores {
  credentials: CredentialStore;
  rateLimiter: RateLimiter;
  /** Start-up check: fails with a ConfigError naming the variable and the rule. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function credentialsDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'gusto-credentials');
}

/** Builds the stores lazily: nothing connects until first use or `check()`. */
export function gustoStoresFromConfig(config: Config): GustoStores {
  const keys = config.payloadKeys;
  if (config.databaseUrl) {
    const pool = createPool(config.databaseUrl);
    const credentials = postgresCredentialStore(pool, keys);
    return {
      credentials,
      rateLimiter: sharedRateLimiter({ pool }),
      check: () => checkPostgres(pool, credentials, config),
      close: () => pool.end(),
    };
  }
  const dir = credentialsDir(config);
  const credentials = fileCredentialStore({ dir, keys });
  return {
    credentials,
    rateLimiter: createRateLimiter(),
    check: async () => {
      if (config.gusto.tokenSource !== 'oauth') return;
      await credentials.check().catch((err: unknown) => {
        throw new ConfigError([
          err instanceof SealKeyError
            ? err.message
            : `DATA_DIR: cannot use ${dir} for Gusto credentials: ${(err as Error).message}`,
        ]);
      });
    },
    close: async () => {},
  };
}

async function checkPostgres(pool: pg.Pool, credentials: CredentialStore, config: Config): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new ConfigError([
      `PAYROLL_DATABASE_URL: cannot reach PostgreSQL (${describeConnectionError(err)})`,
    ]);
  }
  try {
    await credentials.check();
  } catch (err) {
    if (err instanceof SealKeyError && config.gusto.tokenSource !== 'oauth') return;
    throw new ConfigError([
      err instanceof SealKeyError
        ? err.message
        : `PAYROLL_DATABASE_URL: cannot prepare schema payroll_gusto (${describeConnectionError(err)})`,
    ]);
  }
}

/**
 * Outbound event subscriptions: in the service's PostgreSQL with PAYROLL_DATABASE_URL (the cluster:
 * several API processes and workers), else the file in DATA_DIR; without a config, in memory. Their
 * signing secrets are sealed with PAYLOAD_ENCRYPTION_KEY when it is set.
 */
export function subscriptionStoreFromConfig(
  config?: Partial<Pick<Config, 'dataDir' | 'databaseUrl' | 'payloadKeys'>>,
): SubscriptionStore {
  const keys = config?.payloadKeys ?? [];
  if (config?.databaseUrl) return new PostgresSubscriptionStore(createPool(config.databaseUrl), keys);
  return config?.dataDir
    ? FileSubscriptionStore.inDataDir(config.dataDir, keys)
    : new MemorySubscriptionStore();
}
