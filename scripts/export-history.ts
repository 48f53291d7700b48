/**
 * `npm run export-history -- <workflowId> [--address host:port] [--namespace ns] [--run-id id] [--out dir]`
 * Writes a finished run's history to test/histories/<workflowId>.json, where the replay test picks it up.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DEFAULT_TEMPORAL_ADDRESS, loadConfigOrExit } from '../workers/config.js';

const DEFAULT_DIR = fileURLToPath(new URL('../test/histories/', import.meta.url));

export interface ExportOptions {
  client: Client;
  workflowId: string;
  runId?: string;
  dir?: string;
  /** Allow a run that is still open (tests); the replay then covers only what happened so far. */
  allowRunning?: boolean;
}

/** Fetches one run's history and writes it as `<dir>/<workflowId>.json`; returns the file path. */
export async function exportHistory(opts: ExportOptions): Promise<string> {
  const handle = opts.client.workflow.getHandle(opts.workflowId, opts.runId);
  const { status } = await handle.describe();
  if (status.name === 'RUNNING' && !opts.allowRunning) {
    throw new Error(
      `${opts.workflowId} is still running: export a finished run, so the replay covers all of it`,
    );
  }
  const history = await handle.fetchHistory();
  const dir = opts.dir ?? DEFAULT_DIR;
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${fileSafe(opts.workflowId)}.json`);
  await writeFile(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
  return file;
}

/** Workflow ids hold ':' (payroll:company:payroll), which some file systems refuse. */
export function fileSafe(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      address: { type: 'string' },
      namespace: { type: 'string' },
      'run-id': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const workflowId = positionals[0];
  if (!workflowId) {
    console.error(
      'usage: npm run export-history -- <workflowId> [--address host:port] [--namespace ns] [--run-id id] [--out dir]',
    );
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const address = values.address ?? config.temporal.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const connection = await Connection.connect({
    address,
    tls: config.temporal.tls,
    apiKey: config.temporal.apiKey,
  });
  try {
    const client = new Client({ connection, namespace: values.namespace ?? config.temporal.namespace });
    const file = await exportHistory({ client, workflowId, runId: values['run-id'], dir: values.out });
    console.log(`wrote ${file}`);
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`export-history failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
