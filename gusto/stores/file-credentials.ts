/**
 * The embedded credential store: one file per company in a folder (DATA_DIR/gusto-credentials), for
 * `npm start` and single-host set-ups. Single-flight across processes on the host is a lock file per
 * company, created with O_EXCL; the record is replaced by write-to-temp, fsync, rename, so a crash
 * leaves the old record or the new one, never half of one.
 *
 * A lock left by a dead process is taken over: at once when its pid is gone (same host), otherwise
 * once it is older than `staleLockMs` (longer than a refresh call can take).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CompanyCredentials, CredentialChange, CredentialStore } from '../credentials.js';
import type { SealKey } from '../seal.js';
import {
  checkCompanyId,
  isState,
  openRecord,
  sealChange,
  summaryOf,
  type SealedRecord,
} from './sealed-record.js';

export interface FileCredentialStoreOptions {
  dir: string;
  keys: readonly SealKey[];
  /** Longest wait for another process's lock. Default 90 s (a refresh call times out after 30 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is presumed abandoned. Default 120 s. */
  staleLockMs?: number;
}

interface FileRecord {
  companyId: string;
  state: string;
  keyId?: string;
  sealed?: string;
  reason?: string;
  loadedAt: string;
  rotatedAt: string;
}

const LOCK_POLL_MS = 20;

export function fileCredentialStore(options: FileCredentialStoreOptions): CredentialStore {
  const { dir, keys } = options;
  const lockTimeoutMs = options.lockTimeoutMs ?? 90_000;
  const staleLockMs = options.staleLockMs ?? 120_000;
  const recordPath = (companyId: string) => join(dir, `${companyId}.json`);

  const readRecord = async (companyId: string): Promise<SealedRecord | undefined> => {
    let raw: string;
    try {
      raw = await readFile(recordPath(companyId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const r = JSON.parse(raw) as FileRecord;
    if (!isState(r.state))
      throw new Error(`${recordPath(companyId)}: unknown state ${JSON.stringify(r.state)}`);
    return {
      companyId: r.companyId,
      state: r.state,
      keyId: r.keyId,
      sealed: r.sealed ? Buffer.from(r.sealed, 'base64') : undefined,
      reason: r.reason,
      loadedAt: new Date(r.loadedAt),
      rotatedAt: new Date(r.rotatedAt),
    };
  };

  const writeRecord = async (record: SealedRecord): Promise<void> => {
    const file: FileRecord = {
      companyId: record.companyId,
      state: record.state,
      ...(record.keyId ? { keyId: record.keyId } : {}),
      ...(record.sealed ? { sealed: record.sealed.toString('base64') } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
      loadedAt: record.loadedAt.toISOString(),
      rotatedAt: record.rotatedAt.toISOString(),
    };
    const target = recordPath(record.companyId);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeDurably(temp, JSON.stringify(file, null, 2));
    await rename(temp, target);
    fsyncDir(dir);
  };

  const withLock = async <T>(companyId: string, fn: () => Promise<T>): Promise<T> => {
    const lock = join(dir, `${companyId}.lock`);
    const deadline = Date.now() + lockTimeoutMs;
    for (;;) {
      try {
        const fd = openSync(lock, 'wx', 0o600);
        writeSync(fd, `${process.pid}@${hostname()}`);
        closeSync(fd);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (await abandoned(lock, staleLockMs)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`credential lock ${lock} held for over ${lockTimeoutMs} ms by another process`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  };

  let prepared = false;
  const prepare = () => {
    if (prepared) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    prepared = true;
  };

  const store: CredentialStore = {
    async read(companyId) {
      checkCompanyId(companyId);
      const record = await readRecord(companyId);
      return record && openRecord(keys, record);
    },

    async update(
      companyId,
      fn: (current: CompanyCredentials | undefined) => Promise<CredentialChange | null>,
    ) {
      checkCompanyId(companyId);
      prepare();
      await withLock(companyId, async () => {
        const record = await readRecord(companyId);
        const change = await fn(record && openRecord(keys, record));
        if (change) await writeRecord(sealChange(keys, companyId, record, change, new Date()));
      });
    },

    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
      const records = await Promise.all(ids.map(readRecord));
      return records
        .filter((r): r is SealedRecord => r !== undefined)
        .map(summaryOf)
        .sort((a, b) => a.companyId.localeCompare(b.companyId));
    },

    async check() {
      prepare();
      for (const summary of await store.list()) await store.read(summary.companyId);
    },

    async close() {},
  };
  return store;
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The rename is only durable once the folder is flushed too. */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The lock's owner is dead (same host, pid gone) or the lock is older than `staleMs`. */
async function abandoned(lock: string, staleMs: number): Promise<boolean> {
  try {
    const [owner, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const [pid, host] = owner.split('@');
    if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
}
