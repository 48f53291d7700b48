/** Real credential stores for tests: a file store in a temp folder, keys like PAYLOAD_ENCRYPTION_KEY's. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStore } from '../../gusto/credentials.js';
import type { SealKey } from '../../gusto/seal.js';
import { fileCredentialStore } from '../../gusto/stores/file-credentials.js';

export const testKey = (id: string, fill: number): SealKey => ({ id, key: Buffer.alloc(32, fill) });
export const TEST_KEYS: SealKey[] = [testKey('k1', 7)];
/** PAYLOAD_ENCRYPTION_KEY's form of TEST_KEYS. */
export const TEST_KEY_ENV = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

export interface TempCredentialStore {
  store: CredentialStore;
  dir: string;
  /** Another store on the same folder (as another process would open it). */
  another(keys?: SealKey[]): CredentialStore;
  remove(): void;
}

export function tempCredentialStore(keys: SealKey[] = TEST_KEYS): TempCredentialStore {
  const dir = join(mkdtempSync(join(tmpdir(), 'payroll-creds-')), 'gusto-credentials');
  return {
    store: fileCredentialStore({ dir, keys }),
    dir,
    another: (other = keys) => fileCredentialStore({ dir, keys: other }),
    remove: () => rmSync(join(dir, '..'), { recursive: true, force: true }),
  };
}
