/**
 * A prebuilt bundle knows the sources it was built from (workers/workflow-bundle.ts), so a worker never
 * runs a bundle older than its code: `npm run build:bundle` stamps it, the stamp reads back, and the
 * stamped bundle still loads into a worker (the SDK decodes the inline source map to the file's end).
 * The bundle's slim source map (lines only, no sources) still leads a stack trace back to the code.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eventually } from '../harness/eventually.js';
import { bundleSourceHash, stampBundle, workflowSourceHash } from '../../workers/workflow-bundle.js';
import { payrollRunWorkflow } from '../../workflows/index.js';
import { devServerEnv, uniqueTaskQueue, workflowBundlePath } from '../harness/index.js';
import { REPO_ROOT } from '../harness/shared.js';

describe('the workflow bundle: its source stamp and its source map', () => {
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

  it("maps a waiting run's stack trace back to the workflow source file and line", async () => {
    // No activities on this worker: the run waits on its first Gusto call, and its stack says where.
    const taskQueue = uniqueTaskQueue('stack');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: await workflowBundlePath() },
    });
    const handle = await env.client.workflow.start(payrollRunWorkflow, {
      taskQueue,
      workflowId: `stack-run-${randomUUID()}`,
      args: [{ companyId: 'company-1', payrollId: 'payroll-1' }],
    });
    try {
      const stack = await worker.runUntil(
        eventually(
          async () => {
            const trace = await handle.query<string>('__stack_trace');
            return /workflows\/payroll-run\.ts:\d+/.test(trace) && trace;
          },
          30_000,
          'a stack trace through workflows/payroll-run.ts',
        ),
      );
      expect(stack).toMatch(/find \(.*workflows\/payroll-run\.ts:\d+/);
    } finally {
      await handle.terminate('test over');
    }
  }, 60_000);
});
