/**
 * `npm run build:bundle`: bundles workflows/index.ts into dist/workflow-bundle.js. A worker finds it
 * there and starts without running webpack (seconds saved on every start, and no bundler needed in
 * the production image at run time). The bundle carries the hash of its sources; a worker that finds
 * the sources changed since bundles them itself instead, with a warning to rebuild.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, stampBundle, workflowSourceHash } from '../workers/workflow-bundle.js';

const OUT = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

async function main(): Promise<void> {
  const started = Date.now();
  const out = process.argv[2] ?? OUT;
  // Hashed before bundling: a source edited meanwhile makes the bundle look stale, not fresh.
  const sources = await workflowSourceHash();
  const code = stampBundle(await bundleWorkflows(), sources);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(
    `wrote ${out} (${Math.round(code.length / 1024)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((err: unknown) => {
  console.error(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
