/**
 * A prebuilt bundle knows the sources it was built from (workers/workflow-bundle.ts), so a worker never
 * runs a bundle older than its code: `npm run build:bundle` stamps it, and the stamp reads back.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { bundleSourceHash, stampBundle, workflowSourceHash } from '../../workers/workflow-bundle.js';
import { REPO_ROOT } from '../harness/shared.js';

describe('the workflow bundle stamp', () => {
  it('reads back the hash it was stamped with, and nothing from an unstamped bundle', () => {
    const code = 'var a = 1;\n//# sourceMappingURL=data:application/json;base64,e30=';
    expect(bundleSourceHash(stampBundle(code, '0123456789abcdef'))).toBe('0123456789abcdef');
    expect(stampBundle(code, '0123456789abcdef').startsWith(code)).toBe(true);
    expect(bundleSourceHash(code)).toBeUndefined();
  });

  it('npm run build:bundle stamps the bundle with the hash of the sources in the tree', async () => {
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
