import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from './run-step.js';

/**
 * Serialises builds of one artefact across processes (two `npm test` runs on one machine would
 * otherwise both build into the same cache). `mkdir` is atomic; a lock whose owner died is taken over.
 */
export async function withLock<T>(lockDir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let lastNotice = 0;
  for (;;) {
    if (await tryAcquire(lockDir)) break;
    const owner = await lockOwner(lockDir);
    if (owner === undefined ? await olderThan(lockDir, 30_000) : !isAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - lastNotice >= 10_000) {
      lastNotice = Date.now();
      const waited = Math.round((Date.now() - started) / 1000);
      log(`waiting for another build (pid ${owner ?? '?'}) holding ${lockDir}: ${waited} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function tryAcquire(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  await writeFile(join(lockDir, 'pid'), String(process.pid));
  return true;
}

async function lockOwner(lockDir: string): Promise<number | undefined> {
  const text = await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '');
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** A lock without a pid file is a crash between mkdir and write, once it is old enough. */
async function olderThan(lockDir: string, ms: number): Promise<boolean> {
  const info = await stat(lockDir).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
