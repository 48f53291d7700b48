import { Client, Connection } from '@temporalio/client';
import type { GustoClient } from '../../gusto/client.js';
import { dataConverterFromConfig } from '../../workers/codec.js';
import { ServiceError } from '../errors.js';
import { loadConfig, DEFAULT_TEMPORAL_ADDRESS, type Config } from '../../workers/config.js';
import type { GustoStores } from '../../workers/stores.js';
import { installTracing, tracingClientInterceptors } from '../../observability/tracing.js';

/** Where the CLI writes. Tests capture it; `main.ts` binds it to the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: live progress may rewrite lines only then. */
  isTty: boolean;
  /** All of stdin (secrets are read from a file or stdin, never argv). */
  readStdin?(): Promise<string>;
}

export interface ServiceDeps {
  temporal: Client;
  taskQueue: string;
}

/**
 * What commands share: the config (read once, through the one loader) and a Temporal client opened on
 * first use, so `--help` and bad input never wait for a connection.
 */
export class CliContext {
  private connection?: Promise<{ connection: Connection; deps: ServiceDeps }>;
  private cachedConfig?: Config;
  private cachedStores?: GustoStores;

  constructor(
    readonly io: CliIo,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get config(): Config {
    return (this.cachedConfig ??= loadConfig(this.env));
  }

  async deps(): Promise<ServiceDeps> {
    this.connection ??= this.connect();
    return (await this.connection).deps;
  }

  /** A Gusto client for reads straight from Gusto (listing), built from the same config as the worker. */
  async gusto(): Promise<GustoClient> {
    // Imported on use: most commands never talk to Gusto and need not load the worker's modules.
    const { gustoClientFromConfig } = await import('../../workers/worker.js');
    return gustoClientFromConfig(this.config);
  }

  /** The credential store and rate budget the workers use (workers/stores.ts), opened on first use. */
  async stores(): Promise<GustoStores> {
    if (!this.cachedStores) {
      const { gustoStoresFromConfig } = await import('../../workers/stores.js');
      this.cachedStores = gustoStoresFromConfig(this.config);
    }
    return this.cachedStores;
  }

  async close(): Promise<void> {
    await this.cachedStores?.close();
    if (!this.connection) return;
    const { connection } = await this.connection.catch(() => ({ connection: undefined }));
    await connection?.close();
  }

  private async connect(): Promise<{ connection: Connection; deps: ServiceDeps }> {
    return connectClient(this.config);
  }
}

/** A Temporal client for the service surface (CLI, `npm run api`, demo), configured by the loader. */
export async function connectClient(config: Config): Promise<{ connection: Connection; deps: ServiceDeps }> {
  const { temporal } = config;
  const address = temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address,
      tls: temporal.tls ? {} : undefined,
      apiKey: temporal.apiKey,
      connectTimeout: '5s',
    });
  } catch (err) {
    throw new ServiceError(
      'upstream_failed',
      `cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}`,
    );
  }
  // The worker encrypts payloads when PAYLOAD_ENCRYPTION_KEY is set; clients must use the same codec.
  const dataConverter = dataConverterFromConfig(config);
  installTracing(config);
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    interceptors: tracingClientInterceptors() ?? {},
  });
  return { connection, deps: { temporal: client, taskQueue: temporal.taskQueue } };
}
