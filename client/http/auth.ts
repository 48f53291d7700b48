import { createHash, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../errors.js';

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Keys are compared as SHA-256
 * digests with timingSafeEqual, so neither the key nor its length leaks through response timing.
 */
export function apiKeyChecker(keys: readonly string[]): (authorization: string | undefined) => void {
  const digests = keys.filter((k) => k.length > 0).map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new ServiceError('unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    }
    const presented = digest(match[1]!);
    // Compare with every key (no early exit) so the position of a match does not show in timing.
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, presented) || ok;
    if (!ok) throw new ServiceError('unauthorized', 'unknown API key');
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
