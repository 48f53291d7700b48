/**
 * Failures of the contractor workflows in the service's own words: InvalidInput, NotFound, Refused,
 * Conflict (client/errors.ts maps them to HTTP). Gusto failure types coming back from activities are
 * translated here, once.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');
export const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'Refused');

const GUSTO_TYPES: Record<string, string> = {
  GustoNotFound: 'NotFound',
  GustoUnprocessable: 'Refused',
  GustoClientError: 'Refused',
  GustoConflict: 'Conflict',
};

/** An activity's typed failure is its cause; Gusto's failure types become the service's. */
export function asFailure(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure)) {
    return ApplicationFailure.nonRetryable(
      cause instanceof Error ? cause.message : String(cause),
      'Internal',
    );
  }
  const type = GUSTO_TYPES[cause.type ?? ''];
  return type ? ApplicationFailure.nonRetryable(cause.message, type, ...(cause.details ?? [])) : cause;
}

export function isNotFound(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'GustoNotFound';
}
