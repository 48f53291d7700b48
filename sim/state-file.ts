/**
 * The `stateFile` option: a sandbox that outlives its process, as Gusto does. The state is read once
 * at start and written back, atomically (temp file, fsync, rename), a little after changes and on
 * close. A file that cannot be used is not fatal and not lost: one line says why, the sandbox starts
 * from its seed, and the file stays next to the new one as `<file>.bad`.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseState, type SandboxState } from './snapshot.js';

/** Writes coalesce: at most one per this many ms while requests keep coming. */
const SAVE_DEBOUNCE_MS = 500;

/**
 * The saved state, or null (no file yet, or one set aside). `seed` is the seed the caller asked for,
 * if any: a file saved from another seed describes other companies.
 */
export async function loadStateFile(file: string, seed: number | undefined): Promise<SandboxState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`sandbox state file ${file} cannot be read: ${(err as Error).message}`);
  }
  let state = parseState(text);
  if (typeof state !== 'string' && seed !== undefined && state.seed !== seed)
    state = `was saved by a sandbox with seed ${state.seed}, not ${seed}`;
  if (typeof state !== 'string') return state;
  await rename(file, `${file}.bad`);
  console.warn(
    `[sandbox] state file ${file} ${state}: starting from the seed (old file kept as ${file}.bad)`,
  );
  return null;
}

export class StateFileWriter {
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => SandboxState,
  ) {}

  /** Something may have changed: save soon. One write covers every change made before it. */
  readonly markDirty = (): void => {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save().catch((err: unknown) =>
        console.error(`[sandbox] saving state to ${this.file} failed: ${(err as Error).message}`),
      );
    }, SAVE_DEBOUNCE_MS);
    this.timer.unref();
  };

  /** Writes the state as it is now, after any write still in progress. */
  save(): Promise<void> {
    const text = JSON.stringify(this.snapshot());
    const write = this.queue.then(() => writeAtomically(this.file, text));
    this.queue = write.catch(() => {});
    return write;
  }

  /** The final save; later changes are not written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.save();
  }
}

/** A crash mid-write leaves the previous file intact: readers only ever see a complete one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}
