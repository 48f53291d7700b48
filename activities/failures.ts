/**
 * The one mapping from Gusto client errors to Temporal failures. Activities wrap their Gusto calls
 * in `callGusto` (or rethrow `toActivityFailure(err)`), so retry policy lives in one place:
 *
 * - 5xx, 408, timeouts, connection errors: retryable, Temporal's backoff applies.
 * - 429: retryable after Gusto's Retry-After (`nextRetryDelay`), not sooner.
 * - 401: retryable. The client drops the rejected token, so the next attempt fetches a fresh one
 *   (e.g. after an OAuth rotation); failing the run instead could lose track of money already sent.
 * - 409: non-retryable `GustoConflict`; the activity that expects it (stale version) catches the
 *   GustoApiError itself, refetches and retries within its own logic.
 * - 404, 422, other 4xx: non-retryable, Gusto's `errors[]` carried in the details.
 * - A response that broke the schema, or input rejected before sending: non-retryable.
 * - Credentials that need a person (refresh token refused with invalid_grant, revoked, never
 *   loaded): non-retryable GustoClientError whose one error item is `credentials/needs_credentials`
 *   and whose message names the operator command, instead of 401 retries without end. Processes
 *   show it as their lastError; a payroll run waits for `retry` once the credentials are loaded.
 *
 * Details are `[{ status, endpoint, errors }]`: no tokens, no bodies we sent.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  isGustoApiError,
  isGustoCredentialsError,
  isGustoInputError,
  isGustoResponseError,
  type GustoApiError,
  type GustoErrorItem,
} from '../gusto/errors.js';

export const GUSTO_FAILURE_TYPES = {
  serverError: 'GustoServerError',
  unavailable: 'GustoUnavailable',
  rateLimited: 'GustoRateLimited',
  notFound: 'GustoNotFound',
  unprocessable: 'GustoUnprocessable',
  conflict: 'GustoConflict',
  clientError: 'GustoClientError',
  responseInvalid: 'GustoResponseInvalid',
  invalidInput: 'InvalidInput',
} as const;
export type GustoFailureType = (typeof GUSTO_FAILURE_TYPES)[keyof typeof GUSTO_FAILURE_TYPES];

/** What a workflow finds in `ApplicationFailure.details[0]` for a Gusto API failure. */
export interface GustoFailureDetails {
  status: number;
  endpoint: string;
  errors: GustoErrorItem[];
}

function typeFor(status: number): GustoFailureType {
  if (status === 0 || status === 408) return GUSTO_FAILURE_TYPES.unavailable;
  if (status === 429) return GUSTO_FAILURE_TYPES.rateLimited;
  if (status >= 500) return GUSTO_FAILURE_TYPES.serverError;
  if (status === 404) return GUSTO_FAILURE_TYPES.notFound;
  if (status === 409) return GUSTO_FAILURE_TYPES.conflict;
  if (status === 422) return GUSTO_FAILURE_TYPES.unprocessable;
  return GUSTO_FAILURE_TYPES.clientError;
}

function fromApiError(err: GustoApiError): ApplicationFailure {
  const details: GustoFailureDetails = { status: err.status, endpoint: err.endpoint, errors: err.errors };
  return ApplicationFailure.create({
    message: err.message,
    type: typeFor(err.status),
    nonRetryable: !(err.retryable || err.status === 401),
    details: [details],
    ...(err.status === 429 && err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

/**
 * The Temporal failure for an error thrown by the Gusto client. Anything else (including an
 * ApplicationFailure the activity built itself) is returned unchanged.
 */
export function toActivityFailure(err: unknown): unknown {
  if (isGustoApiError(err)) return fromApiError(err);
  if (isGustoResponseError(err)) {
    return ApplicationFailure.create({
      message: err.message,
      type: GUSTO_FAILURE_TYPES.responseInvalid,
      nonRetryable: true,
      details: [{ status: err.status, endpoint: err.endpoint, path: err.path, issue: err.issue }],
    });
  }
  if (isGustoCredentialsError(err)) {
    const details: GustoFailureDetails = {
      status: 401,
      endpoint: 'POST /oauth/token',
      errors: [{ error_key: 'needs_credentials', category: 'credentials', message: err.message }],
    };
    return ApplicationFailure.create({
      message: err.message,
      type: GUSTO_FAILURE_TYPES.clientError,
      nonRetryable: true,
      details: [details],
    });
  }
  if (isGustoInputError(err)) {
    return ApplicationFailure.create({
      message: err.message,
      type: GUSTO_FAILURE_TYPES.invalidInput,
      nonRetryable: true,
      details: [{ issues: err.issues, operation: err.operation }],
    });
  }
  return err;
}

export interface CallGustoOptions {
  /**
   * Errors the calling activity handles itself (e.g. a 409 it answers by refetching the version):
   * when this returns true the client's error is rethrown unchanged instead of mapped.
   */
  rethrow?: (err: unknown) => boolean;
}

/** Run a Gusto call and rethrow its failure in Temporal's terms. */
export async function callGusto<T>(fn: () => Promise<T>, options: CallGustoOptions = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (options.rethrow?.(err)) throw err;
    throw toActivityFailure(err);
  }
}
