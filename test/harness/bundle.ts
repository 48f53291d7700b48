import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './shared.js';

/**
 * Builds the workflow bundle once per distinct source tree. Webpack takes several seconds, and most
 * test runs change no workflow code, so the bundle is cached under node_modules/.cache keyed by a hash
 * of every source file a workflow could import (all project .ts outside test/ and bench/) plus the
 * lockfile (SDK version).
 */
export async function prebuiltWorkflowBundle(log: (line: string) => void = () => {}): Promise<string> {
  const hash = await sourceHash();
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'payroll-orchestrator');
  const path = join(dir, `workflow-bundle-${hash}.js`);
  if (existsSync(path)) return path;
  const started = Date.now();
  const { bundleWorkflows } = await import('../../workers/workflow-bundle.js');
  const code = await bundleWorkflows();
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, path);
  log(`workflow bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return path;
}

const SKIP = new Set(['node_modules', 'test', 'bench', 'dist', 'data', 'coverage', '.git', '.tools']);

async function sourceHash(): Promise<string> {
  const files = (await listSources(REPO_ROOT)).sort();
  const hash = createHash('sha256');
  for (const file of [...files, join(REPO_ROOT, 'package-lock.json')]) {
    hash.update(relative(REPO_ROOT, file));
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function listSources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listSources(full)));
    else if (/\.(ts|js|json)$/.test(entry.name) && dir !== REPO_ROOT) out.push(full);
  }
  return out;
}
