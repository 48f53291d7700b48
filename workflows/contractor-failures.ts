/**
 * Failures of the contractor workflows in the service's own words: InvalidInput, NotFound, Refused,
 * Conflict (client/errors.ts maps them to HTTP). Gusto failure types coming back from activities are
 * translated here, once.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { activityAnswer } from './activity-failures.js';

export const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');
export const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'Refused');

const GUSTO_TYPES: Record<string, string> = {
  GustoNotFound: 'NotFound',
  GustoUnprocessable: 'Refused',
  GustoClientError: 'Refused',
  GustoConflict: 'Conflict',
};

/** An activity's typed failure, with Gusto's failure types as the service's; anything else is Internal. */
export function asFailure(err: unknown): ApplicationFailure {
  const cause = activityAnswer(err) ?? err;
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
  return activityAnswer(err)?.type === 'GustoNotFound';
}
