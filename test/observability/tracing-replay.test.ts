/**
 * The bundle's workflow interceptors trace only runs begun with them (patch `opentelemetry-tracing`).
 * A run recorded before them replays without a single span, so it draws the workflow's seeded
 * randomness (which uuid4, and so every event id, shares) exactly as it did when it ran; a run begun
 * with them replays with the same spans it had. Replayed here with a sink that collects the spans.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { workflowBundlePath } from '../harness/index.js';
import { HISTORIES_DIR, loadHistories } from '../harness/replay.js';

async function spansOnReplay(file: string): Promise<string[]> {
  const history = (await loadHistories(HISTORIES_DIR)).find((h) => h.file === join(HISTORIES_DIR, file))!;
  const names: string[] = [];
  await Worker.runReplayHistory(
    {
      workflowBundle: { codePath: await workflowBundlePath() },
      replayName: 'tracing-replay',
      sinks: {
        exporter: {
          export: {
            fn: (_info, spans: SerializableSpan[]) => {
              names.push(...spans.map((s) => s.name));
            },
            callDuringReplay: true,
          },
        },
      },
    },
    history.history,
    history.workflowId,
  );
  return names;
}

describe('workflow tracing on replay', () => {
  it('makes no span for a run recorded before tracing existed', async () => {
    expect(await spansOnReplay('payroll-auto-approved-announced.json')).toEqual([]);
  }, 60_000);

  it('makes the same spans again for a run begun with tracing', async () => {
    const names = await spansOnReplay('payroll-auto-approved-traced-cancelled.json');
    expect(names).toEqual(
      expect.arrayContaining([
        'StartActivity:submitPayroll',
        'StartActivity:fetchReceipt',
        'RunWorkflow:payrollRunWorkflow',
      ]),
    );
  }, 60_000);
});
