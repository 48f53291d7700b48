/**
 * The one way the workflows are bundled (a worker without a prebuilt bundle, `npm run build:bundle`,
 * the cluster, the tests and replay): the same entry, interceptors and shared modules everywhere, so
 * every bundle runs a history the same way.
 *
 * The workflow modules (workflows/index.ts and all it imports) are preloaded: evaluated once when the
 * worker loads the bundle and shared by every run on it, instead of evaluated again inside each run
 * (the SDK's reusable context gives a run its own copy of every module it loads itself). Safe because
 * their top level holds no per-run state: it defines functions, classes, activity proxies and
 * constants that nothing writes to after load (audited module by module). The rule that keeps it so:
 * a workflow module's top level is never written at run time; per-run state lives in objects a run
 * builds. The SDK deep-freezes the exported objects, so a write to one fails in the tests (which run
 * this same bundle), but a write to an unexported constant (a Set, an array) would leak between runs
 * silently. Measured on the payday bench (docs/BENCHMARKS.md, "Workflow modules shared across runs").
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../observability/tracing.js';

export const WORKFLOWS_ENTRY = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the bundler's warnings and errors go; its progress chatter is dropped. */
export interface BundleReport {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The SDK's own choice (a full inline source map) puts every module's source text and a mapping per
 * column into the bundle: 4 MB, of which 2.5 MB map, decoded again in every workflow thread, where the
 * SDK's promise hook maps a stack trace through it for every promise a run creates. A map of lines
 * only, without the sources, still resolves every frame to its file and line: 1.6 MB in all.
 */
const SOURCE_MAP_KIND = 'inline-nosources-cheap-module-source-map';

export async function bundleWorkflows(report: BundleReport = console): Promise<string> {
  // Loaded here: webpack is heavy, and most processes that import this module use a prebuilt bundle.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const noop = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: [WORKFLOWS_ENTRY],
    webpackConfigHook: (config) => ({ ...config, devtool: SOURCE_MAP_KIND }),
    logger: {
      log: noop,
      trace: noop,
      debug: noop,
      info: noop,
      warn: (m) => report.warn(m),
      error: (m) => report.error(m),
    },
  });
  return code;
}

/**
 * A hash of every source a workflow could import (all project .ts, .js and .json outside the folders
 * below) and of the lockfile (the SDK's version): the same hash, the same bundle. Wider than what the
 * bundle reaches, so a change can only make a bundle look stale, never fresh.
 */
export async function workflowSourceHash(): Promise<string> {
  const files = (await listSources(ROOT)).sort();
  const hash = createHash('sha256');
  for (const file of [...files, join(ROOT, 'package-lock.json')]) {
    hash.update(relative(ROOT, file));
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Top-level folders that hold no source a workflow imports (only at the top: `workflows/data/` would count). */
const NOT_SOURCES = new Set(['node_modules', 'test', 'bench', 'dist', 'data', 'coverage', '.git', '.tools']);

async function listSources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || (dir === ROOT && NOT_SOURCES.has(entry.name))) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listSources(full)));
    else if (/\.(ts|js|json)$/.test(entry.name) && dir !== ROOT) out.push(full);
  }
  return out;
}

/**
 * A prebuilt bundle carries the hash of the sources it was built from (`npm run build:bundle`), on a
 * comment line just before its inline source map: below every line of code, so no source-map line
 * moves, and above the map, which the SDK decodes from its `base64,` to the end of the file.
 */
const STAMP = '\n// workflow sources ';
const SOURCE_MAP = '\n//# sourceMappingURL=';

export function stampBundle(code: string, sourceHash: string): string {
  const map = code.lastIndexOf(SOURCE_MAP);
  const stamp = `${STAMP}${sourceHash}`;
  return map < 0 ? `${code}${stamp}\n` : `${code.slice(0, map)}${stamp}${code.slice(map)}`;
}

/** The source hash a prebuilt bundle carries (undefined: none, built before stamps or elsewhere). */
export function bundleSourceHash(code: string): string | undefined {
  const at = code.lastIndexOf(STAMP);
  return at < 0 ? undefined : /^[0-9a-f]+/.exec(code.slice(at + STAMP.length))?.[0];
}
