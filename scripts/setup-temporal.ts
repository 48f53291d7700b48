/**
 * One-shot set-up of a Temporal server for this service (the compose file's `temporal-setup`): wait
 * until the frontend answers, create the namespace if missing, and register the search attributes of
 * workflows/search-attributes.ts, so that file stays the only list of them. Safe to run again.
 */
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { DEFAULT_TEMPORAL_ADDRESS, loadConfigOrExit } from '../workers/config.js';

// temporal.api.enums.v1.IndexedValueType, by the SDK's type names.
const INDEXED_VALUE_TYPE: Record<string, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};
const RETENTION_DAYS = 30;
const GRPC_NOT_FOUND = 5;

async function connectWhenUp(address: string, tls: boolean, apiKey?: string): Promise<Connection> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, tls, apiKey, connectTimeout: 5_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} not reachable: ${String(err)}`);
      console.log(`waiting for Temporal at ${address}...`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    log(`namespace ${namespace}: exists`);
  } catch {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(RETENTION_DAYS * 24 * 3600 * 1000),
    });
    log(`namespace ${namespace}: created (retention ${RETENTION_DAYS} days)`);
  }
}

/**
 * A namespace created a moment ago is not yet in the server's namespace cache (refreshed about every
 * 10 s), and the operator calls answer NOT_FOUND until it is: retry for a while.
 */
async function untilNamespaceKnown<T>(call: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: number }).code !== GRPC_NOT_FOUND || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Registers `keys` in `namespace`, each with the index type it is declared with. */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly (typeof ALL_SEARCH_ATTRIBUTES)[number][],
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(keys.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]!])),
  });
}

export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  const { customAttributes } = await untilNamespaceKnown(() =>
    connection.operatorService.listSearchAttributes({ namespace }),
  );
  const existing = new Set(Object.keys(customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !existing.has(key.name));
  if (missing.length > 0) await addSearchAttributes(connection, namespace, missing);
  log(`search attributes: ${missing.length} added, ${existing.size} already there`);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const address = config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const connection = await connectWhenUp(address, config.temporal.tls, config.temporal.apiKey);
  try {
    await ensureNamespace(connection, config.temporal.namespace);
    await ensureSearchAttributes(connection, config.temporal.namespace);
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`setup-temporal failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
