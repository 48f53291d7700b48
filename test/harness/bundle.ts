import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflows, workflowSourceHash } from '../../workers/workflow-bundle.js';
import { REPO_ROOT } from './shared.js';

/**
 * Builds the workflow bundle once per distinct source tree. Webpack takes several seconds, and most
 * test runs change no workflow code, so the bundle is cached under node_modules/.cache keyed by the
 * hash of every source file a workflow could import (workflowSourceHash).
 */
export async function prebuiltWorkflowBundle(log: (line: string) => void = () => {}): Promise<string> {
  const hash = await workflowSourceHash();
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'payroll-orchestrator');
  const path = join(dir, `workflow-bundle-${hash}.js`);
  if (existsSync(path)) return path;
  const started = Date.now();
  const code = await bundleWorkflows();
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, path);
  log(`workflow bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return path;
}
