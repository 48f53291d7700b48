/**
 * Durable Gusto OAuth credentials, one record per company, shared by every worker. Gusto rotates a
 * refresh token on each use, so the store is the one truth: a refresh happens under the company's
 * lock (single-flight across processes), the new refresh token is written before the new access
 * token is used, and a worker that waited for the lock finds the winner's access token instead of
 * refreshing again. Two back ends: a folder of files (gusto/stores/file-credentials.ts, the embedded
 * default) and PostgreSQL (gusto/stores/postgres-credentials.ts, the cluster). Secrets are sealed
 * with PAYLOAD_ENCRYPTION_KEY (gusto/seal.ts); state and times stay readable for `credentials list`.
 */
import { z } from 'zod';

/**
 * `active`: usable. `needs_credentials`: Gusto refused the refresh token (invalid_grant); a person
 * must load a new one. `revoked`: an operator withdrew the credentials.
 */
export const CREDENTIAL_STATES = ['active', 'needs_credentials', 'revoked'] as const;
export type CredentialState = (typeof CREDENTIAL_STATES)[number];

/** The sealed part of a record. */
export const companySecretSchema = z.object({
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  /** Epoch ms after which the access token must not be used (Gusto's expires_in, less a margin). */
  accessFreshUntil: z.number().optional(),
});
export type CompanySecret = z.infer<typeof companySecretSchema>;

/** What `credentials list` shows: no secrets. */
export interface CredentialSummary {
  companyId: string;
  state: CredentialState;
  /** Key id the secret is sealed with (rotation: re-sealed with the first key on the next write). */
  keyId: string | undefined;
  /** When a person last loaded a refresh token. */
  loadedAt: Date;
  /** When the refresh token last changed (loaded or rotated by a refresh): the token's age. */
  rotatedAt: Date;
  /** Why the company needs a person, when it does (never a secret). */
  reason: string | undefined;
}

export interface CompanyCredentials extends CredentialSummary {
  /** Undefined once revoked. */
  secret: CompanySecret | undefined;
}

/** A change `update` writes while it still holds the lock. */
export interface CredentialChange {
  state: CredentialState;
  secret: CompanySecret | undefined;
  reason?: string;
  /** The refresh token is new (loaded or rotated): resets the token's age. */
  rotated?: boolean;
  /** A person loaded it. */
  loaded?: boolean;
}

export interface CredentialStore {
  /** The company's record without locking (a cheap read on the hot path). */
  read(companyId: string): Promise<CompanyCredentials | undefined>;
  /**
   * Single-flight: holds the company's lock across processes, calls `fn` with the record as it is
   * now, writes what `fn` returns (null: nothing) and releases the lock only after the write is
   * durable. `fn` may call Gusto; others wait for the lock meanwhile.
   */
  update(
    companyId: string,
    fn: (current: CompanyCredentials | undefined) => Promise<CredentialChange | null>,
  ): Promise<void>;
  list(): Promise<CredentialSummary[]>;
  /** Start-up check: the store is reachable and every stored secret opens with the configured keys. */
  check(): Promise<void>;
  close(): Promise<void>;
}
