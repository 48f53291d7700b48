/**
 * The stored form of a subscription: its signing secrets sealed with PAYLOAD_ENCRYPTION_KEY
 * (gusto/seal.ts, the service's one sealing scheme) when a key is configured, so a copy of the file or
 * of the database does not let anyone forge events to the partner. Without a key they stay in clear
 * (the file is still readable by its owner only); they are sealed on the next write once a key is set.
 */
import { openJson, sealJson, SealKeyError, type SealKey } from '../gusto/seal.js';
import type { Subscription } from './subscriptions.js';

type Secrets = Pick<Subscription, 'secret' | 'previousSecret'>;
type Described = Omit<Subscription, keyof Secrets>;

/** Either the secrets in clear (no key configured, or written before one was) or sealed. */
export type StoredSubscription = Described & (Secrets | { sealedSecrets: { keyId: string; data: string } });

const WHAT = 'stored event subscription secrets';

export function sealSecrets(keys: readonly SealKey[], sub: Subscription): StoredSubscription {
  if (keys.length === 0) return sub;
  const { secret, previousSecret, ...described } = sub;
  const { keyId, data } = sealJson(keys, { secret, previousSecret });
  return { ...described, sealedSecrets: { keyId, data: data.toString('base64') } };
}

export function openSecrets(keys: readonly SealKey[], stored: StoredSubscription): Subscription {
  if (!('sealedSecrets' in stored)) return stored;
  const { sealedSecrets, ...described } = stored;
  if (keys.length === 0)
    throw new SealKeyError(
      `PAYLOAD_ENCRYPTION_KEY: required: the ${WHAT} are sealed with key "${sealedSecrets.keyId}"`,
    );
  const secrets = openJson(
    keys,
    sealedSecrets.keyId,
    Buffer.from(sealedSecrets.data, 'base64'),
    WHAT,
  ) as Secrets;
  if (typeof secrets?.secret !== 'string') throw new SealKeyError(`${WHAT} of ${stored.id} are malformed`);
  return { ...described, ...secrets };
}
