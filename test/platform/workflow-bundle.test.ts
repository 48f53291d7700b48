/**
 * A prebuilt bundle knows the sources it was built from (workers/workflow-bundle.ts), so a worker never
 * runs a bundle older than its code: `npm run build:bundle` stamps it, the stamp reads back, and the
 * stamped bundle still loads into a worker (the SDK decodes the inline source map to the file's end).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { bundleSourceHash, stampBundle, workflowSourceHash } from '../../workers/workflow-bundle.js';
import { devServerEnv, uniqueTaskQueue } from '../harness/index.js';
import { REPO_ROOT } from '../harness/shared.js';

describe('the workflow bundle stamp', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await devServerEnv();
  }, 60_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('reads back the hash it was stamped with, above the source map, and nothing from an unstamped bundle', () => {
    // With and without base64 padding: the SDK decodes from `base64,` to the end of the file.
    for (const map of ['e30=', 'eyB9']) {
      const code = `var a = 1;\n//# sourceMappingURL=data:application/json;base64,${map}`;
      const stamped = stampBundle(code, '0123456789abcdef');
      expect(bundleSourceHash(stamped)).toBe('0123456789abcdef');
      expect(stamped.endsWith(`base64,${map}`)).toBe(true);
      expect(stamped.startsWith('var a = 1;\n')).toBe(true);
      expect(bundleSourceHash(code)).toBeUndefined();
    }
  });

  it('npm run build:bundle stamps the bundle with the hash of the sources, and a worker loads it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
    try {
      const out = join(dir, 'workflow-bundle.js');
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', out],
        {
          cwd: REPO_ROOT,
        },
      );
      const hash = bundleSourceHash(await readFile(out, 'utf8'));
      expect(hash).toMatch(/^[0-9a-f]{16}$/);
      expect(hash).toBe(await workflowSourceHash());
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: uniqueTaskQueue('stamped'),
        workflowBundle: { codePath: out },
      });
      await worker.runUntil(Promise.resolve());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
