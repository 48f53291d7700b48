/**
 * The committed contractor histories (test/histories/contractor-*.json, exported by the time-skipping
 * tests with EXPORT_HISTORIES=1) must replay against the current workflow code: a change that would
 * break dismissals and rehires already waiting for their dates fails here (version it with patched()).
 */
import { describe, expect, it } from '@jest/globals';
import { basename } from 'node:path';
import { workflowBundlePath } from '../harness/index.js';
import { loadHistories, replayHistories } from '../harness/replay.js';

const histories = (await loadHistories()).filter((h) => basename(h.file).startsWith('contractor-'));
const ours = histories.filter((h) => !basename(h.file).startsWith('contractor-payment'));

describe('replay of contractor dismissal and rehire histories', () => {
  it('has histories of both processes', () => {
    const names = ours.map((h) => basename(h.file));
    expect(names.some((n) => n.startsWith('contractor-dismissal'))).toBe(true);
    expect(names.some((n) => n.startsWith('contractor-rehire'))).toBe(true);
  });

  it('replays every one without nondeterminism', async () => {
    const outcomes = await replayHistories(ours, {
      workflowBundle: { codePath: await workflowBundlePath() },
    });
    expect(outcomes.filter((o) => o.error).map((o) => `${o.file}: ${o.error!.message}`)).toEqual([]);
    expect(outcomes).toHaveLength(ours.length);
  });
});
