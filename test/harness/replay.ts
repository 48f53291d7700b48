import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { tracingWorkerOptions } from '../../observability/tracing.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));

export interface StoredHistory {
  file: string;
  workflowId: string;
  history: ReturnType<typeof historyFromJSON>;
}

/** Every `*.json` under `dir` (recursively), in the proto JSON form `temporal workflow show -o json` writes. */
export async function loadHistories(dir = HISTORIES_DIR): Promise<StoredHistory[]> {
  const files = await listJson(dir);
  return Promise.all(
    files.map(async (file) => ({
      file,
      workflowId: basename(file, '.json'),
      history: historyFromJSON(JSON.parse(await readFile(file, 'utf8'))),
    })),
  );
}

/**
 * Writes a run's history to test/histories/<name>.json, in the form loadHistories reads. Tests call it
 * for finished runs under EXPORT_HISTORIES, which refreshes the histories test/replay.test.ts replays.
 */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  const json = JSON.stringify(JSON.parse(historyToJSON(history)), null, 2);
  await writeFile(join(HISTORIES_DIR, `${name}.json`), `${json}\n`);
}

async function listJson(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? listJson(join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.json') ? [join(dir, e.name)] : []),
    ),
  );
  return nested.flat().sort();
}

export interface ReplayOutcome {
  file: string;
  workflowId: string;
  /** The determinism violation or replay failure; undefined when the history replayed cleanly. */
  error?: Error;
}

/**
 * Replays stored histories against workflow code. A workflow change that would break runs already
 * in flight (a new timer, a reordered activity) shows up here as a DeterminismViolationError.
 */
export async function replayHistories(
  histories: StoredHistory[],
  code: { workflowBundle: { codePath: string } | { code: string } } | { workflowsPath: string },
): Promise<ReplayOutcome[]> {
  const byId = new Map(histories.map((h) => [h.workflowId, h]));
  const outcomes: ReplayOutcome[] = [];
  const results = Worker.runReplayHistories(
    // The sinks of the bundled workflow interceptors, as a live worker has them.
    { ...code, sinks: tracingWorkerOptions().sinks, replayName: 'history-replay' },
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  );
  for await (const result of results) {
    outcomes.push({
      file: byId.get(result.workflowId)?.file ?? '?',
      workflowId: result.workflowId,
      error: result.error,
    });
  }
  return outcomes;
}
