/**
 * AES-256-GCM with a key id, the one sealing scheme of the service: workflow payloads
 * (workers/codec.ts) and stored Gusto credentials (gusto/stores/) both use it, with the keys of
 * PAYLOAD_ENCRYPTION_KEY. The key id is stored next to the ciphertext and authenticated with it, so
 * keys can rotate: the first key seals, every configured key opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SealKey {
  id: string;
  key: Buffer; // 32 bytes
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key id is authenticated data: a ciphertext relabelled with another key id fails to open. */
export function encrypt(key: Buffer, id: string, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Throws when the data was tampered with or sealed with another key under the same id. */
export function decrypt(key: Buffer, id: string, sealed: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}

/** Why stored data cannot be opened with the configured keys; names the variable an operator fixes. */
export class SealKeyError extends Error {
  override readonly name = 'SealKeyError';
}

/** Seals JSON-able data with the first key. */
export function sealJson(keys: readonly SealKey[], value: unknown): { keyId: string; data: Buffer } {
  const first = keys[0];
  if (!first) throw new SealKeyError('PAYLOAD_ENCRYPTION_KEY: required to store Gusto credentials');
  return { keyId: first.id, data: encrypt(first.key, first.id, Buffer.from(JSON.stringify(value))) };
}

/** `what` names the sealed data in the errors an operator reads. */
export function openJson(
  keys: readonly SealKey[],
  keyId: string,
  data: Uint8Array,
  what = 'stored Gusto credentials',
): unknown {
  const key = keys.find((k) => k.id === keyId);
  if (!key)
    throw new SealKeyError(
      `PAYLOAD_ENCRYPTION_KEY: holds no key "${keyId}", which ${what} were sealed with ` +
        '(keep the old key in the list after the new one while rotating)',
    );
  try {
    return JSON.parse(decrypt(key.key, keyId, data).toString('utf8'));
  } catch {
    throw new SealKeyError(
      `PAYLOAD_ENCRYPTION_KEY: key "${keyId}" does not open the ${what} ` +
        '(a different key under the same id, or the data was altered)',
    );
  }
}
