import { describe, expect, it } from '@jest/globals';
import { workflowBundlePath } from './harness/index.js';
import { HISTORIES_DIR, loadHistories, replayHistories } from './harness/replay.js';

/**
 * Every history under test/histories/ (exported with `npm run export-history -- <workflowId>`) must
 * replay against the current workflow code. A failure here means a change would break runs that are
 * in flight in production: version the change with `patched()` instead.
 */
const histories = await loadHistories(HISTORIES_DIR);

describe('replay of stored histories', () => {
  if (histories.length === 0) {
    it('has no stored histories yet (export some with npm run export-history)', () => {
      expect(histories).toEqual([]);
    });
    return;
  }

  it(`replays all ${histories.length} histories without nondeterminism`, async () => {
    const outcomes = await replayHistories(histories, {
      workflowBundle: { codePath: await workflowBundlePath() },
    });
    const failures = outcomes
      .filter((o) => o.error)
      .map((o) => `${o.file}: ${o.error!.name}: ${o.error!.message}`);
    expect(failures).toEqual([]);
    expect(outcomes).toHaveLength(histories.length);
  });
});
