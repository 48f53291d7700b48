/** The stored form of a company's credentials, shared by both back ends: state in clear, secret sealed. */
import {
  CREDENTIAL_STATES,
  companySecretSchema,
  type CompanyCredentials,
  type CredentialChange,
  type CredentialState,
  type CredentialSummary,
} from '../credentials.js';
import { openJson, sealJson, SealKeyError, type SealKey } from '../seal.js';

export interface SealedRecord {
  companyId: string;
  state: CredentialState;
  keyId: string | undefined;
  sealed: Buffer | undefined;
  reason: string | undefined;
  loadedAt: Date;
  rotatedAt: Date;
}

/** Company ids are Gusto uuids; anything else is refused before it reaches a path or a query. */
export function checkCompanyId(companyId: string): void {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(companyId))
    throw new RangeError(`companyId: must be a Gusto company uuid, got ${JSON.stringify(companyId)}`);
}

export function isState(value: unknown): value is CredentialState {
  return (CREDENTIAL_STATES as readonly unknown[]).includes(value);
}

/** The record without its sealed secret: what `credentials list` shows. */
export function summaryOf(record: SealedRecord): CredentialSummary {
  const { companyId, state, keyId, reason, loadedAt, rotatedAt } = record;
  return { companyId, state, keyId, reason, loadedAt, rotatedAt };
}

export function openRecord(keys: readonly SealKey[], record: SealedRecord): CompanyCredentials {
  let secret: CompanyCredentials['secret'];
  if (record.sealed && record.keyId) {
    const parsed = companySecretSchema.safeParse(openJson(keys, record.keyId, record.sealed));
    if (!parsed.success)
      throw new SealKeyError(`stored Gusto credentials of company ${record.companyId} are malformed`);
    secret = parsed.data;
  }
  return { ...summaryOf(record), secret };
}

/** The record `change` turns `current` into, sealed with the first key. */
export function sealChange(
  keys: readonly SealKey[],
  companyId: string,
  current: SealedRecord | undefined,
  change: CredentialChange,
  now: Date,
): SealedRecord {
  const sealed = change.secret ? sealJson(keys, change.secret) : undefined;
  return {
    companyId,
    state: change.state,
    keyId: sealed?.keyId,
    sealed: sealed?.data,
    reason: change.reason,
    loadedAt: change.loaded || !current ? now : current.loadedAt,
    rotatedAt: change.rotated || !current ? now : current.rotatedAt,
  };
}
